// Reading opinion items: the filtered, cursor-paged list and single loads.
import { sql } from 'kysely';
import type { z } from 'zod';
import type { OpinionItem, itemsQuerySchema } from '../../shared/opinion.ts';
import type { AppContext } from '../context.ts';
import { requireRole, type Actor } from '../auth/actor.ts';
import { toItem } from './mapper.ts';

function baseQuery(ctx: AppContext) {
  return ctx.db
    .selectFrom('opinion_items')
    .innerJoin('opinion_sources', 'opinion_sources.id', 'opinion_items.source_id')
    .leftJoin('opinion_clusters', 'opinion_clusters.id', 'opinion_items.cluster_id')
    .selectAll('opinion_items')
    .select(['opinion_sources.name as source_name', 'opinion_clusters.size as cluster_size']);
}

export async function loadItems(ctx: AppContext, ids: number[]): Promise<OpinionItem[]> {
  if (ids.length === 0) return [];
  const rows = await baseQuery(ctx).where('opinion_items.id', 'in', ids).orderBy('opinion_items.id', 'desc').execute();
  return rows.map(toItem);
}

export async function listItems(ctx: AppContext, actor: Actor, q: z.infer<typeof itemsQuerySchema>): Promise<{ items: OpinionItem[]; nextCursor: string | null }> {
  requireRole(actor, 'analyst', 'leader');
  let query = baseQuery(ctx);
  if (q.incidentId) query = query.where('opinion_items.incident_id', '=', Number(q.incidentId));
  if (q.topic) query = query.where(sql<boolean>`${q.topic} = any(opinion_items.topics)`);
  if (q.sentiment) query = query.where('opinion_items.sentiment_label', '=', q.sentiment);
  if (q.status) query = query.where('opinion_items.status', '=', q.status);
  if (q.q) {
    const like = `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) => eb.or([eb('opinion_items.title', 'like', like), eb('opinion_items.content', 'like', like)]));
  }
  if (q.before) query = query.where('opinion_items.id', '<', q.before);
  // Cluster view: one row per story (its first item), carrying the repost count.
  if (q.clustered === '1' || q.clustered === 'true') {
    query = query.where((eb) =>
      eb.or([
        eb('opinion_items.cluster_id', 'is', null),
        eb('opinion_items.id', '=', eb.selectFrom('opinion_items as first').select((f) => f.fn.min('first.id').as('m')).whereRef('first.cluster_id', '=', 'opinion_items.cluster_id')),
      ]),
    );
  }
  const rows = await query.orderBy('opinion_items.id', 'desc').limit(q.limit + 1).execute();
  const page = rows.slice(0, q.limit);
  return { items: page.map(toItem), nextCursor: rows.length > q.limit ? String(page[page.length - 1].id) : null };
}
