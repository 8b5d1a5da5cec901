// The public site's reads. Only releases that were published (status 'published', or 'retracted' after being
// published) and carry a publication time ever leave here, and a retracted release's body never leaves the
// database: the query itself withholds it.
import { sql } from 'kysely';
import type { AppContext } from '../context.ts';
import type { Category, ReleaseKind, Severity } from '../../shared/domain.ts';
import { byPublication, type ListedRelease, type PublicIncident, type PublicRelease, type ReleaseContext, type ReleaseRef } from './model.ts';

const PUBLIC_STATUSES = ['published', 'retracted'] as const;
type PublicStatus = (typeof PUBLIC_STATUSES)[number];

/** Releases the public may see, joined with their incident. */
function listedQuery(ctx: AppContext) {
  return ctx.db
    .selectFrom('releases as r')
    .innerJoin('incidents as i', 'i.id', 'r.incident_id')
    .select([
      'r.id',
      'r.incident_id',
      'r.kind',
      'r.title',
      sql<string>`case when r.status = 'published' then r.body else '' end`.as('body'),
      'r.status',
      'r.published_at',
      'r.retracted_at',
      sql<string | null>`case when r.status = 'retracted' then r.retract_reason else null end`.as('retract_reason'),
      'r.corrects_release_id',
      'i.title as incident_title',
      'i.category as incident_category',
      'i.severity as incident_severity',
      'i.location as incident_location',
      'i.keywords as incident_keywords',
      'i.status as incident_status',
      'i.updated_at as incident_updated_at',
    ])
    .where('r.status', 'in', PUBLIC_STATUSES)
    .where('r.published_at', 'is not', null);
}

type ListedRow = Awaited<ReturnType<ReturnType<typeof listedQuery>['execute']>>[number];

function toListed(row: ListedRow): ListedRelease {
  const incident: PublicIncident = {
    id: row.incident_id,
    title: row.incident_title,
    category: row.incident_category as Category,
    severity: row.incident_severity as Severity,
    location: row.incident_location,
    keywords: row.incident_keywords,
    status: row.incident_status,
    updatedAt: row.incident_updated_at,
  };
  const status = row.status as PublicStatus;
  const release: PublicRelease = {
    id: row.id,
    incidentId: row.incident_id,
    kind: row.kind,
    title: row.title,
    body: status === 'published' ? row.body : '',
    status,
    publishedAt: row.published_at!,
    retractedAt: status === 'retracted' ? row.retracted_at : null,
    retractReason: status === 'retracted' ? row.retract_reason : null,
    correctsReleaseId: row.corrects_release_id,
  };
  return { ...release, incident };
}

/** Short references to public releases. */
function refQuery(ctx: AppContext) {
  return ctx.db
    .selectFrom('releases')
    .select(['id', 'incident_id', 'kind', 'title', 'status', 'published_at', 'retracted_at'])
    .where('status', 'in', PUBLIC_STATUSES)
    .where('published_at', 'is not', null);
}

type RefRow = Awaited<ReturnType<ReturnType<typeof refQuery>['execute']>>[number];

function toRef(row: RefRow): ReleaseRef {
  const status = row.status as PublicStatus;
  return {
    id: row.id,
    incidentId: row.incident_id,
    kind: row.kind as ReleaseKind,
    title: row.title,
    status,
    publishedAt: row.published_at!,
    retractedAt: status === 'retracted' ? row.retracted_at : null,
  };
}

/** Public releases, newest first. */
export async function listPublicReleases(ctx: AppContext, limit: number): Promise<ListedRelease[]> {
  const rows = await listedQuery(ctx).orderBy('r.published_at', 'desc').orderBy('r.id', 'desc').limit(limit).execute();
  return rows.map(toListed);
}

/** Every public release of these incidents, oldest first per incident. */
export async function threadsOf(ctx: AppContext, incidentIds: number[]): Promise<Map<number, ReleaseRef[]>> {
  const threads = new Map<number, ReleaseRef[]>();
  const ids = [...new Set(incidentIds)];
  if (ids.length === 0) return threads;
  const rows = await refQuery(ctx).where('incident_id', 'in', ids).orderBy('published_at').orderBy('id').execute();
  for (const row of rows) {
    const ref = toRef(row);
    const list = threads.get(ref.incidentId) ?? [];
    list.push(ref);
    threads.set(ref.incidentId, list);
  }
  return threads;
}

async function refsById(ctx: AppContext, ids: number[]): Promise<Map<number, ReleaseRef>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await refQuery(ctx).where('id', 'in', unique).execute();
  return new Map(rows.map((row) => [row.id, toRef(row)]));
}

/** One public release with its context, or null when there is no such public release (a draft is null too). */
export async function getPublicRelease(ctx: AppContext, id: number): Promise<ReleaseContext | null> {
  const row = await listedQuery(ctx).where('r.id', '=', id).executeTakeFirst();
  if (!row) return null;
  const { incident, ...release } = toListed(row);
  const [threads, corrects, correctedBy] = await Promise.all([
    threadsOf(ctx, [release.incidentId]),
    release.correctsReleaseId === null ? Promise.resolve(new Map<number, ReleaseRef>()) : refsById(ctx, [release.correctsReleaseId]),
    refQuery(ctx).where('corrects_release_id', '=', id).orderBy('published_at').orderBy('id').execute(),
  ]);
  return {
    release,
    incident,
    thread: threads.get(release.incidentId) ?? [],
    corrects: release.correctsReleaseId === null ? null : (corrects.get(release.correctsReleaseId) ?? null),
    correctedBy: correctedBy.map(toRef),
  };
}

/** The newest public releases, each with the context its CAP message needs (thread and corrected release). */
export async function listCapContexts(ctx: AppContext, limit: number): Promise<{ listed: ListedRelease; context: ReleaseContext }[]> {
  const listed = await listPublicReleases(ctx, limit);
  const threads = await threadsOf(ctx, listed.map((r) => r.incidentId));
  const known = new Map<number, ReleaseRef>();
  for (const thread of threads.values()) for (const ref of thread) known.set(ref.id, ref);
  const missing = listed.map((r) => r.correctsReleaseId).filter((id): id is number => id !== null && !known.has(id));
  for (const [id, ref] of await refsById(ctx, missing)) known.set(id, ref);
  return listed.map((r) => {
    const { incident, ...release } = r;
    const thread = (threads.get(r.incidentId) ?? []).slice().sort(byPublication);
    const corrects = r.correctsReleaseId === null ? null : (known.get(r.correctsReleaseId) ?? null);
    return { listed: r, context: { release, incident, thread, corrects, correctedBy: [] } };
  });
}
