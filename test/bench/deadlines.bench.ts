// Deadline benchmark: 10,000 open incidents whose first_release clocks fall due within one minute, on the real
// system clock and the real scheduler loop. Measures the lag from each clock's dueAt to its `deadline.missed` event
// on the in-process bus, beside plain setTimeout timers set for the same instants in the same process, and checks
// that every clock fired exactly once and none early.
//
// Setup inserts rows in bulk (createIncident one at a time would take minutes): per incident an `incidents` row, its
// two statutory clocks (`first_release` due in the window, `press_conference` 19 h later, both pending, policy
// version 1) and one `deadline.due` timer per clock (ref_id = deadline id, run_at = due_at). Warning timers are left
// out: 60/30/10 minutes before a clock due within the next minute they would all lie in the past, and they are not
// what is measured. Rows go in with due instants a week ahead; once setup is done (and timed), one transaction
// shifts them so the window opens a few seconds later, and the scheduler is poked.
//
// Correctness (the only thing that fails the run): every first_release clock's deadline.missed event seen on the bus
// exactly once and never before its dueAt, exactly one such row per clock in the event log, every clock `missed` and
// every due timer fired in the database, and no press_conference clock touched.
//
// Knobs (defaults in brackets): BENCH_CLOCKS [10000], BENCH_WINDOW_MS [60000] (1 = a backlog all due at once, to
// measure catch-up), BENCH_TRACE=1 (lag per 5 s of the window, queries over 50 ms, event-loop stalls over 200 ms),
// BENCH_STALL_MS [0] (block the event loop that long a third into the window, to watch the recovery),
// BENCH_BATCH, BENCH_GAP_MS (override the scheduler's batchSize and minGapMs, to compare).
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import os from 'node:os';
import { sql, type KyselyPlugin, type RootOperationNode } from 'kysely';
import { createBeacon } from '../../server/beacon.ts';
import { TIMER_DUE } from '../../server/deadlines/service.ts';
import { EVENT } from '../../shared/events.ts';
import { seedCity, silentLog } from '../support/harness.ts';
import { benchDatabases, fmtMs, machine, percentile, sleep, table, type Bench, type BenchDb } from './bench.ts';

const CLOCKS = Number(process.env.BENCH_CLOCKS ?? 10_000);
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 60_000);
const CHUNK = 500;
const HOUR = 3_600_000;
/** Time to wait for stragglers after the window closes before calling a clock lost. */
const GRACE_MS = 30_000;
/** After the last expected event: a little over the scheduler's longest sleep, so a duplicate would show up. */
const SETTLE_MS = 2_500;
const P99_GOAL_MS = 1_000;
const TRACE = process.env.BENCH_TRACE === '1';
const STALL_MS = Number(process.env.BENCH_STALL_MS ?? 0);
const BATCH = process.env.BENCH_BATCH ? Number(process.env.BENCH_BATCH) : undefined;
const GAP = process.env.BENCH_GAP_MS ? Number(process.env.BENCH_GAP_MS) : undefined;

interface Outcome {
  db: string;
  clocks: number;
  exactlyOnce: boolean;
  problems: string[];
  /** Things that spoil the measurement but say nothing about correctness. */
  warnings: string[];
  lags: number[];
  baseline: number[];
  setupMs: number;
  shiftMs: number;
  leadMs: number;
  loopDelayP99: number;
  loopDelayMax: number;
  cycles: number;
  /** Longest runDue() call (one or more claim-and-handle transactions back to back). */
  longestRunDueMs: number;
  /** Process CPU time over the window, as a share of one core. */
  cpuShare: number;
  /** Statements sent over the window by kind (transactions count BEGIN+COMMIT as 2 `tx` statements). */
  statements: Record<string, number>;
  gcMaxMs: number;
  gcTotalMs: number;
  lastArrivalAfterWindowMs: number;
}

/** Deterministic shuffle, so the due order is not the id order but every run is the same. */
function shuffled(n: number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  let seed = 0x9e3779b9;
  const rand = () => ((seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

async function runOn(target: BenchDb): Promise<Outcome> {
  const tdb = await target.open();
  const beacon = await createBeacon({ handle: tdb.handle, log: silentLog, runScheduler: true });
  const db = beacon.ctx.db;
  const problems: string[] = [];
  const warnings: string[] = [];
  try {
    const city = await seedCity(beacon);
    const lead = Number(city.depts.emergency);
    const duty = Number(city.users.duty);

    if (BATCH) (beacon.scheduler as { batchSize: number }).batchSize = BATCH;
    if (GAP !== undefined) (beacon.scheduler as { minGapMs: number }).minGapMs = GAP;
    // Count scheduler batches that claimed something (diagnostic).
    let cycles = 0;
    let longestRunDueMs = 0;
    const runDue = beacon.scheduler.runDue.bind(beacon.scheduler);
    beacon.scheduler.runDue = async () => {
      const t = performance.now();
      const n = await runDue();
      if (n > 0) {
        cycles++;
        longestRunDueMs = Math.max(longestRunDueMs, performance.now() - t);
      }
      return n;
    };

    // Count statements sent while the window runs (diagnostic): every query through ctx.db, and its transactions.
    const statements: Record<string, number> = {};
    let counting = false;
    const countKind = (kind: string, n = 1) => counting && (statements[kind] = (statements[kind] ?? 0) + n);
    const windowStartRef = { at: 0 };
    const started = new WeakMap<object, { at: number; node: RootOperationNode }>();
    const slow: string[] = [];
    const counter: KyselyPlugin = {
      transformQuery: ({ node, queryId }) => {
        countKind(node.kind.replace(/QueryNode$/, '').toLowerCase());
        if (TRACE && counting) started.set(queryId, { at: performance.now(), node });
        return node;
      },
      transformResult: async ({ result, queryId }) => {
        const s = started.get(queryId);
        if (s && performance.now() - s.at > 50) {
          const text = beacon.ctx.db.getExecutor().compileQuery(s.node, queryId as never).sql;
          slow.push(`${(performance.now() - s.at).toFixed(0)} ms at ${((Date.now() - windowStartRef.at) / 1000).toFixed(2)} s: ${text.slice(0, 140)}`);
        }
        return result;
      },
    };
    const countedDb = beacon.ctx.db.withPlugin(counter);
    const openTx = countedDb.transaction.bind(countedDb);
    countedDb.transaction = () => (countKind('tx', 2), openTx());
    beacon.ctx.db = countedDb;

    // ---- setup: bulk rows with placeholder instants a week ahead ----
    const setupStart = performance.now();
    const placeholder = Date.now() + 7 * 24 * HOUR;
    const order = shuffled(CLOCKS);
    const offsetOf = (i: number) => Math.floor((order[i] * WINDOW_MS) / CLOCKS); // evenly spaced over the window
    const firstRelease = new Map<number, number>(); // deadline id → offset in the window
    const pressConference = new Set<number>();
    const now = new Date();
    for (let from = 0; from < CLOCKS; from += CHUNK) {
      const idx = Array.from({ length: Math.min(CHUNK, CLOCKS - from) }, (_, k) => from + k);
      await db.transaction().execute(async (tx) => {
        const incidents = await tx
          .insertInto('incidents')
          .values(
            idx.map((i) => ({
              title: `bench incident ${i}`,
              summary: '',
              category: 'accident',
              severity: 'II',
              status: 'open' as const,
              occurred_at: new Date(placeholder + offsetOf(i) - 5 * HOUR),
              reported_at: now,
              location: '城东化工园区',
              lead_department_id: lead,
              spokesperson_id: null,
              deaths: 1,
              injured: 12,
              missing: 0,
              significant_impact: false,
              sensitive: false,
              keywords: ['化工', '爆炸'],
              logged_late: false,
              version: 1,
              created_by: duty,
              updated_at: now,
            })),
          )
          .returning('id')
          .execute();
        const deadlines = await tx
          .insertInto('deadlines')
          .values(
            incidents.flatMap(({ id }, k) => {
              const due = placeholder + offsetOf(idx[k]);
              const base = { incident_id: id, opinion_item_id: null, status: 'pending' as const, warnings_sent: [], policy_version: 1, created_at: now };
              return [
                { ...base, kind: 'first_release', due_at: new Date(due) },
                { ...base, kind: 'press_conference', due_at: new Date(due + 19 * HOUR) },
              ];
            }),
          )
          .returning(['id', 'kind', 'due_at'])
          .execute();
        for (const d of deadlines) {
          if (d.kind === 'first_release') firstRelease.set(d.id, d.due_at.getTime() - placeholder);
          else pressConference.add(d.id);
        }
        await tx
          .insertInto('timers')
          .values(deadlines.map((d) => ({ kind: TIMER_DUE, ref_id: d.id, run_at: d.due_at, payload: '{}', created_at: now })))
          .execute();
      });
    }
    const setupMs = performance.now() - setupStart;

    // ---- open the window a few seconds after setup: shift every instant in one transaction ----
    const leadMs = Math.max(4_000, Math.min(15_000, 2_000 + setupMs / 2));
    const windowStart = Date.now() + leadMs;
    windowStartRef.at = windowStart;
    const shift = windowStart - placeholder;
    const shiftStart = performance.now();
    await db.transaction().execute(async (tx) => {
      const by = sql`(${shift}::float8 * interval '1 millisecond')`;
      await tx.updateTable('incidents').set({ occurred_at: sql`occurred_at + ${by}` }).execute();
      await tx.updateTable('deadlines').set({ due_at: sql`due_at + ${by}` }).execute();
      await tx.updateTable('timers').set({ run_at: sql`run_at + ${by}` }).where('fired_at', 'is', null).execute();
    });
    const shiftMs = performance.now() - shiftStart;
    if (Date.now() >= windowStart - 500) warnings.push(`setup overran: window opened ${Date.now() - windowStart} ms before the shift committed`);

    // ---- observe: the bus, and setTimeout for the same instants ----
    const arrivals = new Map<string, number>(); // deadline id → times seen
    const lags: number[] = [];
    const stray: string[] = [];
    const trace: [offset: number, lag: number][] = [];
    const stalls: [at: number, ms: number][] = [];
    let tick = Date.now();
    const watchdog = TRACE
      ? setInterval(() => {
          const t = Date.now();
          if (t - tick > 200) stalls.push([tick - windowStart, t - tick]);
          tick = t;
        }, 20)
      : null;
    let early = 0;
    let lastArrival = 0;
    beacon.ctx.bus.on((events) => {
      const at = Date.now();
      lastArrival = at;
      for (const e of events) {
        if (e.type !== EVENT.deadlineMissed) continue;
        const d = (e.payload as { deadline: { id: string; dueAt: string } }).deadline;
        const lag = at - Date.parse(d.dueAt);
        if (lag < 0) early++;
        if (!firstRelease.has(Number(d.id))) stray.push(d.id);
        arrivals.set(d.id, (arrivals.get(d.id) ?? 0) + 1);
        lags.push(lag);
        if (TRACE) trace.push([Date.parse(d.dueAt) - windowStart, lag]);
      }
    });
    const baseline: number[] = [];
    for (const offset of firstRelease.values()) {
      const instant = windowStart + offset;
      setTimeout(() => baseline.push(Date.now() - instant), instant - Date.now());
    }
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const gc = { max: 0, total: 0 };
    const gcObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        gc.max = Math.max(gc.max, e.duration);
        gc.total += e.duration;
      }
    });
    gcObserver.observe({ entryTypes: ['gc'] });
    counting = true;
    const cpuStart = process.cpuUsage();
    const cpuWall = performance.now();
    beacon.ctx.pokeScheduler();
    if (STALL_MS > 0) {
      // Simulates a stalled process (GC, CPU starvation): block the event loop mid-window, then watch the catch-up.
      setTimeout(() => {
        const until = performance.now() + STALL_MS;
        while (performance.now() < until);
      }, windowStart + WINDOW_MS / 3 - Date.now());
    }

    const giveUp = windowStart + WINDOW_MS + GRACE_MS;
    while ((arrivals.size < CLOCKS || baseline.length < CLOCKS) && Date.now() < giveUp) await sleep(100);
    counting = false;
    const cpu = process.cpuUsage(cpuStart);
    const cpuShare = (cpu.user + cpu.system) / 1000 / (performance.now() - cpuWall);
    await sleep(SETTLE_MS);
    loop.disable();
    gcObserver.disconnect();
    if (watchdog) clearInterval(watchdog);
    if (TRACE) {
      const buckets = new Map<number, number[]>();
      for (const [offset, lag] of trace) {
        const b = Math.floor(offset / 5000) * 5;
        buckets.set(b, [...(buckets.get(b) ?? []), lag]);
      }
      for (const [b, l] of [...buckets].sort((x, y) => x[0] - y[0])) {
        l.sort((x, y) => x - y);
        console.log(`   due ${String(b).padStart(3)}-${b + 5} s: n=${l.length} p50 ${fmtMs(percentile(l, 50))} p99 ${fmtMs(percentile(l, 99))} max ${fmtMs(l[l.length - 1])}`);
      }
      for (const q of slow.slice(0, 40)) console.log(`   slow query ${q}`);
      for (const [at, ms] of stalls) console.log(`   event-loop stall at ${(at / 1000).toFixed(2)} s into the window: ${ms} ms`);
    }

    // ---- correctness: on the bus and in the database ----
    const duplicates = [...arrivals.values()].filter((n) => n > 1).length;
    if (arrivals.size !== CLOCKS) problems.push(`${CLOCKS - arrivals.size} clocks never fired on the bus`);
    if (duplicates) problems.push(`${duplicates} clocks fired more than once on the bus`);
    if (lags.length !== CLOCKS) problems.push(`bus saw ${lags.length} missed events, expected ${CLOCKS}`);
    if (stray.length) problems.push(`${stray.length} missed events for clocks that were not due (e.g. ${stray[0]})`);
    if (early) problems.push(`${early} events arrived before their dueAt`);
    const logged = await db
      .selectFrom('events')
      .select([sql<string>`payload->'deadline'->>'id'`.as('id'), sql<number>`count(*)::int`.as('n')])
      .where('type', '=', EVENT.deadlineMissed)
      .groupBy(sql`payload->'deadline'->>'id'`)
      .execute();
    const loggedTotal = logged.reduce((s, r) => s + r.n, 0);
    if (loggedTotal !== CLOCKS || logged.some((r) => r.n !== 1 || !firstRelease.has(Number(r.id)))) {
      problems.push(`event log: ${loggedTotal} deadline.missed rows over ${logged.length} clocks, expected ${CLOCKS} over ${CLOCKS}`);
    }
    const statuses = await db
      .selectFrom('deadlines')
      .select(['kind', 'status', sql<number>`count(*)::int`.as('n')])
      .groupBy(['kind', 'status'])
      .execute();
    const count = (kind: string, status: string) => statuses.find((s) => s.kind === kind && s.status === status)?.n ?? 0;
    if (count('first_release', 'missed') !== CLOCKS) problems.push(`${count('first_release', 'missed')} first_release clocks missed in the db, expected ${CLOCKS}`);
    if (count('press_conference', 'pending') !== pressConference.size) problems.push('a press_conference clock (due in 19 h) changed state');
    const fired = await db
      .selectFrom('timers')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('kind', '=', TIMER_DUE)
      .where('fired_at', 'is not', null)
      .executeTakeFirstOrThrow();
    if (fired.n !== CLOCKS) problems.push(`${fired.n} due timers marked fired, expected ${CLOCKS}`);
    if (baseline.length !== CLOCKS) warnings.push(`only ${baseline.length} of ${CLOCKS} setTimeout baselines fired`);

    return {
      db: target.kind,
      clocks: CLOCKS,
      exactlyOnce:
        arrivals.size === CLOCKS &&
        duplicates === 0 &&
        lags.length === CLOCKS &&
        !stray.length &&
        loggedTotal === CLOCKS &&
        logged.length === CLOCKS &&
        fired.n === CLOCKS,
      problems,
      warnings,
      lags: lags.sort((a, b) => a - b),
      baseline: baseline.sort((a, b) => a - b),
      setupMs,
      shiftMs,
      leadMs,
      loopDelayP99: loop.percentile(99) / 1e6,
      loopDelayMax: loop.max / 1e6,
      cycles,
      longestRunDueMs,
      cpuShare,
      statements,
      gcMaxMs: gc.max,
      gcTotalMs: gc.total,
      lastArrivalAfterWindowMs: lastArrival ? lastArrival - (windowStart + WINDOW_MS) : NaN,
    };
  } finally {
    await beacon.stop();
    await tdb.handle.close();
    await tdb.drop();
  }
}

const bench: Bench = {
  name: 'deadlines',
  description: `${CLOCKS} first_release clocks due over ${WINDOW_MS / 1000} s; lag from dueAt to the deadline.missed event (real clock, real scheduler loop)`,
  async run() {
    const outcomes: Outcome[] = [];
    for (const target of benchDatabases()) {
      console.log(`-- ${target.kind}: setting up ${CLOCKS} incidents…`);
      const o = await runOn(target);
      console.log(
        `-- ${target.kind}: setup ${(o.setupMs / 1000).toFixed(1)} s (bulk insert) + ${(o.shiftMs / 1000).toFixed(2)} s (shift); ` +
          `window opened ${(o.leadMs / 1000).toFixed(1)} s after setup\n` +
          `   scheduler: ${o.cycles} runs that fired something, longest ${fmtMs(o.longestRunDueMs)} ms; ` +
          `last event ${fmtMs(o.lastArrivalAfterWindowMs)} ms after the window closed\n` +
          `   node process: CPU ${(o.cpuShare * 100).toFixed(0)}% of one core over the window; ` +
          `event-loop delay p99 ${fmtMs(o.loopDelayP99)} ms, max ${fmtMs(o.loopDelayMax)} ms; ` +
          `GC pauses total ${fmtMs(o.gcTotalMs)} ms, longest ${fmtMs(o.gcMaxMs)} ms; load average ${os.loadavg()[0].toFixed(1)}\n` +
          `   statements per clock: ${(Object.values(o.statements).reduce((a, b) => a + b, 0) / o.clocks).toFixed(1)} (` +
          Object.entries(o.statements)
            .sort((a, b) => b[1] - a[1])
            .map(([k, n]) => `${k} ${(n / o.clocks).toFixed(2)}`)
            .join(', ') +
          ')',
      );
      for (const p of o.problems) console.log(`   PROBLEM: ${p}`);
      for (const w of o.warnings) console.log(`   warning: ${w}`);
      outcomes.push(o);
    }
    console.log(
      `\nmachine: ${machine()}\n` +
        table(
          ['db', 'clocks', 'fired exactly once', 'early', 'p50 lag ms', 'p99 lag ms', 'max lag ms', 'setTimeout p50 ms', 'setTimeout p99 ms', 'setTimeout max ms'],
          outcomes.map((o) => [
            o.db,
            o.clocks,
            o.exactlyOnce ? 'yes' : 'NO',
            o.lags.filter((l) => l < 0).length,
            fmtMs(percentile(o.lags, 50)),
            fmtMs(percentile(o.lags, 99)),
            fmtMs(o.lags[o.lags.length - 1]),
            fmtMs(percentile(o.baseline, 50)),
            fmtMs(percentile(o.baseline, 99)),
            fmtMs(o.baseline[o.baseline.length - 1]),
          ]),
        ),
    );
    for (const o of outcomes) {
      const p99 = percentile(o.lags, 99);
      console.log(`${o.db}: p99 goal (≤ ${P99_GOAL_MS} ms) ${p99 <= P99_GOAL_MS ? 'met' : 'NOT met'} (${fmtMs(p99)} ms)`);
    }
    if (!process.env.BENCH_DATABASE_URL && !process.env.TEST_DATABASE_URL) {
      console.log('(PostgreSQL skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL to include it)');
    }
    return { ok: outcomes.every((o) => o.problems.length === 0) };
  },
};

export default bench;
