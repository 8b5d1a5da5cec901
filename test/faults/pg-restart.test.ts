// PostgreSQL stopped and started again under a running `server/main.ts` process (a restart with a gap long enough to
// watch: `pg_ctlcluster --skip-systemctl-redirect <version> main stop` (fast mode), a few seconds, `… start`):
// - the process stays alive; /healthz answers 503 while PostgreSQL is down and 200 after, by itself;
// - a write while it is down fails promptly with an error answer (no hang), and writes succeed again after, without a
//   restart of Beacon;
// - a socket client that stayed connected is greeted again (the adapter LISTENs again) and its catch-up from
//   /api/events holds what was committed after the outage; a client that dropped during the outage reconnects once
//   PostgreSQL is back and its catch-up holds what it missed; both then hear a new event live, once;
// - the audit chain verifies.
//
// ONLY with BEACON_PG_RESTART_TEST=1 and TEST_DATABASE_URL: it stops the shared PostgreSQL that every other suite
// uses, so it never runs by default. (test/e2e/multiprocess.test.ts has the three-process variant.)
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { allEvents, call, FaultServer, pgUrl, seedFaultCity, sleep, waitFor } from '../support/faults.ts';

const enabled = process.env.BEACON_PG_RESTART_TEST === '1';
if (!enabled || !pgUrl) {
  console.warn(
    'test/faults/pg-restart.test.ts skipped: it stops and starts the shared PostgreSQL; run it alone with ' +
      'BEACON_PG_RESTART_TEST=1 TEST_DATABASE_URL=postgres://… npx vitest run test/faults/pg-restart.test.ts',
  );
}

function pgctl(action: 'stop' | 'start') {
  const version = readdirSync('/etc/postgresql')[0];
  // stop: pg_ctlcluster's default "fast" mode (roll back, disconnect everyone), as a restart does.
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', action], { stdio: 'inherit', timeout: 60_000 });
}

/** A console-like client: records events and greetings; reconnects only when told. */
function client(base: string, cookie: string) {
  const socket: Socket = io(base, { extraHeaders: { cookie }, transports: ['websocket'], reconnection: false, forceNew: true, autoConnect: false });
  const events: any[] = [];
  const hellos: any[] = [];
  socket.on('event', (e) => events.push(e));
  socket.on('hello', (h) => hellos.push(h));
  const lastId = () => Math.max(0, ...events.map((e) => Number(e.id)));
  /** What the console does on each hello: fetch the events after the last one it has. */
  const catchUp = async () => {
    const missed = await allEvents(base, cookie, lastId());
    for (const e of missed) if (!events.some((x) => x.id === e.id)) events.push(e);
    return missed;
  };
  const connect = async () => {
    const greeted = hellos.length;
    socket.connect();
    await waitFor(() => hellos.length > greeted, 15_000, 'hello');
  };
  return { socket, events, hellos, lastId, catchUp, connect, count: (type: string, match: (e: any) => boolean) => events.filter((e) => e.type === type && match(e)).length };
}

describe.skipIf(!enabled || !pgUrl)('PostgreSQL restarted under a running server', () => {
  const server = new FaultServer('pg-restart');
  let pgDown = false;

  afterAll(async () => {
    if (pgDown) pgctl('start');
    await server.stop().catch(() => {});
    await server.cleanup();
  }, 60_000);

  it('keeps running, reports the outage on /healthz, and recovers writes and live clients by itself', async () => {
    await server.start();
    const city = await seedFaultCity(server.base);
    const incident = (title: string) =>
      call(server.base, 'POST', '/api/incidents', city.duty, {
        title,
        category: 'accident',
        severity: 'III',
        occurredAt: new Date(Date.now() - 600_000).toISOString(),
        leadDepartmentId: city.em.id,
      });
    const stays = client(server.base, city.emlead);
    const drops = client(server.base, city.emlead);
    await stays.connect();
    await drops.connect();
    const before = await incident('停电前的事件');
    expect(before.status).toBe(201);
    const isCreated = (id: string) => (e: any) => String(e.incidentId) === String(id);
    await waitFor(() => stays.count('incident.created', isCreated(before.body.incident.id)) === 1 && drops.count('incident.created', isCreated(before.body.incident.id)) === 1, 10_000, 'the first incident live');

    // Down.
    const downAt = Date.now();
    pgDown = true;
    pgctl('stop');
    drops.socket.disconnect();
    const unhealthy = await waitFor(async () => {
      const r = await fetch(`${server.base}/healthz`);
      return r.status === 503 ? await r.json() : undefined;
    }, 15_000, '/healthz to report the outage');
    expect(unhealthy.ok).toBe(false);
    const t = Date.now();
    const whileDown = await incident('停库期间的写入');
    expect(whileDown.status).toBeGreaterThanOrEqual(500);
    expect(Date.now() - t, 'a write while PostgreSQL is down answers promptly').toBeLessThan(10_000);
    await sleep(2000);
    expect(server.proc!.alive(), `the process died while PostgreSQL was down\n${server.logs()}`).toBe(true);

    // Up again.
    pgctl('start');
    pgDown = false;
    const upAt = Date.now();
    await waitFor(async () => (await fetch(`${server.base}/healthz`)).ok, 30_000, () => `/healthz ok after the restart\n${server.logs()}`);
    const healthyAfterMs = Date.now() - upAt;
    let failedWrites = 0;
    const after = await waitFor(
      async () => {
        const r = await incident('恢复后的事件');
        if (r.status === 201) return r;
        failedWrites++;
        return undefined;
      },
      20_000,
      () => `a write to succeed after the restart\n${server.logs()}`,
    );
    const afterId = after.body.incident.id;
    expect(failedWrites, 'writes still failing well after /healthz recovered').toBeLessThanOrEqual(10);

    // The client that stayed connected: greeted again once the adapter LISTENs again; its catch-up has the new incident.
    await waitFor(() => stays.hellos.length >= 2, 30_000, () => `a second hello for the connected client\n${server.logs()}`);
    await stays.catchUp();
    expect(stays.count('incident.created', isCreated(afterId))).toBe(1);

    // The client that dropped: reconnects now, and what it missed is in its catch-up.
    const lastBefore = drops.lastId();
    await drops.connect();
    expect(Number(drops.hellos.at(-1).lastEventId)).toBeGreaterThan(lastBefore);
    const missed = await drops.catchUp();
    expect(missed.filter((e) => e.type === 'incident.created' && isCreated(afterId)(e))).toHaveLength(1);

    // Live again for both, once each.
    const live = await incident('恢复后的第二个事件');
    expect(live.status).toBe(201);
    const liveId = live.body.incident.id;
    await waitFor(() => stays.count('incident.created', isCreated(liveId)) === 1 && drops.count('incident.created', isCreated(liveId)) === 1, 10_000, 'the live event at both clients');
    await sleep(500);
    expect(stays.count('incident.created', isCreated(liveId))).toBe(1);
    expect(drops.count('incident.created', isCreated(liveId))).toBe(1);
    // The write refused during the outage left nothing behind.
    const titles = (await call(server.base, 'GET', '/api/incidents', city.duty)).body.items.map((i: any) => i.title);
    expect(titles).not.toContain('停库期间的写入');

    const verify = await call(server.base, 'GET', '/api/audit/verify', city.admin);
    expect(verify.body.ok, JSON.stringify(verify.body)).toBe(true);
    expect(server.proc!.alive()).toBe(true);
    stays.socket.close();
    drops.socket.close();
    console.log(
      `pg-restart: down ${((upAt - downAt) / 1000).toFixed(1)} s; /healthz ok ${healthyAfterMs} ms after start; ` +
        `${failedWrites} write(s) failed after that before one succeeded; connected client greeted ${stays.hellos.length} times`,
    );
  }, 150_000);
});
