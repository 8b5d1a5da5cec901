// The database-driven scheduler. Timers are rows; each process wakes at the next due time (and at least every
// few seconds), claims due rows with FOR UPDATE SKIP LOCKED, handles them and marks them fired in the same
// transaction as their effect, so each fires exactly once, across restarts and across processes.
import type { AppContext } from '../context.ts';
import type { Tx } from '../audit/event-log.ts';
import { transact, type RecordEvent } from '../db/transact.ts';

export interface TimerRow {
  id: number;
  kind: string;
  ref_id: number;
  run_at: Date;
  payload: Record<string, unknown>;
}

const POISON_RETRY_MS = 30_000;

export type TimerHandler = (ctx: AppContext, tx: Tx, record: RecordEvent, timer: TimerRow) => Promise<void>;

export interface SchedulerOptions {
  /** Longest sleep between looks at the table (other processes may have added timers). */
  maxSleepMs?: number;
  /**
   * Timers claimed per transaction. Their events publish only at commit, so a backlog (after a stall or a restart)
   * delays the first of a batch by the handling of the whole batch: keep it small. (test/bench/deadlines.bench.ts)
   */
  batchSize?: number;
  /**
   * Least time from the start of one look at the table to the next, so timers falling due a few ms apart are handled
   * together: each look costs a transaction, the chain lock and a `min(run_at)` whatever it finds. A timer may fire
   * up to this much after its instant. (test/bench/deadlines.bench.ts)
   */
  minGapMs?: number;
}

export class Scheduler {
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  #stopped = true;
  #again = false;
  #lastLook = -Infinity;
  #idle: Promise<void> = Promise.resolve();
  readonly maxSleepMs: number;
  readonly batchSize: number;
  readonly minGapMs: number;

  constructor(
    private ctx: AppContext,
    private handlers: Record<string, TimerHandler>,
    opts: SchedulerOptions = {},
  ) {
    this.maxSleepMs = opts.maxSleepMs ?? 2000;
    this.batchSize = opts.batchSize ?? 25;
    this.minGapMs = opts.minGapMs ?? 50;
  }

  /** Handles everything already due (including what fell due while no process ran), then keeps watch. */
  start(): void {
    this.#stopped = false;
    this.poke();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#idle;
  }

  /** Wake now: new timers may be due sooner than the current sleep. */
  poke(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#cycle(), this.#gapLeft());
  }

  /** Real time (not the injected clock: this paces work) until the next look may start. */
  #gapLeft(): number {
    return Math.max(0, this.#lastLook + this.minGapMs - performance.now());
  }

  async #cycle(): Promise<void> {
    this.#timer = null;
    this.#running = true;
    this.#lastLook = performance.now();
    let done!: () => void;
    this.#idle = new Promise((r) => (done = r));
    let sleep = this.maxSleepMs;
    try {
      await this.runDue();
      // A poke from a commit before this point is seen by the query below (including our own events' pokes), so
      // only one arriving after it must cut the sleep short.
      this.#again = false;
      sleep = await this.#msUntilNext();
    } catch (err) {
      this.ctx.log.error({ err }, 'scheduler cycle failed; retrying');
      sleep = 1000;
    } finally {
      this.#running = false;
      done();
    }
    if (this.#stopped) return;
    if (this.#again) {
      this.#again = false;
      sleep = 0;
    }
    this.#timer = setTimeout(() => void this.#cycle(), Math.max(sleep, this.#gapLeft()));
  }

  async #msUntilNext(): Promise<number> {
    const row = await this.ctx.db
      .selectFrom('timers')
      .select((eb) => eb.fn.min('run_at').as('next'))
      .where('fired_at', 'is', null)
      .executeTakeFirst();
    if (!row?.next) return this.maxSleepMs;
    const wait = new Date(row.next as Date).getTime() - this.ctx.clock.now().getTime();
    return Math.max(0, Math.min(this.maxSleepMs, wait));
  }

  /** Claims and handles due timers in batches until none is due. Returns how many fired. */
  async runDue(): Promise<number> {
    let fired = 0;
    for (;;) {
      let n: number;
      try {
        n = await this.#runBatch(this.batchSize);
      } catch (err) {
        // One bad timer must not hold back the rest: go one by one, and set aside the one that fails.
        this.ctx.log.warn({ err }, 'timer batch failed; handling timers one at a time');
        n = await this.#runSingly();
      }
      fired += n;
      if (n < this.batchSize) return fired;
      // Let I/O and other timers run between batches: on PGlite every query resolves without touching the event
      // loop, so a long catch-up would otherwise hold the whole process (HTTP, socket.io heartbeats) until it ends.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  async #runSingly(): Promise<number> {
    let fired = 0;
    for (let i = 0; i < this.batchSize; i++) {
      try {
        const n = await this.#runBatch(1);
        if (n === 0) break;
        fired += n;
      } catch (err) {
        await this.#postponeNextDue(err as Error);
      }
    }
    return fired;
  }

  async #postponeNextDue(err: Error): Promise<void> {
    const now = this.ctx.clock.now();
    const next = await this.ctx.db
      .selectFrom('timers')
      .select(['id', 'kind', 'ref_id'])
      .where('fired_at', 'is', null)
      .where('run_at', '<=', now)
      .orderBy('run_at')
      .orderBy('id')
      .executeTakeFirst();
    if (!next) return;
    this.ctx.log.error({ err, timer: next }, 'timer handler failed; retrying it in 30 s');
    await this.ctx.db
      .updateTable('timers')
      .set({ run_at: new Date(now.getTime() + POISON_RETRY_MS) })
      .where('id', '=', next.id)
      .execute();
  }

  async #runBatch(limit: number): Promise<number> {
    const now = this.ctx.clock.now();
    return transact(this.ctx, async (tx, record) => {
      const due = await tx
        .selectFrom('timers')
        .select(['id', 'kind', 'ref_id', 'run_at', 'payload'])
        .where('fired_at', 'is', null)
        .where('run_at', '<=', now)
        .orderBy('run_at')
        .orderBy('id')
        .limit(limit)
        .forUpdate()
        .skipLocked()
        .execute();
      for (const timer of due) {
        const handler = this.handlers[timer.kind];
        if (handler) await handler(this.ctx, tx, record, { ...timer, payload: timer.payload as Record<string, unknown> });
        else this.ctx.log.warn({ kind: timer.kind }, 'no handler for timer kind; marking it fired');
        this.ctx.metrics.schedulerLag.observe((this.ctx.clock.now().getTime() - timer.run_at.getTime()) / 1000);
      }
      if (due.length) {
        await tx
          .updateTable('timers')
          .set({ fired_at: this.ctx.clock.now() })
          .where('id', 'in', due.map((t) => t.id))
          .execute();
      }
      return due.length;
    });
  }
}

