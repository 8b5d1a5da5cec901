// Soak: a real `server/main.ts` process (child process) for SOAK_SECONDS (default 600) with 200 connected socket.io
// clients, 50 opinion items a second through a push source (10 items every 200 ms) and an incident updated every 2 s.
// Memory: the server's RSS from /proc/<pid>/status and its V8 heap from its own /metrics (prom-client), sampled every
// 10 s. Verdict "memory flat" when the end RSS is within +20 % of the RSS after warm-up (the first quarter of the run,
// 20 to 60 s), with the slope (least squares over the samples after warm-up) in MB/min.
// Events: each client's received ids against GET /api/events for its user (after the client's hello.lastEventId up
// to the last event once the load has stopped): none lost, none twice, none it may not see. Users of four kinds see
// different events: analysts and leaders hear opinion items; the office (coordinating) and the lead department hear
// the incident; the health leaders hear no incident.
//
// Database: PostgreSQL (a schema of its own, dropped afterwards) when BENCH_DATABASE_URL or TEST_DATABASE_URL is set,
// else PGlite in a temporary data directory; SOAK_DB=pglite forces PGlite. Knobs: SOAK_SECONDS, SOAK_CLIENTS,
// SOAK_ITEMS_PER_SECOND. ok is false when an event or item is lost or doubled, the server dies, or memory is not flat.
import { readFileSync } from 'node:fs';
import { io, type Socket } from 'socket.io-client';
import { allEvents, call, chinesePosts, FaultServer, seedFaultCity, signIn, sleep } from '../support/faults.ts';
import { percentile, table, type Bench } from './bench.ts';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const CLIENTS = Number(process.env.SOAK_CLIENTS ?? 200);
const RATE = Number(process.env.SOAK_ITEMS_PER_SECOND ?? 50);
const SAMPLE_MS = 10_000;
const PUSH_EVERY_MS = 200;
const UPDATE_EVERY_MS = 2000;
const WARMUP_S = Math.min(60, Math.max(20, SECONDS / 4));
const FLAT_LIMIT = 1.2;

interface Sample {
  t: number; // seconds since the load started
  rssMb: number;
  heapMb: number;
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function heapMb(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const m = /^nodejs_heap_size_used_bytes (\S+)$/m.exec(text);
  return m ? Number(m[1]) / 1024 / 1024 : NaN;
}

/** Least-squares slope of y over x. */
function slope(points: [number, number][]): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  const num = points.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0);
  const den = points.reduce((s, p) => s + (p[0] - mx) ** 2, 0);
  return den ? num / den : NaN;
}

interface Client {
  user: string;
  socket: Socket;
  from: number; // hello.lastEventId: it must get every event of its user after this
  ids: Map<number, number>; // event id → times received
  disconnects: number;
}

function connectClient(base: string, user: string, cookie: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = io(base, { extraHeaders: { cookie }, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 30_000 });
    const client: Client = { user, socket, from: -1, ids: new Map(), disconnects: 0 };
    socket.on('event', (e: { id: string }) => {
      const id = Number(e.id);
      client.ids.set(id, (client.ids.get(id) ?? 0) + 1);
    });
    socket.on('disconnect', () => client.disconnects++);
    socket.once('hello', (h: { lastEventId: string }) => {
      client.from = Number(h.lastEventId);
      resolve(client);
    });
    socket.once('connect_error', (err) => reject(err));
  });
}

const bench: Bench = {
  name: 'soak',
  description: `${SECONDS} s: ${CLIENTS} socket clients, ${RATE} items/s pushed, an incident update every ${UPDATE_EVERY_MS / 1000} s; server RSS and heap`,
  async run() {
    const url = process.env.SOAK_DB === 'pglite' ? undefined : process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || undefined;
    const server = new FaultServer('soak', {}, url);
    try {
      return await soak(server, url ? 'postgres' : 'pglite');
    } finally {
      await server.stop().catch(() => {});
      await server.cleanup();
    }
  },
};

async function soak(server: FaultServer, kind: string) {
  await server.start();
  const base = server.base;
  const pid = server.pid;
  const city = await seedFaultCity(base);

  // Users of four kinds (see the header), 4 of each, each signed in once; the clients spread over their sessions.
  const admin = city.admin;
  const kinds: [string, string, string[]][] = [
    ['an', city.office.id, ['analyst']],
    ['ol', city.office.id, ['duty_officer']],
    ['el', city.em.id, ['leader']],
    ['hl', city.health.id, ['leader']],
  ];
  const sessions: { user: string; cookie: string }[] = [];
  for (const [prefix, dept, roles] of kinds) {
    for (let i = 1; i <= 4; i++) {
      const login = `${prefix}${i}`;
      const r = await call(base, 'POST', '/api/users', admin, { login, name: login, password: 'long-enough-pw', departmentId: dept, roles });
      if (r.status !== 201) throw new Error(`user ${login}: ${r.status} ${JSON.stringify(r.body)}`);
      sessions.push({ user: login, cookie: await signIn(base, login) });
    }
  }
  const clients: Client[] = [];
  for (let i = 0; i < CLIENTS; i += 20) {
    clients.push(...(await Promise.all(Array.from({ length: Math.min(20, CLIENTS - i) }, (_, j) => sessions[(i + j) % sessions.length]).map((s) => connectClient(base, s.user, s.cookie)))));
  }

  const source = await call(base, 'POST', '/api/opinion/sources', city.analyst, { name: '12345热线推送', kind: 'push' });
  if (source.status !== 201) throw new Error(`push source: ${source.status} ${JSON.stringify(source.body)}`);
  const token = source.body.source.token as string;
  const sourceId = String(source.body.source.id);
  const created = await call(base, 'POST', '/api/incidents', city.duty, {
    title: '滨江区持续强降雨',
    category: 'natural_disaster',
    severity: 'III',
    occurredAt: new Date(Date.now() - 3600_000).toISOString(),
    leadDepartmentId: city.em.id,
  });
  if (created.status !== 201) throw new Error(`incident: ${created.status} ${JSON.stringify(created.body)}`);
  const incidentId = created.body.incident.id;
  let version = created.body.incident.version as number;

  const samples: Sample[] = [];
  const started = Date.now();
  const elapsed = () => (Date.now() - started) / 1000;
  const sample = async () => samples.push({ t: elapsed(), rssMb: rssMb(pid), heapMb: await heapMb(base) });
  await sample();
  console.log(`soak on ${kind}: server pid ${pid}, ${clients.length} clients connected, start RSS ${samples[0].rssMb.toFixed(1)} MB`);

  // The load.
  const perPush = Math.max(1, Math.round((RATE * PUSH_EVERY_MS) / 1000));
  const pushLatency: number[] = [];
  let pushed = 0;
  let pushErrors = 0;
  let updates = 0;
  let updateErrors = 0;
  let running = true;
  const pool = chinesePosts(997, 'soak');
  const pusher = (async () => {
    let n = 0;
    let next = Date.now();
    while (running) {
      const batch = Array.from({ length: perPush }, () => {
        const p = pool[n % pool.length];
        const i = n++;
        return { externalId: `soak-${i}`, title: p.title, content: `${p.text}（推送${i}）` };
      });
      const t = performance.now();
      const r = await call(base, 'POST', `/api/opinion/push/${token}`, null, batch).catch(() => null);
      pushLatency.push(performance.now() - t);
      if (r?.status === 201 && r.body.added === batch.length) pushed += batch.length;
      else pushErrors++;
      next += PUSH_EVERY_MS;
      await sleep(Math.max(0, next - Date.now()));
    }
  })();
  const updater = (async () => {
    while (running) {
      await sleep(UPDATE_EVERY_MS);
      const r = await call(base, 'PATCH', `/api/incidents/${incidentId}`, city.duty, { version, casualties: { injured: ++updates } }).catch(() => null);
      if (r?.status === 200) version = r.body.incident.version;
      else updateErrors++;
    }
  })();
  const sampler = setInterval(() => void sample().catch(() => {}), SAMPLE_MS);
  const progress = setInterval(() => {
    const s = samples[samples.length - 1];
    console.log(`  ${elapsed().toFixed(0)} s: ${pushed} items pushed, ${updates} updates, RSS ${s.rssMb.toFixed(1)} MB, heap ${s.heapMb.toFixed(1)} MB`);
  }, 60_000);
  await sleep(SECONDS * 1000);
  running = false;
  clearInterval(sampler);
  clearInterval(progress);
  await Promise.all([pusher, updater]);
  await sample();
  const alive = server.proc!.alive();

  // Quiet: let the last events reach every client, then compare with the log, user by user.
  await sleep(3000);
  const expected = new Map<string, number[]>();
  for (const s of sessions) expected.set(s.user, (await allEvents(base, s.cookie)).map((e) => Number(e.id)));
  let lost = 0;
  let doubled = 0;
  let foreign = 0;
  const perClient: number[] = [];
  for (const c of clients) {
    const mine = expected.get(c.user)!.filter((id) => id > c.from);
    const allowed = new Set(mine);
    lost += mine.filter((id) => !c.ids.has(id)).length;
    for (const [id, times] of c.ids) {
      if (times > 1) doubled += times - 1;
      if (!allowed.has(id)) foreign++;
    }
    perClient.push(c.ids.size);
  }
  const disconnects = clients.reduce((n, c) => n + c.disconnects, 0);
  for (const c of clients) c.socket.close();
  const stored = (await call(base, 'GET', '/api/opinion/sources', city.analyst)).body.items.find((s: any) => s.id === sourceId)?.itemsTotal;
  const verify = await call(base, 'GET', '/api/audit/verify', admin);

  // Memory.
  const warm = samples.find((s) => s.t >= WARMUP_S) ?? samples[samples.length - 1];
  const end = samples[samples.length - 1];
  const after = samples.filter((s) => s.t >= WARMUP_S);
  const rssSlope = slope(after.map((s) => [s.t / 60, s.rssMb]));
  const heapSlope = slope(after.map((s) => [s.t / 60, s.heapMb]));
  const flat = end.rssMb <= warm.rssMb * FLAT_LIMIT;
  perClient.sort((a, b) => a - b);
  pushLatency.sort((a, b) => a - b);

  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');
  console.log(
    table(
      ['server memory', 'start', `after warm-up (${warm.t.toFixed(0)} s)`, `end (${end.t.toFixed(0)} s)`, 'slope after warm-up MB/min'],
      [
        ['RSS MB', f(samples[0].rssMb), f(warm.rssMb), f(end.rssMb), f(rssSlope)],
        ['V8 heap used MB', f(samples[0].heapMb), f(warm.heapMb), f(end.heapMb), f(heapSlope)],
      ],
    ),
  );
  console.log(`samples (s: RSS/heap MB): ${samples.map((s) => `${s.t.toFixed(0)}: ${s.rssMb.toFixed(0)}/${s.heapMb.toFixed(0)}`).join(', ')}`);
  console.log(
    table(
      ['load', 'value'],
      [
        ['db', kind],
        ['duration s', SECONDS],
        ['socket clients (sessions)', `${clients.length} (${sessions.length})`],
        ['items pushed / stored', `${pushed} / ${stored}`],
        ['push errors', pushErrors],
        ['push p50 / p99 ms', `${f(percentile(pushLatency, 50))} / ${f(percentile(pushLatency, 99))}`],
        ['incident updates (errors)', `${updates} (${updateErrors})`],
        ['events per client min / median / max', `${perClient[0]} / ${percentile(perClient, 50)} / ${perClient[perClient.length - 1]}`],
        ['events lost / doubled / not theirs', `${lost} / ${doubled} / ${foreign}`],
        ['client disconnects', disconnects],
        ['server alive at the end', alive ? 'yes' : 'NO'],
        ['audit chain', verify.body?.ok ? 'ok' : 'BROKEN'],
      ],
    ),
  );
  const correct = alive && lost === 0 && doubled === 0 && foreign === 0 && disconnects === 0 && pushErrors === 0 && stored === pushed && verify.body?.ok === true;
  console.log(
    `verdict: ${flat ? 'memory flat' : 'MEMORY GROWS'} (end RSS ${f(end.rssMb)} MB vs ${f(warm.rssMb)} MB after warm-up: ` +
      `${f((end.rssMb / warm.rssMb - 1) * 100)} %, limit +${((FLAT_LIMIT - 1) * 100).toFixed(0)} %; slope ${f(rssSlope)} MB/min); ` +
      `${correct ? 'nothing lost or doubled' : 'CORRECTNESS FAILURE'}`,
  );
  if (!correct || !flat) console.log(server.logs().slice(-4000));
  return { ok: correct && flat };
}

export default bench;
