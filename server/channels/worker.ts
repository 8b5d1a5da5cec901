// Sends pending deliveries to their channels. Like the scheduler it is driven by the database: each process wakes
// at the next due delivery (and at least every few seconds), claims due rows with FOR UPDATE SKIP LOCKED in a short
// transaction that leases them (leased_until, attempts + 1), commits, POSTs outside any transaction, and records the
// outcome in another short transaction with its event. A process that dies mid-delivery leaves a lease that expires,
// after which any process claims the delivery again (at-least-once: receivers dedupe on x-beacon-delivery).
// A failing channel never throws out of the worker and never touches the release.
import { sql } from 'kysely';
import { RELEASE_EVENT } from '../../shared/events.ts';
import type { AppContext } from '../context.ts';
import { transact } from '../db/transact.ts';
import { incidentAudience } from '../incidents/visibility.ts';
import { backoffMs, MAX_ATTEMPTS } from './backoff.ts';
import { describeFetchError, describeHttpStatus, describeTimeout } from './describe.ts';
import { toDelivery, type DeliveryRow } from './mapper.ts';
import { loadReleaseMessage } from './message.ts';
import { DELIVERY_EVENT, type DeliveryAction } from './service.ts';
import { signBody } from './signature.ts';

export interface DeliveryWorkerOptions {
  fetch?: typeof fetch;
  /** Per request, until the response headers arrive; really aborts the request. */
  timeoutMs?: number;
  /** Attempts in all before a delivery is failed. */
  maxAttempts?: number;
  /** How long a claimed delivery stays reserved to its process (longer than timeoutMs). */
  leaseMs?: number;
  batchSize?: number;
  /** Longest sleep between looks at the table. */
  maxSleepMs?: number;
  /** Jitter source for the backoff, [0, 1). */
  random?: () => number;
  /** e.g. https://www.example.gov.cn: adds `release.url` = <base>/public/releases/<id> to the message. */
  publicBaseUrl?: string;
}

interface Claimed {
  id: number;
  releaseId: number;
  action: DeliveryAction;
  attempts: number;
  channelName: string;
  url: string;
  secret: string;
}

interface Outcome {
  ok: boolean;
  status: number | null;
  error: string | null;
  /** Not worth retrying (the release is gone). */
  final?: boolean;
  /** Aborted because the worker is stopping: give the attempt back instead of counting it. */
  interrupted?: boolean;
}

const USER_AGENT = 'Beacon-Webhook/1';
const MAX_DETAIL_BYTES = 4096;

export class DeliveryWorker {
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  readonly leaseMs: number;
  readonly batchSize: number;
  readonly maxSleepMs: number;
  #fetch: typeof fetch;
  #random: () => number;
  #publicBaseUrl: string | undefined;
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  #stopped = true;
  #again = false;
  #idle: Promise<void> = Promise.resolve();
  #inFlight = new Set<AbortController>();
  #unsubscribe: (() => void) | null = null;

  constructor(
    private ctx: AppContext,
    opts: DeliveryWorkerOptions = {},
  ) {
    this.#fetch = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.maxAttempts = opts.maxAttempts ?? MAX_ATTEMPTS;
    this.leaseMs = Math.max(opts.leaseMs ?? 60_000, this.timeoutMs + 5_000);
    this.batchSize = opts.batchSize ?? 20;
    this.maxSleepMs = opts.maxSleepMs ?? 2000;
    this.#random = opts.random ?? Math.random;
    this.#publicBaseUrl = opts.publicBaseUrl;
  }

  /** Sends everything already due (including what fell due while no process ran), then keeps watch. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    // A publish or retract commits new deliveries due now: look at once rather than at the next tick.
    this.#unsubscribe = this.ctx.bus.on((events) => {
      if (events.some((e) => e.type === RELEASE_EVENT.published || e.type === RELEASE_EVENT.retracted)) this.poke();
    });
    this.poke();
  }

  /** Stops the loop; requests in flight are aborted and their attempts handed back, due again at once. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    for (const controller of this.#inFlight) controller.abort();
    await this.#idle;
  }

  /** Wake now: deliveries may be due sooner than the current sleep. */
  poke(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#cycle(), 0);
  }

  async #cycle(): Promise<void> {
    this.#timer = null;
    this.#running = true;
    let done!: () => void;
    this.#idle = new Promise((r) => (done = r));
    let sleep = this.maxSleepMs;
    try {
      await this.runDue();
      sleep = await this.#msUntilNext();
    } catch (err) {
      this.ctx.log.error({ err }, 'delivery cycle failed; retrying');
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
    this.#timer = setTimeout(() => void this.#cycle(), sleep);
  }

  async #msUntilNext(): Promise<number> {
    const row = await this.ctx.db
      .selectFrom('deliveries')
      .select(sql<Date | null>`min(greatest(next_attempt_at, coalesce(leased_until, next_attempt_at)))`.as('next'))
      .where('status', '=', 'pending')
      .where('channel_id', 'in', (eb) => eb.selectFrom('channels').select('id').where('enabled', '=', true))
      .executeTakeFirst();
    if (!row?.next) return this.maxSleepMs;
    const wait = new Date(row.next).getTime() - this.ctx.clock.now().getTime();
    return Math.max(0, Math.min(this.maxSleepMs, wait));
  }

  /**
   * Claims and sends due deliveries in batches (each batch concurrently) until none is due.
   * Returns how many attempts were made. Never throws for a channel's failure.
   */
  async runDue(): Promise<number> {
    let attempted = 0;
    for (;;) {
      const claimed = await this.#claim(this.batchSize);
      await Promise.all(claimed.map((c) => this.#runOne(c)));
      attempted += claimed.length;
      if (claimed.length < this.batchSize) return attempted;
    }
  }

  /** One short transaction: lock due, unleased deliveries of enabled channels, lease them, count the attempt. */
  async #claim(limit: number): Promise<Claimed[]> {
    const now = this.ctx.clock.now();
    const leasedUntil = new Date(now.getTime() + this.leaseMs);
    return this.ctx.db.transaction().execute(async (tx) => {
      const due = await tx
        .selectFrom('deliveries')
        .select('id')
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('leased_until', 'is', null), eb('leased_until', '<=', now)]))
        .where('channel_id', 'in', (eb) => eb.selectFrom('channels').select('id').where('enabled', '=', true))
        .orderBy('next_attempt_at')
        .orderBy('id')
        .limit(limit)
        .forUpdate()
        .skipLocked()
        .execute();
      if (due.length === 0) return [];
      const rows = await tx
        .updateTable('deliveries')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), leased_until: leasedUntil }))
        .where(
          'id',
          'in',
          due.map((d) => d.id),
        )
        .returning(['id', 'channel_id', 'release_id', 'action', 'attempts'])
        .execute();
      const channels = await tx
        .selectFrom('channels')
        .select(['id', 'name', 'url', 'secret'])
        .where('id', 'in', [...new Set(rows.map((r) => r.channel_id))])
        .execute();
      const byId = new Map(channels.map((c) => [c.id, c]));
      return rows
        .sort((a, b) => a.id - b.id)
        .map((r) => {
          const c = byId.get(r.channel_id)!;
          return { id: r.id, releaseId: r.release_id, action: r.action, attempts: r.attempts, channelName: c.name, url: c.url, secret: c.secret };
        });
    });
  }

  async #runOne(c: Claimed): Promise<void> {
    let outcome: Outcome;
    try {
      outcome = await this.#send(c);
    } catch (err) {
      outcome = { ok: false, status: null, error: `internal error: ${(err as Error).message}`.slice(0, 300) };
    }
    try {
      if (outcome.interrupted) await this.#giveBack(c);
      else await this.#record(c, outcome);
    } catch (err) {
      // The lease runs out and the delivery is claimed again; nothing is lost.
      this.ctx.log.error({ err, delivery: c.id }, 'could not record a delivery outcome; it will be retried when its lease expires');
    }
  }

  /** The HTTP POST, outside any transaction. */
  async #send(c: Claimed): Promise<Outcome> {
    const sentAt = this.ctx.clock.now();
    const message = await loadReleaseMessage(this.ctx.db, c.releaseId, c.action, sentAt, this.#publicBaseUrl);
    if (!message) return { ok: false, status: null, error: 'release not found', final: true };
    const bytes = Buffer.from(JSON.stringify(message), 'utf8');
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    this.#inFlight.add(controller);
    try {
      const res = await this.#fetch(c.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': USER_AGENT,
          'x-beacon-event': `release.${c.action}`,
          'x-beacon-delivery': String(c.id),
          'x-beacon-timestamp': message.sentAt,
          'x-beacon-signature': signBody(c.secret, bytes),
        },
        body: bytes,
        redirect: 'manual',
        signal: controller.signal,
      });
      if (res.status >= 200 && res.status < 300) {
        await res.body?.cancel().catch(() => {});
        return { ok: true, status: res.status, error: null };
      }
      const detail = await readDetail(res);
      return { ok: false, status: res.status, error: describeHttpStatus(res.status, detail) };
    } catch (err) {
      if (timedOut) return { ok: false, status: null, error: describeTimeout(this.timeoutMs) };
      if (controller.signal.aborted) return { ok: false, status: null, error: 'interrupted: server stopping', interrupted: true };
      return { ok: false, status: null, error: describeFetchError(err) };
    } finally {
      clearTimeout(timer);
      this.#inFlight.delete(controller);
    }
  }

  /** The outcome and its event, in one short transaction; skipped if another process has taken the delivery over. */
  async #record(c: Claimed, outcome: Outcome): Promise<void> {
    await transact(this.ctx, async (tx, record) => {
      const now = this.ctx.clock.now();
      const base = { last_status: outcome.status, last_error: outcome.error, leased_until: null };
      const set = outcome.ok
        ? { ...base, status: 'delivered' as const, delivered_at: now }
        : outcome.final || c.attempts >= this.maxAttempts
          ? { ...base, status: 'failed' as const }
          : { ...base, next_attempt_at: new Date(now.getTime() + backoffMs(c.attempts, this.#random)) };
      const row: DeliveryRow | undefined = await tx
        .updateTable('deliveries')
        .set(set)
        .where('id', '=', c.id)
        .where('status', '=', 'pending')
        .where('attempts', '=', c.attempts)
        .returningAll()
        .executeTakeFirst();
      if (!row) {
        this.ctx.log.warn({ delivery: c.id }, 'delivery was claimed again after its lease ran out; dropping this outcome');
        return;
      }
      const scope = await tx
        .selectFrom('releases')
        .innerJoin('incidents', 'incidents.id', 'releases.incident_id')
        .select(['incidents.id as incident_id', 'incidents.lead_department_id'])
        .where('releases.id', '=', row.release_id)
        .executeTakeFirst();
      const delivery = toDelivery(row, c.channelName);
      record({
        type: DELIVERY_EVENT,
        incidentId: scope?.incident_id ?? null,
        deptIds: scope ? await incidentAudience(tx, scope.incident_id, scope.lead_department_id) : [],
        payload: { delivery, releaseId: String(row.release_id), channelName: c.channelName },
      });
      const log = { delivery: c.id, channel: c.channelName, releaseId: c.releaseId, attempts: row.attempts, status: row.status };
      if (outcome.ok) this.ctx.log.info(log, 'release delivered');
      else this.ctx.log.warn({ ...log, error: outcome.error }, row.status === 'failed' ? 'delivery failed for good' : 'delivery failed; will retry');
    });
  }

  /** Stopping mid-request: the attempt did not really happen; due again at once, for this or another process. */
  async #giveBack(c: Claimed): Promise<void> {
    await this.ctx.db
      .updateTable('deliveries')
      .set((eb) => ({ attempts: eb('attempts', '-', 1), leased_until: null }))
      .where('id', '=', c.id)
      .where('status', '=', 'pending')
      .where('attempts', '=', c.attempts)
      .execute();
  }
}

/** A short explanation from a refused request's body: plain text or JSON only (an HTML error page says nothing). */
async function readDetail(res: Response): Promise<string | undefined> {
  const type = res.headers.get('content-type') ?? '';
  if (!res.body || !/^(text\/plain|application\/(problem\+)?json)/i.test(type)) {
    await res.body?.cancel().catch(() => {});
    return undefined;
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < MAX_DETAIL_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    return undefined;
  } finally {
    await reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks).subarray(0, MAX_DETAIL_BYTES).toString('utf8');
}
