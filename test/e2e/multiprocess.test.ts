// Several processes on one PostgreSQL, for real: three `server/main.ts` processes started together on one empty
// schema (they take turns through start-up), with `@socket.io/postgres-adapter` between them.
// - an incident created through process A reaches a socket client on B (and on C), once;
// - 20 grade II clocks falling due within seconds: each `deadline.missed` is in the event log once, and each client
//   (one per process) gets each once: fired once by whichever process claimed it, emitted once, not re-emitted;
// - a release scheduled 3 s ahead is published once;
// - signing out through A ends that session's socket on B;
// - every PostgreSQL connection of the processes cut at once (what a PostgreSQL restart does to them): no process
//   dies, the adapter LISTENs again, clients are greeted again (so they fetch what they missed), and broadcasts
//   cross processes again. A real `pg_ctlcluster restart` is in the last test, only with BEACON_PG_RESTART_TEST=1
//   (other suites share that PostgreSQL).
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  pgUrl,
  seedCity,
  signIn,
  sleep,
  startServer,
  TestSchema,
  waitFor,
  watcher,
  type City,
  type ServerProcess,
  type Watcher,
} from '../support/cluster.ts';

const CHECKLIST = { noStateSecrets: true, noPersonalPrivacy: true, figuresVerified: true };
const restartTest = process.env.BEACON_PG_RESTART_TEST === '1';

if (!pgUrl) {
  console.warn('test/e2e/multiprocess.test.ts skipped: set TEST_DATABASE_URL (several processes need PostgreSQL)');
}

describe.skipIf(!pgUrl)('several processes on one PostgreSQL', () => {
  const schema = new TestSchema(pgUrl ?? '');
  let servers: ServerProcess[] = [];
  let city: City;
  let duty: string;
  let spokes: string;
  const watchers: Watcher[] = [];
  const [A, B, C] = [0, 1, 2];

  const logs = () => servers.map((s) => `--- ${s.name}\n${s.log()}`).join('\n');

  beforeAll(async () => {
    await schema.create();
    // Started together on an empty schema: migrations, the admin and the boot timers are done once.
    servers = await Promise.all(['A', 'B', 'C'].map((name) => startServer(name, schema.url)));
    city = await seedCity(servers[A].base);
    duty = await signIn(servers[A].base, 'duty');
    spokes = await signIn(servers[B].base, 'spokes');
    // One em leader's console on each process, each its own session.
    for (const s of servers) watchers.push(await watcher(s.base, await signIn(s.base, 'emlead')));
  }, 180_000);

  afterAll(async () => {
    if (process.env.TEST_SHOW_LOGS) console.log(logs());
    for (const w of watchers) w.close();
    await Promise.all(servers.map((s) => s.stop()));
    await schema.drop();
  }, 60_000);

  const incidentBody = (occurredAt: string, title = '城东化工园区储罐爆炸') => ({
    title,
    category: 'accident',
    severity: 'II',
    occurredAt,
    leadDepartmentId: city.em.id,
  });

  it('starts three processes together once: one admin, one of each boot timer, all on the adapter', async () => {
    const admins = await schema.sql(`select count(*)::int as n from users where login = 'admin'`);
    expect(admins[0].n).toBe(1);
    const timers = await schema.sql(`select kind, count(*)::int as n from timers where fired_at is null and ref_id = 0 group by kind`);
    for (const t of timers) expect(t.n, `pending ${t.kind} timers`).toBe(1);
    for (const s of servers) expect(s.log()).toContain('"realtime":"postgres-adapter"');
    const listeners = await schema.sql(`select count(*)::int as n from pg_stat_activity where application_name = $1 and query ilike 'LISTEN %'`, [
      schema.appName,
    ]);
    expect(listeners[0].n).toBe(3);
  });

  it('an incident created through process A reaches the clients on B and C, once each', async () => {
    const r = await call(servers[A].base, 'POST', '/api/incidents', duty, incidentBody(new Date(Date.now() - 3600_000).toISOString()));
    expect(r.status).toBe(201);
    const id = r.body.incident.id;
    const isIt = (e: any) => String(e.incidentId) === String(id);
    await waitFor(() => watchers.every((w) => w.count('incident.created', isIt) >= 1), 10_000, 'incident.created on every process');
    await sleep(500);
    for (const w of watchers) expect(w.count('incident.created', isIt)).toBe(1);
  });

  it('20 clocks falling due within seconds: each missed once in the log and once at each client', async () => {
    const now = Date.now();
    const deadlineIds: string[] = [];
    // Created through all three processes; first_release (5 h for grade II) falls due 3–9 s from now.
    const created = await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const occurredAt = new Date(now - 5 * 3600_000 + 3000 + i * 300).toISOString();
        return call(servers[i % 3].base, 'POST', '/api/incidents', duty, incidentBody(occurredAt, `化工园区事故 ${i + 1}`));
      }),
    );
    for (const r of created) {
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      deadlineIds.push(r.body.incident.deadlines.find((d: any) => d.kind === 'first_release').id);
    }
    const missedBy = (w: Watcher, id: string) => w.count('deadline.missed', (e) => String(e.payload.deadline.id) === String(id));
    await waitFor(() => watchers.every((w) => deadlineIds.every((id) => missedBy(w, id) >= 1)), 40_000, () => `every deadline.missed at every client\n${logs()}`);
    await sleep(3000); // several scheduler cycles on every process: nothing fires again
    for (const w of watchers) for (const id of deadlineIds) expect(missedBy(w, id)).toBe(1);
    const rows = await schema.sql(
      `select payload->'deadline'->>'id' as id, count(*)::int as n from events where type = 'deadline.missed' group by 1`,
    );
    const logged = new Map(rows.map((r) => [String(r.id), r.n]));
    for (const id of deadlineIds) expect(logged.get(String(id)), `deadline ${id} in the event log`).toBe(1);
    const fired = await schema.sql(`select count(*)::int as n from deadlines where id = any($1::int[]) and status = 'missed'`, [deadlineIds.map(Number)]);
    expect(fired[0].n).toBe(20);
  }, 90_000);

  it('a release scheduled 3 s ahead is published once', async () => {
    const inc = await call(servers[A].base, 'POST', '/api/incidents', duty, incidentBody(new Date(Date.now() - 600_000).toISOString()));
    const rel = await call(servers[B].base, 'POST', `/api/incidents/${inc.body.incident.id}/releases`, spokes, {
      kind: 'initial',
      title: '关于城东化工园区储罐爆炸事故的情况通报',
      body: '城东化工园区一储罐发生爆炸，现场处置有序进行。',
    });
    expect(rel.status, JSON.stringify(rel.body)).toBe(201);
    const id = rel.body.release.id;
    const emlead = await signIn(servers[C].base, 'emlead');
    expect((await call(servers[B].base, 'POST', `/api/releases/${id}/submit`, spokes, {})).status).toBe(200);
    const approved = await call(servers[C].base, 'POST', `/api/releases/${id}/approve`, emlead, { version: 1, checklist: CHECKLIST });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const at = new Date(Date.now() + 3000).toISOString();
    const scheduled = await call(servers[B].base, 'POST', `/api/releases/${id}/publish`, spokes, { at });
    expect(scheduled.body.release?.status, JSON.stringify(scheduled.body)).toBe('scheduled');

    const isIt = (e: any) => String(e.payload?.release?.id) === String(id);
    await waitFor(() => watchers.every((w) => w.count('release.published', isIt) >= 1), 20_000, 'release.published at every client');
    await sleep(3000);
    for (const w of watchers) expect(w.count('release.published', isIt)).toBe(1);
    const rows = await schema.sql(`select count(*)::int as n from events where type = 'release.published' and payload->'release'->>'id' = $1`, [String(id)]);
    expect(rows[0].n).toBe(1);
    const now = await call(servers[A].base, 'GET', `/api/releases/${id}`, spokes);
    expect(now.body.release.status).toBe('published');
  }, 60_000);

  it('signing out through A ends that session\'s live connection on B', async () => {
    const cookie = await signIn(servers[A].base, 'helead');
    const w = await watcher(servers[B].base, cookie);
    const gone = new Promise<string>((r) => w.socket.once('disconnect', (reason) => r(reason)));
    expect((await call(servers[A].base, 'DELETE', '/api/session', cookie)).status).toBeLessThan(300);
    expect(await Promise.race([gone, sleep(10_000).then(() => 'still connected')])).toBe('io server disconnect');
  });

  async function expectRecovered(what: string) {
    // No process died; each LISTENs again and greets its clients again (they fetch what they missed).
    for (const s of servers) expect(s.alive(), `${s.name} alive after ${what}\n${s.log()}`).toBe(true);
    await waitFor(() => servers.every((s) => (s.log().match(/listening again/g) ?? []).length >= expectRecovered.round), 30_000, () => `every process to LISTEN again\n${logs()}`);
    await waitFor(() => watchers.every((w) => w.hellos.length >= 1 + expectRecovered.round), 10_000, 'every client greeted again');
    for (const s of servers) expect((await fetch(`${s.base}/healthz`)).ok).toBe(true);
    // Broadcasts cross processes again: an incident created through C reaches A and B, once.
    const r = await waitFor(async () => {
      const res = await call(servers[C].base, 'POST', '/api/incidents', duty, incidentBody(new Date(Date.now() - 60_000).toISOString(), `恢复后 ${what}`));
      return res.status === 201 ? res : undefined;
    }, 20_000, 'an incident to be created after the outage');
    const isIt = (e: any) => String(e.incidentId) === String(r.body.incident.id);
    await waitFor(() => watchers.every((w) => w.count('incident.created', isIt) >= 1), 10_000, 'incident.created everywhere after the outage');
    await sleep(300);
    for (const w of watchers) expect(w.count('incident.created', isIt)).toBe(1);
    for (const s of servers) expect(s.log()).toMatch(/LISTEN connection was lost/);
  }
  expectRecovered.round = 0;

  /** Requests on every process while the database goes away, so connections are in use (checked out) when it does. */
  async function underLoad<T>(during: () => Promise<T>): Promise<T> {
    let on = true;
    const loops = servers.map(async (s) => {
      while (on) await call(s.base, 'GET', '/api/incidents', duty).catch(() => {});
    });
    try {
      await sleep(300);
      return await during();
    } finally {
      await sleep(300);
      on = false;
      await Promise.all(loops);
    }
  }

  it('every PostgreSQL connection of the processes cut under load: none dies, all LISTEN again, clients catch up', async () => {
    const cut = await underLoad(() => schema.cutConnections());
    expect(cut).toBeGreaterThanOrEqual(6); // a LISTEN and at least one busy connection per process
    expectRecovered.round++;
    await expectRecovered('connections cut');
  }, 90_000);

  it.skipIf(!restartTest)('PostgreSQL restarted under three running processes (BEACON_PG_RESTART_TEST=1)', async () => {
    const version = readdirSync('/etc/postgresql')[0];
    await underLoad(async () => execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'restart'], { stdio: 'inherit' }));
    expectRecovered.round++;
    await expectRecovered('restart');
  }, 120_000);
});
