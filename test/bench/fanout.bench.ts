// Live fan-out: how long an event takes from the moment it is published on the in-process bus (right after its
// transaction commits) to its arrival at each of 1,000 and 5,000 connected console clients, beside a bare socket.io
// server (no Beacon: no auth, no rooms) in the same process broadcasting the same serialized event objects to the
// same number of clients in the same run. Goal: Beacon within 1.5× of bare socket.io.
//
// How:
// - One Beacon (PostgreSQL when BENCH_DATABASE_URL/TEST_DATABASE_URL is set, else PGlite; the database plays no part
//   in the measured path) on 127.0.0.1, port 0, the city of test/support/harness.ts. Six users of the three
//   departments that see the incident (office and publicity coordinate, emergency leads it) sign in over HTTP; each
//   client uses one of their real session cookies (round robin). Ten more clients signed in as health and police
//   users (who may not see the incident) are a control group: they must receive nothing.
// - Clients are socket.io-client over the websocket transport, in worker_threads (BENCH_CLIENT_WORKERS [1]) of this
//   process, so the clients' decoding runs beside the server's event loop rather than on it. The machine has 2 cores:
//   the server's thread and the client thread each get about one; more client workers would only contend.
// - An event is a real change: `patchIncident` (the service the PATCH route calls) retitles the incident, as the
//   emergency duty officer. t0 is taken when the committed event reaches `bus.publish` (wrapped here), so the latency
//   covers every bus listener, the hub's room lookup and socket.io's encoding and writes, and the client's decoding.
//   The bare server then emits each of those same wire objects (`toWireEvent` of the committed row) with
//   `io.emit('event', wire)`; t0 is taken just before the emit call.
// - Receipt times are `performance.timeOrigin + performance.now()` in the worker, corrected by the offset measured
//   with pings (min-RTT sample). Rounds are paced: the next event goes out once every client has the previous one.
//   The first BENCH_FANOUT_WARMUP [5] rounds of each phase are not counted.
//
// Correctness (the only thing that fails the run): every counted client receives every event exactly once, and the
// control group nothing, on both servers.
//
// Knobs: BENCH_FANOUT_CLIENTS [1000,5000], BENCH_FANOUT_ROUNDS [40 for ≤1000 clients, 30 above], BENCH_CLIENT_WORKERS.
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { Server } from 'socket.io';
import { createBeacon, type Beacon } from '../../server/beacon.ts';
import { actorForSession } from '../../server/auth/service.ts';
import { toWireEvent } from '../../server/audit/event-log.ts';
import { patchIncident } from '../../server/incidents/service.ts';
import type { EventRow } from '../../server/audit/event-log.ts';
import { chemicalPlant, PASSWORD, seedCity, silentLog } from '../support/harness.ts';
import { benchDatabases, fmtMs, percentile, sleep, table, type Bench } from './bench.ts';

const SIZES = (process.env.BENCH_FANOUT_CLIENTS ?? '1000,5000').split(',').map((s) => Number(s.trim()));
const WORKERS = Math.max(1, Number(process.env.BENCH_CLIENT_WORKERS ?? 1));
const WARMUP = Number(process.env.BENCH_FANOUT_WARMUP ?? 5);
const roundsFor = (n: number) => Number(process.env.BENCH_FANOUT_ROUNDS ?? (n <= 1000 ? 40 : 30));
const CONTROL = 10;
const CONNECT_BATCH = 250;
const ROUND_TIMEOUT_MS = 15_000;
const GOAL_RATIO = 1.5;
/** Logins whose departments see the incident (office, publicity: coordinating; emergency: lead). */
const SEEING = ['duty', 'leader', 'admin', 'spokes', 'em.duty', 'em.leader'];
/** Logins whose departments do not (health, police). */
const NOT_SEEING = ['he.leader', 'po.analyst'];

const now = () => performance.timeOrigin + performance.now();

/** File descriptors this process may open (soft limit), from /proc; Infinity when unknown. */
function openFileLimit(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    return soft && /^\d+$/.test(soft) ? Number(soft) : Infinity;
  } catch {
    return Infinity;
  }
}

/** A worker thread running a .ts module: tsx's loader does not follow into worker threads by itself on Node 20. */
export function tsWorker(url: URL): Worker {
  const code = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(code, { eval: true });
}

/** The client threads, with request/response over postMessage and the stream of 'got' notices. */
class Clients {
  #workers: Worker[];
  #got = new Map<string, number>();
  #waiters = new Map<string, () => void>();
  #inbox = new Map<Worker, ((m: any) => void)[]>();
  /** Per worker: its clock minus ours. */
  offsets: number[] = [];

  constructor(count: number) {
    this.#workers = Array.from({ length: count }, () => tsWorker(new URL('./socket-clients.ts', import.meta.url)));
    for (const w of this.#workers) {
      this.#inbox.set(w, []);
      w.on('message', (m: { type: string; id?: string }) => {
        if (m.type === 'got') {
          const n = (this.#got.get(m.id!) ?? 0) + 1;
          this.#got.set(m.id!, n);
          if (n === this.#active) this.#waiters.get(m.id!)?.();
          return;
        }
        this.#inbox.get(w)!.shift()?.(m);
      });
      w.on('error', (err) => console.error('client worker failed', err));
    }
  }

  /** Workers that hold counted clients in the current phase. */
  #active = 0;

  #ask<T>(w: Worker, msg: unknown): Promise<T> {
    return new Promise((resolve) => {
      this.#inbox.get(w)!.push(resolve);
      w.postMessage(msg);
    });
  }

  async measureOffsets(): Promise<void> {
    this.offsets = [];
    for (const w of this.#workers) {
      let best = { rtt: Infinity, offset: 0 };
      for (let i = 0; i < 30; i++) {
        const t = now();
        const pong = await this.#ask<{ t: number; w: number }>(w, { cmd: 'ping', t });
        const back = now();
        if (back - t < best.rtt) best = { rtt: back - t, offset: pong.w - (t + back) / 2 };
      }
      this.offsets.push(best.offset);
    }
  }

  /** Spreads the clients over the workers (round robin); resolves when every one is ready. */
  async connect(url: string, cookies: string[], counted: boolean[], greeting: 'hello' | 'connect') {
    this.#got.clear();
    const parts = this.#workers.map((_, k) => ({
      cookies: cookies.filter((_, i) => i % this.#workers.length === k),
      counted: counted.filter((_, i) => i % this.#workers.length === k),
    }));
    this.#active = parts.filter((p) => p.counted.some(Boolean)).length;
    const results = await Promise.all(
      this.#workers.map((w, k) =>
        this.#ask<{ ok: number; failed: number; ms: number }>(w, {
          cmd: 'connect',
          url,
          ...parts[k],
          greeting,
          batch: Math.ceil(CONNECT_BATCH / this.#workers.length),
        }),
      ),
    );
    return { ok: results.reduce((a, r) => a + r.ok, 0), failed: results.reduce((a, r) => a + r.failed, 0), ms: Math.max(...results.map((r) => r.ms)) };
  }

  /** Resolves true when every counted client has event `id`, false after the timeout. */
  waitFor(id: string, timeoutMs: number): Promise<boolean> {
    if ((this.#got.get(id) ?? 0) >= this.#active) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(id);
        resolve(false);
      }, timeoutMs);
      this.#waiters.set(id, () => {
        clearTimeout(timer);
        this.#waiters.delete(id);
        resolve(true);
      });
    });
  }

  /** Receipt times per event id, on our clock; plus control-group receipts and duplicates. */
  async collect() {
    const byId = new Map<string, number[]>();
    let leaked = 0;
    let duplicates = 0;
    await Promise.all(
      this.#workers.map(async (w, k) => {
        const r = await this.#ask<{ receipts: [string, number[]][]; leaked: number; duplicates: number }>(w, { cmd: 'collect' });
        leaked += r.leaked;
        duplicates += r.duplicates;
        for (const [id, times] of r.receipts) {
          const list = byId.get(id) ?? [];
          for (const t of times) list.push(t - this.offsets[k]);
          byId.set(id, list);
        }
      }),
    );
    return { byId, leaked, duplicates };
  }

  async disconnect() {
    await Promise.all(this.#workers.map((w) => this.#ask(w, { cmd: 'disconnect' })));
  }

  async close() {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}

interface Phase {
  /** Per (event, client): receipt − publish, ms. */
  latencies: number[];
  /** Per event: the last client's latency. */
  last: number[];
  /** Per event: how long the synchronous publish/emit call itself took. */
  emitMs: number[];
  problems: string[];
  connectMs: number;
}

function summarise(published: Map<string, number>, ids: string[], got: Awaited<ReturnType<Clients['collect']>>, expected: number): Omit<Phase, 'emitMs' | 'connectMs'> {
  const latencies: number[] = [];
  const last: number[] = [];
  const problems: string[] = [];
  for (const id of ids) {
    const times = got.byId.get(id) ?? [];
    if (times.length !== expected) problems.push(`event ${id}: ${times.length} of ${expected} clients`);
    const t0 = published.get(id)!;
    let max = 0;
    for (const t of times) {
      latencies.push(t - t0);
      max = Math.max(max, t - t0);
    }
    last.push(max);
  }
  if (got.leaked) problems.push(`${got.leaked} events reached clients that may not see them`);
  if (got.duplicates) problems.push(`${got.duplicates} events arrived twice on one socket`);
  latencies.sort((a, b) => a - b);
  last.sort((a, b) => a - b);
  return { latencies, last, problems };
}

async function signIn(base: string, login: string): Promise<string> {
  const res = await fetch(`${base}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password: PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`sign-in ${login}: ${res.status} ${await res.text()}`);
  return res.headers.get('set-cookie')!.split(';')[0];
}

async function beaconPhase(beacon: Beacon, base: string, clients: Clients, n: number, incidentId: number, cookies: { seeing: string[]; notSeeing: string[]; dutySid: string }, wires: ReturnType<typeof toWireEvent>[]): Promise<Phase> {
  const ctx = beacon.ctx;
  const all = [...Array.from({ length: n }, (_, i) => cookies.seeing[i % cookies.seeing.length]), ...Array.from({ length: CONTROL }, (_, i) => cookies.notSeeing[i % cookies.notSeeing.length])];
  const counted = all.map((_, i) => i < n);
  const conn = await clients.connect(base, all, counted, 'hello');
  if (conn.failed) throw new Error(`${conn.failed} of ${all.length} clients could not connect to the Beacon`);

  // t0: the committed event reaching the bus (every listener, the hub's included, runs inside this call).
  const published = new Map<string, number>();
  const emitMs: number[] = [];
  const bus = ctx.bus;
  const original = bus.publish.bind(bus);
  bus.publish = (events: EventRow[]) => {
    const t0 = now();
    for (const e of events) published.set(String(e.id), t0);
    original(events);
    emitMs.push(now() - t0);
    for (const e of events) wires.push(toWireEvent(e));
  };
  const actor = (await actorForSession(ctx, cookies.dutySid))!;
  const ids: string[] = [];
  const problems: string[] = [];
  try {
    const rounds = WARMUP + roundsFor(n);
    let version = (await ctx.db.selectFrom('incidents').select('version').where('id', '=', incidentId).executeTakeFirstOrThrow()).version;
    for (let r = 0; r < rounds; r++) {
      const before = wires.length;
      const incident = await patchIncident(ctx, actor, incidentId, { version, title: `城东化工园区储罐爆炸（第${n}-${r}次更新）` });
      version = incident.version;
      if (wires.length !== before + 1) problems.push(`round ${r}: ${wires.length - before} events published, expected 1`);
      const id = wires[wires.length - 1].id;
      if (!(await clients.waitFor(id, ROUND_TIMEOUT_MS))) problems.push(`round ${r}: not every client had event ${id} after ${ROUND_TIMEOUT_MS} ms`);
      if (r >= WARMUP) ids.push(id);
      await sleep(30);
    }
  } finally {
    bus.publish = original;
  }
  await sleep(200); // a late duplicate would show up
  const got = await clients.collect();
  await clients.disconnect();
  const s = summarise(published, ids, got, n);
  return { ...s, problems: [...problems, ...s.problems], emitMs: emitMs.slice(WARMUP).sort((a, b) => a - b), connectMs: conn.ms };
}

async function barePhase(clients: Clients, n: number, wires: ReturnType<typeof toWireEvent>[]): Promise<Phase> {
  const http: HttpServer = createServer();
  const io = new Server(http, { serveClient: false });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const conn = await clients.connect(url, Array(n).fill(''), Array(n).fill(true), 'connect');
  if (conn.failed) throw new Error(`${conn.failed} of ${n} clients could not connect to the bare server`);
  const published = new Map<string, number>();
  const emitMs: number[] = [];
  const ids: string[] = [];
  const problems: string[] = [];
  for (let r = 0; r < wires.length; r++) {
    const wire = wires[r];
    const t0 = now();
    published.set(wire.id, t0);
    io.emit('event', wire);
    emitMs.push(now() - t0);
    if (!(await clients.waitFor(wire.id, ROUND_TIMEOUT_MS))) problems.push(`round ${r}: not every client had event ${wire.id}`);
    if (r >= WARMUP) ids.push(wire.id);
    await sleep(30);
  }
  await sleep(200);
  const got = await clients.collect();
  await clients.disconnect();
  await new Promise<void>((r) => io.close(() => r()));
  const s = summarise(published, ids, got, n);
  return { ...s, problems: [...problems, ...s.problems], emitMs: emitMs.slice(WARMUP).sort((a, b) => a - b), connectMs: conn.ms };
}

const bench: Bench = {
  name: 'fanout',
  description: `live fan-out of a committed event to ${SIZES.join(' and ')} socket.io clients (websocket, real sessions) beside a bare socket.io server`,
  async run() {
    const limit = openFileLimit();
    const dbs = benchDatabases();
    const db = dbs[dbs.length - 1];
    const testDb = await db.open();
    const beacon = await createBeacon({ handle: testDb.handle, log: silentLog, runScheduler: false });
    const clients = new Clients(WORKERS);
    const rows: (string | number)[][] = [];
    const notes: string[] = [];
    let ok = true;
    // Other processes on this 2-core machine (test suites, builds) show up here; figures taken under load are not comparable.
    notes.push(`load average at start ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    try {
      const city = await seedCity(beacon);
      const base = await beacon.listen(0, '127.0.0.1');
      const seeing = await Promise.all(SEEING.map((l) => signIn(base, l)));
      const notSeeing = await Promise.all(NOT_SEEING.map((l) => signIn(base, l)));
      const dutyCookie = seeing[SEEING.indexOf('em.duty')];
      const created = await fetch(`${base}/api/incidents`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: dutyCookie },
        body: JSON.stringify(chemicalPlant(city, new Date(Date.now() - 10 * 60_000).toISOString())),
      });
      if (created.status !== 201) throw new Error(`create incident: ${created.status} ${await created.text()}`);
      const incidentId = Number(((await created.json()) as { incident: { id: string } }).incident.id);
      await clients.measureOffsets();
      console.log(`   database ${db.kind}; clients in ${WORKERS} worker thread(s) of this process; open-file limit ${limit}; thread clock offsets ${clients.offsets.map((o) => o.toFixed(3)).join(', ')} ms`);

      for (const n of SIZES) {
        // Each connection is two descriptors here (client and server end), plus the database, workers and slack.
        const need = 2 * (n + CONTROL) + 300;
        if (need > limit) {
          notes.push(`${n} clients skipped: needs about ${need} open files, the limit is ${limit} (raise ulimit -n)`);
          rows.push([n, '-', '-', '-', '-', '-', '-', '-', '-', 'skipped']);
          continue;
        }
        const wires: ReturnType<typeof toWireEvent>[] = [];
        const b = await beaconPhase(beacon, base, clients, n, incidentId, { seeing, notSeeing, dutySid: dutyCookie.split('=')[1] }, wires);
        const bare = await barePhase(clients, n, wires);
        if (process.env.BENCH_TRACE === '1') {
          console.log(`   trace ${n}: beacon last-client per round ${b.last.map((x) => x.toFixed(0)).join(' ')}`);
          console.log(`   trace ${n}: bare   last-client per round ${bare.last.map((x) => x.toFixed(0)).join(' ')}`);
          console.log(`   trace ${n}: emit beacon ${b.emitMs.map((x) => x.toFixed(0)).join(' ')} / bare ${bare.emitMs.map((x) => x.toFixed(0)).join(' ')}`);
        }
        const problems = [...b.problems.map((p) => `beacon: ${p}`), ...bare.problems.map((p) => `bare: ${p}`)];
        ok &&= problems.length === 0;
        for (const p of problems.slice(0, 10)) console.log(`   PROBLEM (${n} clients) ${p}`);
        const p50 = percentile(b.latencies, 50);
        const p99 = percentile(b.latencies, 99);
        const bp50 = percentile(bare.latencies, 50);
        const bp99 = percentile(bare.latencies, 99);
        rows.push([
          n,
          fmtMs(p50),
          fmtMs(p99),
          fmtMs(bp50),
          fmtMs(bp99),
          `${(p50 / bp50).toFixed(2)}×`,
          `${(p99 / bp99).toFixed(2)}×`,
          `${fmtMs(percentile(b.last, 50))} / ${fmtMs(percentile(bare.last, 50))}`,
          `${fmtMs(percentile(b.emitMs, 50))} / ${fmtMs(percentile(bare.emitMs, 50))}`,
          `${roundsFor(n)} × ${n}`,
        ]);
        notes.push(
          `${n} clients: connect ${(b.connectMs / 1000).toFixed(1)} s (Beacon: session lookup + hello per handshake) / ${(bare.connectMs / 1000).toFixed(1)} s (bare); ` +
            `event ${Buffer.byteLength(JSON.stringify(wires[0]))} bytes of JSON; p99 ratio ${(p99 / bp99).toFixed(2)}× (goal ≤ ${GOAL_RATIO}×: ${p99 / bp99 <= GOAL_RATIO ? 'met' : 'NOT met'})`,
        );
      }
    } finally {
      await clients.close();
      await beacon.stop();
      await testDb.handle.close();
      await testDb.drop();
    }
    notes.push(`load average at end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log(
      table(
        ['clients', 'beacon p50 ms', 'beacon p99 ms', 'bare p50 ms', 'bare p99 ms', 'ratio p50', 'ratio p99', 'last client p50 ms (beacon / bare)', 'emit call p50 ms (beacon / bare)', 'samples'],
        rows,
      ),
    );
    for (const n of notes) console.log(`   ${n}`);
    return { ok };
  },
};

export default bench;
