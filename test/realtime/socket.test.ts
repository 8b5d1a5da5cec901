// The socket contract (DESIGN §6) against a real listening server: cookie-authenticated handshakes, `hello`,
// events reaching only the departments allowed to see them, resync after a reconnect through
// GET /api/events?after=, and a scheduler-driven deadline.missed delivered exactly once.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import type { BeaconEvent, Hello } from '../../shared/domain.ts';
import { chemicalPlant, dbKind, PASSWORD, startHarness, type Harness } from '../support/harness.ts';

let h: Harness;
let url: string;
beforeAll(async () => {
  h = await startHarness();
  url = await h.beacon.listen(0);
});
afterAll(() => h?.close());

// ---- helpers ---------------------------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `predicate` holds; fails with `what` after `ms`. */
async function waitFor(predicate: () => boolean, ms = 3000, what = 'condition'): Promise<void> {
  const until = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(10);
  }
}

interface Client {
  login: string;
  cookie: string;
  socket: Socket;
  /** Every `event` message received, in arrival order. */
  events: BeaconEvent[];
  hellos: Hello[];
  /** The highest event id seen on the socket (what a console keeps for resync). */
  lastSeenId(): number;
  /** Waits for a received event matching `match` and returns it. */
  next(match: (e: BeaconEvent) => boolean, what: string, ms?: number): Promise<BeaconEvent>;
}

const open: Socket[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.disconnect();
});

function rawSocket(cookie: string | undefined): Socket {
  const socket = io(url, {
    extraHeaders: cookie ? { cookie } : {},
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  open.push(socket);
  return socket;
}

/** Signs `login` in, connects with the session cookie and resolves once `hello` arrived (rooms are joined by then). */
async function connectAs(login: string): Promise<Client> {
  const cookie = await h.login(login);
  const socket = rawSocket(cookie);
  const events: BeaconEvent[] = [];
  const hellos: Hello[] = [];
  socket.on('event', (e: BeaconEvent) => events.push(e));
  socket.on('hello', (m: Hello) => hellos.push(m));
  const client: Client = {
    login,
    cookie,
    socket,
    events,
    hellos,
    lastSeenId: () => Math.max(0, ...events.map((e) => Number(e.id))),
    async next(match, what, ms = 3000) {
      await waitFor(() => events.some(match), ms, `${login} to receive ${what}`);
      return events.find(match)!;
    },
  };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${login}: no hello within 3 s`)), 3000);
    socket.once('connect_error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.once('hello', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return client;
}

/** Reconnects a client and resolves on its next `hello`. */
async function reconnect(c: Client): Promise<Hello> {
  const before = c.hellos.length;
  c.socket.connect();
  await waitFor(() => c.hellos.length > before, 3000, `${c.login} to get hello again`);
  return c.hellos[c.hellos.length - 1];
}

async function eventsOverHttp(cookie: string, after: number | string): Promise<BeaconEvent[]> {
  const res = await fetch(`${url}/api/events?after=${after}`, { headers: { cookie } });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { events: BeaconEvent[]; more: boolean };
  expect(body.more).toBe(false);
  return body.events;
}

async function createIncident(occurredAt: string, extra: Record<string, unknown> = {}) {
  const res = await h.api('POST', '/api/incidents', { as: 'duty', body: chemicalPlant(h.city, occurredAt, extra) });
  expect(res.status).toBe(201);
  return res.body.incident as { id: string; version: number; title: string; deadlines: { id: string; kind: string; dueAt: string; status: string }[] };
}

const aboutIncident = (id: string) => (e: BeaconEvent) =>
  e.incidentId === id || (e.payload as { incident?: { id?: string } }).incident?.id === id;

// ---- tests -----------------------------------------------------------------------------------------------------

describe(`socket contract on ${dbKind}`, () => {
  it('refuses a handshake without a valid session: connect_error "unauthorized", never connected', async () => {
    // Signed in and out directly (h.login would cache this cookie for later h.api calls as 'duty').
    const signIn = await h.beacon.app.request('/api/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'he.duty', password: PASSWORD }),
    });
    expect(signIn.status).toBe(200);
    const signedOut = signIn.headers.get('set-cookie')!.split(';')[0];
    const out = await h.beacon.app.request('/api/session', { method: 'DELETE', headers: { cookie: signedOut } });
    expect(out.status).toBeLessThan(300);

    const socketsBefore = h.beacon.io.of('/').sockets.size;
    for (const [label, cookie] of [
      ['no cookie', undefined],
      ['a bogus sid', 'sid=not-a-real-session'],
      ['a signed-out session', signedOut],
    ] as const) {
      const socket = rawSocket(cookie);
      let connected = false;
      let hello = false;
      socket.on('connect', () => (connected = true));
      socket.on('hello', () => (hello = true));
      const err = await new Promise<Error>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${label}: no connect_error within 3 s`)), 3000);
        socket.once('connect_error', (e) => {
          clearTimeout(timer);
          resolve(e);
        });
      });
      expect(err.message, label).toBe('unauthorized');
      expect(connected, label).toBe(false);
      expect(hello, label).toBe(false);
      expect(socket.connected, label).toBe(false);
      socket.disconnect();
    }
    expect(h.beacon.io.of('/').sockets.size).toBe(socketsBefore);
  });

  it('signing out over HTTP closes that session\'s live connection', async () => {
    const signIn = await h.beacon.app.request('/api/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'he.leader', password: PASSWORD }),
    });
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0];
    const socket = rawSocket(cookie);
    await new Promise<void>((resolve) => socket.once('hello', () => resolve()));
    expect(socket.connected).toBe(true);
    await h.beacon.app.request('/api/session', { method: 'DELETE', headers: { cookie } });
    await waitFor(() => !socket.connected, 3000, 'the socket to be closed');
  });

  it('greets a signed-in client with hello {serverNow from the server clock, user, lastEventId}', async () => {
    h.clock.set('2026-11-22T03:00:00Z');
    const c = await connectAs('em.leader');
    expect(c.socket.connected).toBe(true);
    expect(c.hellos).toHaveLength(1);
    const hello = c.hellos[0];
    expect(hello.serverNow).toBe('2026-11-22T03:00:00.000Z');
    expect(hello.user.login).toBe('em.leader');
    expect(hello.user.id).toBe(h.city.users['em.leader']);
    expect(hello.user.departmentId).toBe(h.city.depts.emergency);
    expect(hello.user.roles).toEqual(['leader']);
    // lastEventId is where a resync starts: nothing lies after it, and what the user can see lies at or before it.
    expect(hello.lastEventId).toMatch(/^\d+$/);
    expect(await eventsOverHttp(c.cookie, hello.lastEventId)).toEqual([]);
    const seen = await eventsOverHttp(await h.login('duty'), 0);
    for (const e of seen) expect(Number(e.id)).toBeLessThanOrEqual(Number(hello.lastEventId));

    // serverNow is read at connect time, not cached: a later connection sees the moved clock.
    h.clock.advance(90_000);
    const later = await connectAs('duty');
    expect(later.hellos[0].serverNow).toBe('2026-11-22T03:01:30.000Z');
    expect(later.hellos[0].user.login).toBe('duty');
  });

  it('pushes incident.created to the lead department as soon as the duty officer logs it', async () => {
    h.clock.set('2026-11-22T03:10:00Z');
    const em = await connectAs('em.leader');
    const before = Number(em.hellos[0].lastEventId);
    const incident = await createIncident('2026-11-22T03:00:00Z', { title: '实时推送测试' });

    const e = await em.next((x) => x.type === 'incident.created' && x.incidentId === incident.id, 'incident.created');
    expect((e.payload as any).incident.id).toBe(incident.id);
    expect((e.payload as any).incident.title).toBe('实时推送测试');
    expect(Number(e.id)).toBeGreaterThan(before);
    expect(e.at).toBe('2026-11-22T03:10:00.000Z');
    // The same event, by id, is what the log holds.
    const logged = (await eventsOverHttp(em.cookie, before)).filter((x) => x.type === 'incident.created' && x.incidentId === incident.id);
    expect(logged.map((x) => x.id)).toEqual([e.id]);
  });

  it('an unrelated department hears nothing about the incident and may not watch it; the lead may', async () => {
    h.clock.set('2026-11-22T03:20:00Z');
    const em = await connectAs('em.leader');
    const he = await connectAs('he.leader');
    const incident = await createIncident('2026-11-22T03:15:00Z', { title: '卫健委不该看到' });

    await em.next((x) => x.type === 'incident.created' && x.incidentId === incident.id, 'incident.created');
    await sleep(200);
    expect(he.events.filter(aboutIncident(incident.id))).toEqual([]);

    const denied = await he.socket.timeout(3000).emitWithAck('watch', { incidentId: incident.id });
    expect(denied.ok).toBe(false);
    const unknown = await em.socket.timeout(3000).emitWithAck('watch', { incidentId: '987654321' });
    expect(unknown.ok).toBe(false);
    const allowed = await em.socket.timeout(3000).emitWithAck('watch', { incidentId: incident.id });
    expect(allowed.ok).toBe(true);

    // A refused watch joined nothing: later changes still do not reach the unrelated department.
    const patched = await h.api('PATCH', `/api/incidents/${incident.id}`, { as: 'duty', body: { version: incident.version, title: '仍然不该看到' } });
    expect(patched.status).toBe(200);
    await em.next((x) => x.type === 'incident.updated' && x.incidentId === incident.id, 'incident.updated');
    await sleep(200);
    expect(he.events.filter(aboutIncident(incident.id))).toEqual([]);
  });

  it('a malformed or out-of-range watch is refused with an ack, and the connection and server stay up', async () => {
    const em = await connectAs('em.leader');
    for (const msg of [{ incidentId: 1e11 }, { incidentId: 'abc' }, { incidentId: -1 }, { incidentId: 1.5 }, {}, null]) {
      const ack = await em.socket.timeout(3000).emitWithAck('watch', msg);
      expect(ack.ok, JSON.stringify(msg)).toBe(false);
    }
    expect(em.socket.connected).toBe(true);
    const incident = await createIncident('2026-11-22T03:15:00Z');
    expect((await em.socket.timeout(3000).emitWithAck('watch', { incidentId: incident.id })).ok).toBe(true);
  });

  it('after a reconnect, GET /api/events?after=<last seen id> returns exactly the missed events, in order', async () => {
    h.clock.set('2026-11-22T03:30:00Z');
    const a = await connectAs('em.leader');
    const witness = await connectAs('em.leader'); // stays connected: what a was missing
    const first = await createIncident('2026-11-22T03:25:00Z', { title: '断线前' });
    await a.next((x) => x.type === 'incident.created' && x.incidentId === first.id, 'incident.created (before disconnect)');
    const lastId = a.lastSeenId();
    const hadIds = new Set(a.events.map((e) => e.id));

    a.socket.disconnect();
    await waitFor(() => !a.socket.connected, 1000, 'a to disconnect');
    const witnessFrom = witness.events.length;

    h.clock.set('2026-11-22T03:35:00Z');
    const patched = await h.api('PATCH', `/api/incidents/${first.id}`, { as: 'duty', body: { version: first.version, title: '断线时改了标题' } });
    expect(patched.status).toBe(200);
    const second = await createIncident('2026-11-22T03:33:00Z', { title: '断线时新建' });
    await witness.next((x) => x.type === 'incident.created' && x.incidentId === second.id, 'incident.created (while a was away)');
    const missedOnWitness = witness.events.slice(witnessFrom);
    // The changes really were missed on a's socket.
    expect(a.events.filter((e) => Number(e.id) > lastId)).toEqual([]);

    const hello = await reconnect(a);
    expect(Number(hello.lastEventId)).toBeGreaterThan(lastId);

    const missed = await eventsOverHttp(a.cookie, lastId);
    expect(missed.map((e) => [e.type, e.incidentId])).toEqual([
      ['incident.updated', first.id],
      ['incident.created', second.id],
    ]);
    const ids = missed.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => id > lastId)).toBe(true);
    expect(missed.filter((e) => hadIds.has(e.id))).toEqual([]);
    expect((missed[0].payload as any).changes.title).toEqual({ from: '断线前', to: '断线时改了标题' });
    // Exactly what a connected client of the same user received live, and the resync reaches hello's lastEventId.
    expect(missed).toEqual(missedOnWitness);
    expect(missed[missed.length - 1].id).toBe(hello.lastEventId);
  });

  it('deadline.missed reaches a watching lead exactly once, and a second scheduler pass sends nothing', async () => {
    h.clock.set('2026-11-22T04:00:00Z');
    const now = h.clock.now().getTime();
    const occurredAt = new Date(now - (4 * 3600 + 59 * 60 + 50) * 1000).toISOString();
    const em = await connectAs('em.leader');
    const incident = await createIncident(occurredAt, { title: '十秒后逾期' });
    const first = incident.deadlines.find((d) => d.kind === 'first_release')!;
    expect(first.status).toBe('pending');
    expect(first.dueAt).toBe(new Date(now + 10_000).toISOString());
    expect((await em.socket.timeout(3000).emitWithAck('watch', { incidentId: incident.id })).ok).toBe(true);

    const isMiss = (e: BeaconEvent) => e.type === 'deadline.missed' && (e.payload as any).deadline?.id === first.id;
    // Not due yet: a pass now fires nothing for it.
    await h.beacon.scheduler.runDue();
    expect(em.events.filter(isMiss)).toEqual([]);

    h.clock.advance(11_000);
    expect(await h.beacon.scheduler.runDue()).toBeGreaterThanOrEqual(1);
    const miss = await em.next(isMiss, 'deadline.missed');
    expect(miss.incidentId).toBe(incident.id);
    expect((miss.payload as any).deadline.kind).toBe('first_release');
    expect((miss.payload as any).deadline.status).toBe('missed');
    expect((miss.payload as any).escalatedTo).toContain(h.city.users['em.leader']);

    expect(await h.beacon.scheduler.runDue()).toBe(0);
    // Sync point: a later event for the same incident; anything sent before it has arrived by then.
    const patched = await h.api('PATCH', `/api/incidents/${incident.id}`, { as: 'duty', body: { version: incident.version, title: '逾期之后' } });
    expect(patched.status).toBe(200);
    await em.next((x) => x.type === 'incident.updated' && x.incidentId === incident.id, 'incident.updated (sync point)');
    expect(em.events.filter(isMiss)).toHaveLength(1);
    // And the log holds it once.
    const logged = (await eventsOverHttp(em.cookie, 0)).filter(isMiss);
    expect(logged.map((e) => e.id)).toEqual([miss.id]);
  });
});
