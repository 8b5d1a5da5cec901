// kill -9 during ingest, for real: a `server/main.ts` process (ALLOW_PRIVATE_FEEDS=1) polls a local feed of 3,000
// distinct Chinese posts, which it stores in chunks of 500, each chunk one transaction with its `opinion.items` event.
// The moment an analyst's socket hears the first chunk's event (committed, announced after commit) the process is
// SIGKILLed: the next chunk is then being analysed and written. Restarted on the same data (PGlite: the lock file of
// the dead process must not block it), the source polled again: exactly 3,000 items, none twice, the items total and
// the `opinion.items` events agree with the rows (no chunk half-committed), the source healthy, the audit chain intact.
//
// A stalling or trickling feed server and a thousand mangled feeds are covered at the fetch and parse level by
// test/unit/opinion-fetch-http.test.ts and test/unit/opinion-fetch-parse.test.ts; not repeated here.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allEvents, call, chineseFeed, dbKind, FaultServer, feedServer, seedFaultCity, sleep, watcher, type FeedServer } from '../support/faults.ts';

const TOTAL = 3000;
const CHUNK = 500; // server/opinion/ingest.ts

describe(`kill -9 during ingest (${dbKind})`, () => {
  const server = new FaultServer('ingest', { ALLOW_PRIVATE_FEEDS: '1' });
  let feed: FeedServer | null = null;

  afterAll(async () => {
    await feed?.close();
    await server.cleanup();
  }, 30_000);

  it('loses nothing and stores nothing twice when killed between chunks, then restarted and polled again', async () => {
    const t0 = Date.now();
    const phases: string[] = [];
    const phase = (what: string) => phases.push(`${what} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    feed = await feedServer(chineseFeed(TOTAL, 'kill-ingest'));
    await server.start();
    phase('started');
    const city = await seedFaultCity(server.base);
    const analystSocket = await watcher(server.base, city.analyst);

    // The source is created through the API as an analyst would; it is due at once and the poller (every ≤ 5 s) takes it.
    const created = await call(server.base, 'POST', '/api/opinion/sources', city.analyst, { name: '城市论坛', kind: 'feed', url: feed.url, pollSeconds: 300 });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const sourceId = String(created.body.source.id);
    const ofSource = (e: any) => e.type === 'opinion.items' && String(e.payload?.source?.id) === sourceId;

    // Kill on the first committed chunk: the poller goes straight on with the next one.
    let killedAfter = -1;
    let deadPid = 0;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no opinion.items within 40 s (feed requests: ${feed!.requests()})\n${server.logs()}`)), 40_000);
      analystSocket.socket.on('event', (e: any) => {
        if (killedAfter >= 0 || !ofSource(e)) return;
        killedAfter = Number(e.payload.count);
        deadPid = server.pid;
        clearTimeout(t);
        void server.kill().then(resolve, reject);
      });
    });
    phase('killed');
    analystSocket.close();
    expect(killedAfter).toBe(CHUNK);
    const polledBeforeKill = feed.requests();
    if (dbKind === 'pglite') {
      // The dead process's lock file is still there (server/db/connect.ts): the restart must see that its PID is dead.
      const lock = join(server.dataDir, 'pglite.lock');
      expect(existsSync(lock), 'the killed process left its PGlite lock file').toBe(true);
      expect(Number(readFileSync(lock, 'utf8'))).toBe(deadPid);
    }

    // Same data directory / schema; a stale PGlite lock (dead PID) must not block this.
    await server.start();
    phase('restarted');
    const { admin, analyst } = city; // sessions live in the database: they survive the restart
    const sources = async () => (await call(server.base, 'GET', '/api/opinion/sources', analyst)).body.items.find((s: any) => s.id === sourceId);
    const afterCrash = await sources();
    // Whole chunks only: at least the announced one, never all of them (else the kill came too late to test anything).
    const stored = afterCrash.itemsTotal as number;
    expect(stored % CHUNK, `items stored after the crash: ${stored}`).toBe(0);
    expect(stored).toBeGreaterThanOrEqual(CHUNK);
    expect(stored, 'the kill landed after the whole feed was stored; nothing was tested').toBeLessThan(TOTAL);
    // The dead process never recorded the poll: no success, no ETag (else the next poll would get 304 and lose the rest).
    expect(afterCrash.lastSuccessAt).toBeNull();
    expect(afterCrash.failures).toBe(0);

    // The crashed poll's lease (server/opinion/poller.ts, 120 s) still holds the source, so poll now, as an analyst would.
    const again = await call(server.base, 'POST', `/api/opinion/sources/${sourceId}/poll`, analyst);
    phase('polled again');
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.error).toBeNull();
    expect(again.body.notModified).toBe(false);
    expect(again.body.added).toBe(TOTAL - stored);
    expect(again.body.duplicates).toBe(stored);
    expect(feed.requests()).toBe(polledBeforeKill + 1);

    const health = await sources();
    expect(health.itemsTotal).toBe(TOTAL);
    expect(health.failures).toBe(0);
    expect(health.lastError).toBeNull();
    expect(health.lastSuccessAt).not.toBeNull();
    expect(Date.parse(health.nextPollAt)).toBeGreaterThan(Date.now() + 200_000); // the normal 300 s interval, no backoff

    // A third poll: the feed answers 304 to the recorded ETag, nothing is added.
    const third = await call(server.base, 'POST', `/api/opinion/sources/${sourceId}/poll`, analyst);
    expect(third.body).toMatchObject({ error: null, notModified: true, added: 0 });

    phase('third poll');
    const verify = await call(server.base, 'GET', '/api/audit/verify', admin);
    expect(verify.status).toBe(200);
    expect(verify.body.ok, JSON.stringify(verify.body)).toBe(true);

    // Every stored chunk was announced once, in its own transaction: the events' counts add up to the rows.
    const announced = (await allEvents(server.base, analyst)).filter(ofSource);
    expect(announced.reduce((n, e) => n + Number(e.payload.count), 0)).toBe(TOTAL);
    await sleep(200);
    await server.stop();
    phase('stopped');

    const [counts] = await server.sql(
      `select count(*)::int as n, count(distinct external_id)::int as guids, count(distinct canonical_url)::int as urls,
              count(distinct content_hash)::int as hashes
         from opinion_items where source_id = $1`,
      [Number(sourceId)],
    );
    expect(counts).toEqual({ n: TOTAL, guids: TOTAL, urls: TOTAL, hashes: TOTAL });
    const [src] = await server.sql(`select items_total, leased_until, failures, last_error from opinion_sources where id = $1`, [Number(sourceId)]);
    expect(src).toMatchObject({ items_total: TOTAL, leased_until: null, failures: 0, last_error: null });
    phase('checked');
    console.log(
      `kill-ingest (${dbKind}): killed after chunk 1 announced; ${stored}/${TOTAL} stored at restart; ` +
        `re-poll added ${again.body.added}, skipped ${again.body.duplicates}. ${phases.join(', ')}`,
    );
  }, 150_000);
});
