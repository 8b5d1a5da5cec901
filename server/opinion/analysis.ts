// Analysis for analysts and leaders: volume and sentiment over time, top terms and sources, bursts, and each
// release's response effect (volume and negative share in a window before versus after publication).
import { sql } from 'kysely';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { requireRole, type Actor } from '../auth/actor.ts';
import { invalid } from '../errors.ts';
import { toBurst } from './bursts.ts';

export const analysisQuerySchema = z.object({
  incidentId: z.string().regex(/^\d+$/).optional(),
  topic: z.string().max(100).optional(),
  hours: z.coerce.number().int().min(1).max(24 * 90).default(48),
  bucketMinutes: z.coerce.number().int().min(5).max(1440).default(60),
  windowHours: z.coerce.number().min(0.5).max(72).default(6),
});
type Query = z.infer<typeof analysisQuerySchema>;

export interface Window {
  volume: number;
  negativeShare: number;
}

export function negativeShare(negative: number, total: number): number {
  return total === 0 ? 0 : Math.round((negative / total) * 1000) / 1000;
}

function scoped(q: Query) {
  return (qb: any) => {
    let out = qb;
    if (q.incidentId) out = out.where('opinion_items.incident_id', '=', Number(q.incidentId));
    if (q.topic) out = out.where(sql<boolean>`${q.topic} = any(opinion_items.topics)`);
    return out;
  };
}

export async function windowStats(ctx: AppContext, q: Query, from: Date, to: Date): Promise<Window> {
  const row = await scoped(q)(
    ctx.db
      .selectFrom('opinion_items')
      .select([
        (eb: any) => eb.fn.countAll().as('total'),
        sql<number>`count(*) filter (where sentiment_label = 'negative')`.as('negative'),
      ])
      .where('fetched_at', '>=', from)
      .where('fetched_at', '<', to),
  ).executeTakeFirst();
  const total = Number(row?.total ?? 0);
  return { volume: total, negativeShare: negativeShare(Number(row?.negative ?? 0), total) };
}

export async function analysis(ctx: AppContext, actor: Actor, q: Query) {
  requireRole(actor, 'analyst', 'leader');
  if (q.hours * 60 / q.bucketMinutes > 2000) throw invalid('bucketMinutes', 'too many buckets for this period; choose larger buckets');
  const now = ctx.clock.now();
  const size = q.bucketMinutes * 60_000;
  const end = new Date(Math.floor(now.getTime() / size) * size + size);
  const start = new Date(end.getTime() - q.hours * 3_600_000);
  const rows = await scoped(q)(
    ctx.db
      .selectFrom('opinion_items')
      .select([
        sql<number>`floor(extract(epoch from fetched_at) * 1000 / ${size})`.as('bucket'),
        'sentiment_label',
        (eb: any) => eb.fn.countAll().as('n'),
      ])
      .where('fetched_at', '>=', start)
      .where('fetched_at', '<', end)
      .groupBy(['bucket', 'sentiment_label']),
  ).execute();
  const buckets = new Map<number, { t: string; total: number; negative: number; neutral: number; positive: number }>();
  for (let t = start.getTime(); t < end.getTime(); t += size) buckets.set(Math.floor(t / size), { t: new Date(t).toISOString(), total: 0, negative: 0, neutral: 0, positive: 0 });
  for (const r of rows as { bucket: number; sentiment_label: 'negative' | 'neutral' | 'positive'; n: number }[]) {
    const b = buckets.get(Number(r.bucket));
    if (!b) continue;
    b[r.sentiment_label] += Number(r.n);
    b.total += Number(r.n);
  }
  const termRows = (
    await sql<{ term: string; n: number }>`
      select t.term, count(*)::int as n
      from opinion_items, unnest(opinion_items.tokens) as t(term)
      where opinion_items.fetched_at >= ${start}
        and length(t.term) > 1
        ${q.incidentId ? sql`and opinion_items.incident_id = ${Number(q.incidentId)}` : sql``}
        ${q.topic ? sql`and ${q.topic} = any(opinion_items.topics)` : sql``}
      group by t.term
      order by n desc, t.term
      limit 20`.execute(ctx.db)
  ).rows;
  const sourceRows = await scoped(q)(
    ctx.db
      .selectFrom('opinion_items')
      .innerJoin('opinion_sources', 'opinion_sources.id', 'opinion_items.source_id')
      .select(['opinion_sources.name', (eb: any) => eb.fn.countAll().as('n')])
      .where('opinion_items.fetched_at', '>=', start)
      .groupBy('opinion_sources.name')
      .orderBy(sql`count(*)`, 'desc')
      .limit(10),
  ).execute();
  let burstQuery = ctx.db.selectFrom('opinion_bursts').selectAll().where('created_at', '>=', start);
  if (q.incidentId) burstQuery = burstQuery.where('incident_id', '=', Number(q.incidentId));
  if (q.topic) burstQuery = burstQuery.where('key', '=', `topic:${q.topic}`);
  const bursts = (await burstQuery.orderBy('created_at', 'desc').limit(50).execute()).map(toBurst);

  const releaseEffects = [];
  if (q.incidentId) {
    const releases = await ctx.db
      .selectFrom('releases')
      .select(['id', 'kind', 'title', 'published_at'])
      .where('incident_id', '=', Number(q.incidentId))
      .where('published_at', 'is not', null)
      .orderBy('published_at')
      .execute();
    const w = q.windowHours * 3_600_000;
    for (const r of releases) {
      const at = r.published_at!;
      releaseEffects.push({
        releaseId: String(r.id),
        kind: r.kind,
        title: r.title,
        publishedAt: at.toISOString(),
        windowHours: q.windowHours,
        before: await windowStats(ctx, q, new Date(at.getTime() - w), at),
        after: await windowStats(ctx, q, at, new Date(Math.min(at.getTime() + w, now.getTime() + 1))),
        afterComplete: at.getTime() + w <= now.getTime(),
      });
    }
  }
  return {
    serverNow: now.toISOString(),
    from: start.toISOString(),
    to: end.toISOString(),
    bucketMinutes: q.bucketMinutes,
    series: [...buckets.values()],
    topTerms: (termRows as { term: string; n: number }[]).map((r) => ({ term: r.term, count: Number(r.n) })),
    topSources: (sourceRows as { name: string; n: number }[]).map((r) => ({ name: r.name, count: Number(r.n) })),
    bursts,
    releaseEffects,
  };
}

/** The dashboard's opinion strip: the last 24 hours. */
export async function opinionSummary(ctx: AppContext) {
  const now = ctx.clock.now();
  const from = new Date(now.getTime() - 24 * 3_600_000);
  const stats = await windowStats(ctx, { hours: 24, bucketMinutes: 60, windowHours: 6 }, from, new Date(now.getTime() + 1));
  const bursts = (await ctx.db.selectFrom('opinion_bursts').selectAll().where('created_at', '>=', from).orderBy('created_at', 'desc').limit(10).execute()).map(toBurst);
  return { volume: stats.volume, negativeShare: stats.negativeShare, bursts };
}
