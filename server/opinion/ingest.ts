// The ingest pipeline: normalise → dedupe (source+guid, canonical URL, content hash) → understand (segment, rules,
// sentiment, topic classifier, incident keywords) → cluster near-duplicates by SimHash → store, in one transaction
// with its `opinion.items` event.
import { createHash } from 'node:crypto';
import type { PushItem } from '../../shared/opinion.ts';
import type { AppContext } from '../context.ts';
import type { Tx } from '../audit/event-log.ts';
import { transact, type RecordEvent } from '../db/transact.ts';
import { analyseText } from './text/pipeline.ts';
import { canonicalUrl, normalizeText } from './text/normalize.ts';
import { simhashToHex } from './text/simhash.ts';
import { opinionRuntime, refreshClassifier, type OpinionRuntime } from './runtime.ts';
import { opinionWatchers } from './audience.ts';

export const OPINION_ITEMS_EVENT = 'opinion.items';

export interface RawItem extends PushItem {
  /** Set by manual entry: the analyst links it at once. */
  incidentId?: string;
}

export interface IngestResult {
  added: number;
  duplicates: number;
  itemIds: number[];
}

interface Prepared {
  raw: RawItem;
  externalId: string | null;
  canonical: string | null;
  contentHash: string;
}

function prepare(raw: RawItem): Prepared {
  const title = normalizeText(raw.title ?? '');
  const content = normalizeText(raw.content);
  return {
    raw,
    externalId: raw.externalId?.trim() || null,
    canonical: raw.url ? canonicalUrl(raw.url) : null,
    contentHash: createHash('sha256').update(title).update('\n').update(content).digest('hex'),
  };
}

/** Drops what is already stored or repeated within the batch. */
async function withoutDuplicates(tx: Tx, sourceId: number, items: Prepared[]): Promise<Prepared[]> {
  const guids = items.map((i) => i.externalId).filter((g): g is string => !!g);
  const urls = items.map((i) => i.canonical).filter((u): u is string => !!u);
  const hashes = items.filter((i) => !i.externalId).map((i) => i.contentHash);
  const [byGuid, byUrl, byHash] = await Promise.all([
    guids.length
      ? tx.selectFrom('opinion_items').select('external_id').where('source_id', '=', sourceId).where('external_id', 'in', guids).execute()
      : [],
    urls.length ? tx.selectFrom('opinion_items').select('canonical_url').where('canonical_url', 'in', urls).execute() : [],
    hashes.length
      ? tx.selectFrom('opinion_items').select('content_hash').where('source_id', '=', sourceId).where('content_hash', 'in', hashes).execute()
      : [],
  ]);
  const seenGuid = new Set(byGuid.map((r) => r.external_id));
  const seenUrl = new Set(byUrl.map((r) => r.canonical_url));
  const seenHash = new Set(byHash.map((r) => r.content_hash));
  const kept: Prepared[] = [];
  for (const item of items) {
    if (item.externalId ? seenGuid.has(item.externalId) : seenHash.has(item.contentHash)) continue;
    if (item.canonical && seenUrl.has(item.canonical)) continue;
    if (item.externalId) seenGuid.add(item.externalId);
    else seenHash.add(item.contentHash);
    if (item.canonical) seenUrl.add(item.canonical);
    kept.push(item);
  }
  return kept;
}

async function incidentKeywords(tx: Tx) {
  const rows = await tx.selectFrom('incidents').select(['id', 'keywords']).where('status', '=', 'open').execute();
  return rows.filter((r) => r.keywords.length).map((r) => ({ incidentId: String(r.id), keywords: r.keywords }));
}

async function topicRules(tx: Tx) {
  const rows = await tx.selectFrom('opinion_topics').select(['id', 'name', 'keywords', 'excludes']).where('enabled', '=', true).execute();
  return rows.map((r) => ({ id: String(r.id), name: r.name, keywords: r.keywords, excludes: r.excludes }));
}

/** Puts an item into the cluster of its nearest recent near-duplicate, creating the cluster on the first repost. */
async function clusterFor(tx: Tx, runtime: OpinionRuntime, hash: bigint, title: string, now: Date): Promise<number | null> {
  const near = runtime.simhashes.nearest(hash);
  if (!near) return null;
  if (near.clusterId !== null) {
    await tx
      .updateTable('opinion_clusters')
      .set((eb) => ({ size: eb('size', '+', 1), last_seen_at: now }))
      .where('id', '=', near.clusterId)
      .execute();
    return near.clusterId;
  }
  const cluster = await tx
    .insertInto('opinion_clusters')
    .values({ simhash: simhashToHex(near.hash), title, size: 2, first_seen_at: now, last_seen_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  await tx.updateTable('opinion_items').set({ cluster_id: cluster.id }).where('id', '=', near.itemId).execute();
  runtime.simhashes.setCluster(near.itemId, cluster.id);
  return cluster.id;
}

export async function ingestItems(ctx: AppContext, sourceId: number, raws: RawItem[]): Promise<IngestResult> {
  const runtime = await opinionRuntime(ctx);
  await refreshClassifier(ctx, runtime);
  const result: IngestResult = { added: 0, duplicates: 0, itemIds: [] };
  for (let i = 0; i < raws.length; i += 500) {
    const chunk = raws.slice(i, i + 500);
    const r = await transact(ctx, (tx, record) => ingestChunk(ctx, tx, record, runtime, sourceId, chunk));
    result.added += r.added;
    result.duplicates += r.duplicates;
    result.itemIds.push(...r.itemIds);
  }
  return result;
}

async function ingestChunk(
  ctx: AppContext,
  tx: Tx,
  record: RecordEvent,
  runtime: OpinionRuntime,
  sourceId: number,
  raws: RawItem[],
): Promise<IngestResult> {
  const now = ctx.clock.now();
  const source = await tx.selectFrom('opinion_sources').select(['id', 'name']).where('id', '=', sourceId).executeTakeFirstOrThrow();
  const fresh = await withoutDuplicates(tx, sourceId, raws.map(prepare));
  const duplicates = raws.length - fresh.length;
  if (fresh.length === 0) return { added: 0, duplicates, itemIds: [] };
  const [rules, incidents] = await Promise.all([topicRules(tx), incidentKeywords(tx)]);
  const rows = [];
  const pendingHashes: { hash: bigint; index: number }[] = [];
  for (const item of fresh) {
    const a = analyseText(
      { title: item.raw.title, content: item.raw.content },
      { segmenter: runtime.segmenter, rules, classifier: runtime.classifier ?? undefined, incidentKeywords: incidents },
    );
    const clusterId = await clusterFor(tx, runtime, a.simhash, item.raw.title || a.text.slice(0, 60), now);
    const incidentId = item.raw.incidentId ? Number(item.raw.incidentId) : a.incidentIds.length ? Number(a.incidentIds[0]) : null;
    pendingHashes.push({ hash: a.simhash, index: rows.length });
    rows.push({
      source_id: sourceId,
      external_id: item.externalId,
      url: item.raw.url ?? null,
      canonical_url: item.canonical,
      title: normalizeText(item.raw.title ?? ''),
      content: a.text,
      author: item.raw.author ?? null,
      published_at: item.raw.publishedAt ?? null,
      fetched_at: now,
      language: a.language,
      sentiment_label: a.sentiment.label,
      sentiment_score: a.sentiment.score,
      topics: a.topics,
      matched: JSON.stringify(a.matched),
      tokens: a.tokens.slice(0, 200),
      incident_id: incidentId,
      status: 'new' as const,
      content_hash: item.contentHash,
      simhash: simhashToHex(a.simhash),
      cluster_id: clusterId,
    });
  }
  // A concurrent poller may have stored the same item meanwhile: the unique indexes decide, and we skip it.
  const inserted = await tx.insertInto('opinion_items').values(rows).onConflict((oc) => oc.doNothing()).returning(['id', 'external_id', 'canonical_url', 'content_hash', 'cluster_id']).execute();
  const keyOf = (r: { external_id: string | null; canonical_url: string | null; content_hash: string }) =>
    `${r.external_id ?? ''}\u0000${r.canonical_url ?? ''}\u0000${r.content_hash}`;
  const byKey = new Map(inserted.map((r) => [keyOf(r), r]));
  for (const { hash, index } of pendingHashes) {
    const row = byKey.get(keyOf(rows[index]));
    if (row) runtime.simhashes.add({ itemId: row.id, clusterId: row.cluster_id, hash });
  }
  await tx
    .updateTable('opinion_sources')
    .set((eb) => ({ items_total: eb('items_total', '+', inserted.length) }))
    .where('id', '=', sourceId)
    .execute();
  if (inserted.length) {
    const stored = rows.filter((r) => byKey.has(keyOf(r)));
    const incidentIds = [...new Set(stored.map((r) => r.incident_id).filter((x): x is number => x !== null))];
    const deptRows = incidentIds.length
      ? await tx.selectFrom('incidents').select('lead_department_id').where('id', 'in', incidentIds).execute()
      : [];
    record({
      type: OPINION_ITEMS_EVENT,
      userIds: await opinionWatchers(tx),
      deptIds: deptRows.map((d) => d.lead_department_id),
      payload: {
        source: { id: String(source.id), name: source.name },
        count: inserted.length,
        items: stored.slice(0, 20).map((r) => ({
          id: String(byKey.get(keyOf(r))!.id),
          title: r.title || r.content.slice(0, 80),
          sentiment: r.sentiment_label,
          topics: r.topics,
          incidentId: r.incident_id === null ? null : String(r.incident_id),
        })),
      },
    });
  }
  return { added: inserted.length, duplicates: duplicates + (rows.length - inserted.length), itemIds: inserted.map((r) => r.id) };
}
