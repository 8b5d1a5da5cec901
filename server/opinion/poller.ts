// The feed poller: claims due feed sources with a lease (FOR UPDATE SKIP LOCKED, so processes share the work),
// fetches outside any transaction, ingests, and records the source's health: last success, last error in words,
// consecutive failures, next poll (backing off with jitter while it fails).
import type { AppContext } from '../context.ts';
import { transact } from '../db/transact.ts';
import { FeedError, fetchFeed } from './fetch/fetch-feed.ts';
import { parseFeed } from './fetch/parse-feed.ts';
import { nextPollDelayMs } from './fetch/backoff.ts';
import { ingestItems } from './ingest.ts';
import { SOURCE_EVENT } from './sources.ts';
import { toSource } from './mapper.ts';
import { opinionWatchers } from './audience.ts';

const LEASE_MS = 120_000;
const CONCURRENCY = 4;

export interface PollOutcome {
  added: number;
  duplicates: number;
  notModified: boolean;
  error: string | null;
}

export interface PollerOptions {
  allowPrivate: boolean;
  timeoutMs?: number;
  maxSleepMs?: number;
}

export class FeedPoller {
  #timer: NodeJS.Timeout | null = null;
  #stopped = true;
  #busy: Promise<unknown> = Promise.resolve();

  constructor(
    private ctx: AppContext,
    private opts: PollerOptions,
  ) {}

  start(): void {
    this.#stopped = false;
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#busy.catch(() => {});
  }

  #schedule(ms: number) {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#busy = this.runDue()
        .catch((err) => this.ctx.log.error({ err }, 'feed poller cycle failed'))
        .finally(() => this.#schedule(this.opts.maxSleepMs ?? 5000));
    }, ms);
  }

  /** Claims every due feed source (a few at a time) and polls it. Returns how many were polled. */
  async runDue(): Promise<number> {
    let polled = 0;
    for (;;) {
      const claimed = await this.#claim(CONCURRENCY);
      if (claimed.length === 0) return polled;
      await Promise.all(claimed.map((id) => this.pollSource(id)));
      polled += claimed.length;
    }
  }

  async #claim(limit: number): Promise<number[]> {
    const now = this.ctx.clock.now();
    return this.ctx.db.transaction().execute(async (tx) => {
      const due = await tx
        .selectFrom('opinion_sources')
        .select('id')
        .where('kind', '=', 'feed')
        .where('enabled', '=', true)
        .where('next_poll_at', '<=', now)
        .where((eb) => eb.or([eb('leased_until', 'is', null), eb('leased_until', '<', now)]))
        .orderBy('next_poll_at')
        .limit(limit)
        .forUpdate()
        .skipLocked()
        .execute();
      if (due.length === 0) return [];
      await tx
        .updateTable('opinion_sources')
        .set({ leased_until: new Date(now.getTime() + LEASE_MS) })
        .where('id', 'in', due.map((d) => d.id))
        .execute();
      return due.map((d) => d.id);
    });
  }

  /** Polls one feed source now (also used by "poll now"): never throws for a feed's own failure. */
  async pollSource(id: number): Promise<PollOutcome> {
    const source = await this.ctx.db.selectFrom('opinion_sources').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const outcome: PollOutcome = { added: 0, duplicates: 0, notModified: false, error: null };
    let etag = source.etag;
    let lastModified = source.last_modified;
    try {
      if (!source.url) throw new FeedError('network', 'the source has no URL');
      const fetched = await fetchFeed(source.url, {
        etag,
        lastModified,
        allowPrivate: this.opts.allowPrivate,
        timeoutMs: this.opts.timeoutMs,
      });
      if (fetched.status === 'not_modified') outcome.notModified = true;
      else {
        const feed = await parseFeed(fetched.text);
        const items = feed.items
          .filter((i) => (i.content ?? i.title ?? '').trim())
          .map((i) => ({
            externalId: i.guid ?? i.link ?? undefined,
            title: i.title ?? undefined,
            content: (i.content ?? i.title ?? '').slice(0, 20_000),
            url: i.link && /^https?:\/\//.test(i.link) ? i.link : undefined,
            author: i.author ?? undefined,
            publishedAt: i.publishedAt ?? undefined,
          }));
        const r = await ingestItems(this.ctx, id, items);
        outcome.added = r.added;
        outcome.duplicates = r.duplicates;
        etag = fetched.etag;
        lastModified = fetched.lastModified;
      }
    } catch (err) {
      outcome.error = err instanceof FeedError ? err.message : `unexpected error: ${(err as Error).message}`;
      if (!(err instanceof FeedError)) this.ctx.log.error({ err, sourceId: id }, 'feed poll failed unexpectedly');
    }
    await this.#recordHealth(id, outcome, etag, lastModified);
    return outcome;
  }

  async #recordHealth(id: number, outcome: PollOutcome, etag: string | null, lastModified: string | null) {
    await transact(this.ctx, async (tx, record) => {
      const now = this.ctx.clock.now();
      const row = await tx.selectFrom('opinion_sources').select(['failures', 'poll_seconds']).where('id', '=', id).forUpdate().executeTakeFirstOrThrow();
      const failures = outcome.error ? row.failures + 1 : 0;
      const updated = await tx
        .updateTable('opinion_sources')
        .set({
          leased_until: null,
          failures,
          next_poll_at: new Date(now.getTime() + nextPollDelayMs(failures, row.poll_seconds)),
          ...(outcome.error
            ? { last_error: outcome.error, last_error_at: now }
            : { last_success_at: now, last_error: null, etag, last_modified: lastModified }),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      record({ type: SOURCE_EVENT, userIds: await opinionWatchers(tx), payload: { source: toSource(updated, false), outcome } });
    });
  }
}

