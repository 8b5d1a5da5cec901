// The JSON a channel receives: the release as published (or retracted), its incident, and when it was sent.
import type { Database } from '../db/connect.ts';
import type { DeliveryAction } from './service.ts';

export interface ReleaseMessage {
  action: DeliveryAction;
  release: {
    id: string;
    incidentId: string;
    kind: 'initial' | 'update' | 'clarification' | 'correction';
    title: string;
    body: string;
    publishedAt: string | null;
    retractedAt: string | null;
    retractReason: string | null;
    /** The release a correction corrects. */
    correctsReleaseId: string | null;
    /** The release's page on the public site, when a public base URL is configured. */
    url?: string;
  };
  incident: { id: string; title: string; severity: string; category: string; location: string };
  sentAt: string;
}

export async function loadReleaseMessage(
  db: Database,
  releaseId: number,
  action: DeliveryAction,
  sentAt: Date,
  publicBaseUrl?: string,
): Promise<ReleaseMessage | null> {
  const r = await db
    .selectFrom('releases')
    .innerJoin('incidents', 'incidents.id', 'releases.incident_id')
    .select([
      'releases.id',
      'releases.incident_id',
      'releases.kind',
      'releases.title',
      'releases.body',
      'releases.published_at',
      'releases.retracted_at',
      'releases.retract_reason',
      'releases.corrects_release_id',
      'incidents.title as incident_title',
      'incidents.severity',
      'incidents.category',
      'incidents.location',
    ])
    .where('releases.id', '=', releaseId)
    .executeTakeFirst();
  if (!r) return null;
  return {
    action,
    release: {
      id: String(r.id),
      incidentId: String(r.incident_id),
      kind: r.kind,
      title: r.title,
      body: r.body,
      publishedAt: r.published_at ? r.published_at.toISOString() : null,
      retractedAt: r.retracted_at ? r.retracted_at.toISOString() : null,
      retractReason: r.retract_reason,
      correctsReleaseId: r.corrects_release_id === null ? null : String(r.corrects_release_id),
      ...(publicBaseUrl && { url: `${publicBaseUrl.replace(/\/+$/, '')}/public/releases/${r.id}` }),
    },
    incident: {
      id: String(r.incident_id),
      title: r.incident_title,
      severity: r.severity,
      category: r.category,
      location: r.location,
    },
    sentAt: sentAt.toISOString(),
  };
}
