// Burst detection: at the end of each time bucket, count items per topic and per incident, feed the EWMA z-score
// detector (its state persisted, so a restart continues the baseline), and raise `opinion.burst` for each surge
// with its top terms, top sources and sentiment mix. Driven by a scheduler timer at every bucket boundary.
import { sql } from 'kysely';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import type { Tx } from '../audit/event-log.ts';
import type { RecordEvent } from '../db/transact.ts';
import { BurstDetector, DEFAULT_BURST_SETTINGS } from './text/burst.ts';
import { opinionWatchers } from './audience.ts';
import type { OpinionBurst } from '../../shared/opinion.ts';

export const TIMER_BUCKET = 'opinion.bucket';
export const BURST_EVENT = 'opinion.burst';
const STATE_KEY = 'detector';

export const burstSettingsSchema = z.object({
  bucketMinutes: z.number().int().min(1).max(1440),
  alpha: z.number().gt(0).lt(1),
  zThreshold: z.number().positive().max(100),
  minCount: z.number().int().min(1).max(100_000),
  cooldownBuckets: z.number().int().min(0).max(1000),
});
export type BurstSettings = z.infer<typeof burstSettingsSchema>;
export const DEFAULT_SETTINGS: BurstSettings = { bucketMinutes: 10, ...DEFAULT_BURST_SETTINGS };

export async function burstSettings(tx: Pick<Tx, 'selectFrom'>): Promise<BurstSettings> {
  const row = await tx.selectFrom('settings').select('value').where('key', '=', 'opinion.burst').executeTakeFirst();
  return row ? { ...DEFAULT_SETTINGS, ...(row.value as object) } : DEFAULT_SETTINGS;
}

export async function saveBurstSettings(tx: Tx, settings: BurstSettings, now: Date): Promise<void> {
  await tx
    .insertInto('settings')
    .values({ key: 'opinion.burst', value: JSON.stringify(settings), updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(settings), updated_at: now }))
    .execute();
}

/** Makes sure the next bucket boundary has a timer (called at boot and after each bucket). */
export async function ensureBucketTimer(tx: Tx | AppContext['db'], now: Date, bucketMinutes: number): Promise<void> {
  // The timer being handled right now is still unfired in this transaction: only a future one counts.
  const pending = await tx
    .selectFrom('timers')
    .select('id')
    .where('kind', '=', TIMER_BUCKET)
    .where('fired_at', 'is', null)
    .where('run_at', '>', now)
    .executeTakeFirst();
  if (pending) return;
  const size = bucketMinutes * 60_000;
  const next = new Date(Math.floor(now.getTime() / size) * size + size);
  await tx
    .insertInto('timers')
    .values({ kind: TIMER_BUCKET, ref_id: 0, run_at: next, payload: JSON.stringify({ bucketEnd: next.toISOString() }), created_at: now })
    .execute();
}

export function toBurst(r: { id: number; key: string; label: string; incident_id: number | null; bucket_start: Date; count: number; z: number; top_terms: unknown; top_sources: unknown; sentiment_mix: unknown; created_at: Date }): OpinionBurst {
  return {
    id: String(r.id),
    key: r.key,
    label: r.label,
    incidentId: r.incident_id === null ? null : String(r.incident_id),
    bucketStart: r.bucket_start.toISOString(),
    count: r.count,
    z: r.z,
    topTerms: r.top_terms as OpinionBurst['topTerms'],
    topSources: r.top_sources as OpinionBurst['topSources'],
    sentimentMix: r.sentiment_mix as OpinionBurst['sentimentMix'],
    at: r.created_at.toISOString(),
  };
}

/** Timer: a bucket ended. A server down for several buckets evaluates only the last complete one. */
export async function onBucketTimer(ctx: AppContext, tx: Tx, record: RecordEvent) {
  const settings = await burstSettings(tx);
  const size = settings.bucketMinutes * 60_000;
  // The last bucket that has ended (the timer may run late, or after downtime: older buckets are past).
  const end = new Date(Math.floor(ctx.clock.now().getTime() / size) * size);
  const start = new Date(end.getTime() - size);
  const stateRow = await tx.selectFrom('opinion_burst_state').select('state').where('key', '=', STATE_KEY).forUpdate().executeTakeFirst();
  const saved = stateRow?.state as { detector: string; lastEnd: string } | undefined;
  if (saved && new Date(saved.lastEnd).getTime() >= end.getTime()) {
    await ensureBucketTimer(tx, ctx.clock.now(), settings.bucketMinutes);
    return;
  }
  const detector = saved ? BurstDetector.fromJSON(saved.detector, settings) : new BurstDetector(settings);

  const topicCounts = await tx
    .selectFrom(sql<{ topic: string }>`(select unnest(topics) as topic from opinion_items where fetched_at >= ${start} and fetched_at < ${end})`.as('t'))
    .select(['t.topic', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('t.topic')
    .execute();
  const incidentCounts = await tx
    .selectFrom('opinion_items')
    .select(['incident_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('fetched_at', '>=', start)
    .where('fetched_at', '<', end)
    .where('incident_id', 'is not', null)
    .groupBy('incident_id')
    .execute();
  const counts = new Map<string, number>();
  for (const key of detector.keys()) counts.set(key, 0); // a quiet bucket is a zero, not a gap
  for (const r of topicCounts) counts.set(`topic:${r.topic}`, Number(r.n));
  for (const r of incidentCounts) counts.set(`incident:${r.incident_id}`, Number(r.n));

  for (const [key, count] of counts) {
    const verdict = detector.observe(key, start.getTime(), count);
    if (!verdict.burst) continue;
    const [kind, value] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
    const incidentId = kind === 'incident' ? Number(value) : null;
    const where = (q: any) =>
      (kind === 'topic' ? q.where(sql<boolean>`${value} = any(opinion_items.topics)`) : q.where('opinion_items.incident_id', '=', incidentId)).where(
        'opinion_items.fetched_at', '>=', start,
      ).where('opinion_items.fetched_at', '<', end);
    const sample = await where(
      tx.selectFrom('opinion_items').innerJoin('opinion_sources', 'opinion_sources.id', 'opinion_items.source_id').select(['opinion_items.tokens', 'opinion_items.sentiment_label', 'opinion_sources.name']),
    )
      .limit(5000)
      .execute();
    const terms = new Map<string, number>();
    const sources = new Map<string, number>();
    const mix: Record<string, number> = { negative: 0, neutral: 0, positive: 0 };
    for (const s of sample as { tokens: string[]; sentiment_label: string; name: string }[]) {
      for (const t of new Set(s.tokens)) if (t.length > 1) terms.set(t, (terms.get(t) ?? 0) + 1);
      sources.set(s.name, (sources.get(s.name) ?? 0) + 1);
      mix[s.sentiment_label] = (mix[s.sentiment_label] ?? 0) + 1;
    }
    const top = <T,>(m: Map<string, number>, n: number, f: (k: string, c: number) => T) =>
      [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, c]) => f(k, c));
    const label = kind === 'incident'
      ? ((await tx.selectFrom('incidents').select('title').where('id', '=', incidentId!).executeTakeFirst())?.title ?? key)
      : value;
    const row = await tx
      .insertInto('opinion_bursts')
      .values({
        key,
        label,
        incident_id: incidentId,
        bucket_start: start,
        count,
        z: Number.isFinite(verdict.z) ? verdict.z : 999,
        top_terms: JSON.stringify(top(terms, 10, (term, c) => ({ term, count: c }))),
        top_sources: JSON.stringify(top(sources, 5, (name, c) => ({ name, count: c }))),
        sentiment_mix: JSON.stringify(mix),
        created_at: ctx.clock.now(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const lead = incidentId ? await tx.selectFrom('incidents').select('lead_department_id').where('id', '=', incidentId).executeTakeFirst() : undefined;
    record({
      type: BURST_EVENT,
      incidentId,
      userIds: await opinionWatchers(tx),
      deptIds: lead ? [lead.lead_department_id] : [],
      payload: { burst: toBurst(row) },
    });
  }
  const state = JSON.stringify({ detector: detector.toJSON(), lastEnd: end.toISOString() });
  await tx
    .insertInto('opinion_burst_state')
    .values({ key: STATE_KEY, state })
    .onConflict((oc) => oc.column('key').doUpdateSet({ state }))
    .execute();
  await ensureBucketTimer(tx, ctx.clock.now(), settings.bucketMinutes);
}

/** Analysts change the burst thresholds; the merged settings apply from the next bucket. */
export async function updateBurstSettings(ctx: AppContext, change: Partial<BurstSettings>): Promise<BurstSettings> {
  return ctx.db.transaction().execute(async (tx) => {
    const merged = { ...(await burstSettings(tx)), ...change };
    await saveBurstSettings(tx, merged, ctx.clock.now());
    return merged;
  });
}
