import type { Selectable } from 'kysely';
import type { OpinionItem, OpinionSource, OpinionTopic } from '../../shared/opinion.ts';
import type { OpinionItemsTable, OpinionSourcesTable, OpinionTopicsTable } from '../db/schema.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toSource(r: Selectable<OpinionSourcesTable>, showToken: boolean): OpinionSource {
  return {
    id: String(r.id),
    name: r.name,
    kind: r.kind,
    url: r.url,
    pollSeconds: r.poll_seconds,
    enabled: r.enabled,
    token: showToken ? r.token : null,
    lastSuccessAt: iso(r.last_success_at),
    lastError: r.last_error,
    lastErrorAt: iso(r.last_error_at),
    failures: r.failures,
    nextPollAt: iso(r.next_poll_at),
    itemsTotal: r.items_total,
  };
}

export function toItem(r: Selectable<OpinionItemsTable> & { source_name: string; cluster_size: number | null }): OpinionItem {
  return {
    id: String(r.id),
    sourceId: String(r.source_id),
    sourceName: r.source_name,
    url: r.url,
    title: r.title,
    content: r.content,
    author: r.author,
    publishedAt: iso(r.published_at),
    fetchedAt: r.fetched_at.toISOString(),
    language: r.language,
    sentiment: { label: r.sentiment_label, score: r.sentiment_score },
    topics: r.topics,
    matched: r.matched as OpinionItem['matched'],
    incidentId: r.incident_id === null ? null : String(r.incident_id),
    status: r.status,
    departmentId: r.department_id === null ? null : String(r.department_id),
    clusterId: r.cluster_id === null ? null : String(r.cluster_id),
    clusterSize: r.cluster_size ?? 1,
    triagedAt: iso(r.triaged_at),
  };
}

export function toTopic(r: Selectable<OpinionTopicsTable>): OpinionTopic {
  return { id: String(r.id), name: r.name, keywords: r.keywords, excludes: r.excludes, enabled: r.enabled };
}
