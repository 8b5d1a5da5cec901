// Releases: draft → in_review → approved → (scheduled →) published; reject back to draft; retract or correct.
// Publishing meets the incident's clocks and starts the follow-up clock, in the same transaction.
import { sql, type Selectable } from 'kysely';
import type { Release, ReleaseDetail, ReleaseReview, ReviewCheck } from '../../shared/domain.ts';
import { RELEASE_EVENT } from '../../shared/events.ts';
import type { CreateReleaseInput, PatchReleaseInput } from '../../shared/schemas.ts';
import type { AppContext } from '../context.ts';
import type { Tx } from '../audit/event-log.ts';
import { transact, type RecordEvent } from '../db/transact.ts';
import type { ReleasesTable, ReleaseReviewsTable } from '../db/schema.ts';
import { hasRole, requireRole, type Actor } from '../auth/actor.ts';
import { conflict, forbidden, invalid, invalidState, notFound } from '../errors.ts';
import { incidentAudience, visibleTo } from '../incidents/visibility.ts';
import { meetClocks, startFollowUp } from '../deadlines/service.ts';
import { enqueueDeliveries } from '../channels/service.ts';
import { approvalsMissing, approverCapacity, stepRefusal, type ReleaseStep } from './workflow.ts';

export const TIMER_PUBLISH = 'release.publish';
const PAST_TOLERANCE_MS = 60_000;

type ReleaseRow = Selectable<ReleasesTable>;
type ReviewRow = Selectable<ReleaseReviewsTable> & { reviewer_name: string };
interface IncidentFacts {
  id: number;
  title: string;
  status: string;
  sensitive: boolean;
  lead_department_id: number;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toReview(r: ReviewRow): ReleaseReview {
  return {
    id: String(r.id),
    version: r.version,
    reviewerId: String(r.reviewer_id),
    reviewerName: r.reviewer_name,
    departmentId: String(r.department_id),
    asCoordinating: r.as_coordinating,
    decision: r.decision,
    comment: r.comment,
    checklist: r.checklist as Record<ReviewCheck, boolean>,
    at: r.at.toISOString(),
  };
}

function currentApprovals(row: ReleaseRow, reviews: ReviewRow[]) {
  // Approvals count for the version under review, and only since it was last sent back.
  const lastReject = Math.max(0, ...reviews.filter((r) => r.release_id === row.id && r.decision === 'rejected').map((r) => r.id));
  return reviews.filter((r) => r.release_id === row.id && r.decision === 'approved' && r.version === row.version && r.id > lastReject);
}

function toRelease(row: ReleaseRow, reviews: ReviewRow[], incident: IncidentFacts): Release {
  const approvals = currentApprovals(row, reviews);
  const waiting = row.status === 'in_review' || row.status === 'draft';
  return {
    id: String(row.id),
    incidentId: String(row.incident_id),
    kind: row.kind,
    title: row.title,
    body: row.body,
    status: row.status,
    version: row.version,
    opinionItemIds: row.opinion_item_ids.map(String),
    correctsReleaseId: row.corrects_release_id === null ? null : String(row.corrects_release_id),
    approvals: approvals.map(toReview),
    approvalsNeeded: waiting
      ? approvalsMissing(
          approvals.map((a) => ({ reviewerId: a.reviewer_id, departmentId: a.department_id, asCoordinating: a.as_coordinating })),
          incident.sensitive,
          incident.lead_department_id,
        )
      : [],
    publishAt: iso(row.publish_at),
    publishedAt: iso(row.published_at),
    retractedAt: iso(row.retracted_at),
    retractReason: row.retract_reason,
    createdBy: String(row.created_by),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

async function reviewsOf(tx: Pick<Tx, 'selectFrom'>, releaseIds: number[]): Promise<ReviewRow[]> {
  if (releaseIds.length === 0) return [];
  return tx
    .selectFrom('release_reviews')
    .innerJoin('users', 'users.id', 'release_reviews.reviewer_id')
    .selectAll('release_reviews')
    .select('users.name as reviewer_name')
    .where('release_id', 'in', releaseIds)
    .orderBy('release_reviews.id')
    .execute();
}

async function incidentFacts(tx: Pick<Tx, 'selectFrom'>, incidentId: number): Promise<IncidentFacts> {
  return tx
    .selectFrom('incidents')
    .select(['id', 'title', 'status', 'sensitive', 'lead_department_id'])
    .where('id', '=', incidentId)
    .executeTakeFirstOrThrow();
}

async function loadRelease(tx: Pick<Tx, 'selectFrom'>, id: number): Promise<Release> {
  const row = await tx.selectFrom('releases').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  return toRelease(row, await reviewsOf(tx, [id]), await incidentFacts(tx, row.incident_id));
}

/** Releases of incidents (for the incident detail and the review queue). */
export async function releasesOf(tx: Pick<Tx, 'selectFrom'>, incidentIds: number[]): Promise<Release[]> {
  if (incidentIds.length === 0) return [];
  const rows = await tx.selectFrom('releases').selectAll().where('incident_id', 'in', incidentIds).orderBy('id').execute();
  const reviews = await reviewsOf(tx, rows.map((r) => r.id));
  const incidents = new Map<number, IncidentFacts>();
  for (const id of new Set(rows.map((r) => r.incident_id))) incidents.set(id, await incidentFacts(tx, id));
  return rows.map((r) => toRelease(r, reviews, incidents.get(r.incident_id)!));
}

async function visibleIncident(tx: Pick<Tx, 'selectFrom'>, actor: Actor, incidentId: number): Promise<IncidentFacts> {
  const row = await tx
    .selectFrom('incidents')
    .select(['id', 'title', 'status', 'sensitive', 'lead_department_id'])
    .where('id', '=', incidentId)
    .where(visibleTo(actor))
    .executeTakeFirst();
  if (!row) throw notFound('incident');
  return row;
}

/** Locks a release the actor may see, checks the step is allowed from its state (422) and the version (409). */
async function lockForStep(tx: Tx, actor: Actor, id: number, step: ReleaseStep, version?: number) {
  const row = await tx.selectFrom('releases').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw notFound('release');
  const incident = await visibleIncident(tx, actor, row.incident_id).catch(() => {
    throw notFound('release');
  });
  const refusal = stepRefusal(step, row.status);
  if (refusal) throw invalidState(refusal);
  if (version !== undefined && version !== row.version) {
    throw conflict(`the release was changed (your version ${version}, current ${row.version}); reload it`);
  }
  return { row, incident };
}

function releaseEvent(type: string, actor: Actor | null, incident: IncidentFacts, audience: number[], release: Release, extra: Record<string, unknown> = {}) {
  return {
    type,
    incidentId: incident.id,
    actorId: actor?.id ?? null,
    deptIds: audience,
    payload: { release, incidentTitle: incident.title, by: actor?.name ?? null, ...extra },
  };
}

export async function createRelease(ctx: AppContext, actor: Actor, incidentId: number, input: CreateReleaseInput): Promise<Release> {
  requireRole(actor, 'spokesperson');
  return transact(ctx, async (tx, record) => {
    const incident = await visibleIncident(tx, actor, incidentId);
    if (incident.status !== 'open' && input.kind !== 'correction') throw invalidState('the incident is closed; only a correction can be released');
    let correctsId: number | null = null;
    if (input.kind === 'correction') {
      if (!input.correctsReleaseId) throw invalid('correctsReleaseId', 'a correction must name the release it corrects');
      const target = await tx
        .selectFrom('releases')
        .select(['id', 'status', 'incident_id'])
        .where('id', '=', Number(input.correctsReleaseId))
        .executeTakeFirst();
      if (!target || target.incident_id !== incidentId || !['published', 'retracted'].includes(target.status)) {
        throw invalid('correctsReleaseId', 'must be a published release of this incident');
      }
      correctsId = target.id;
    } else if (input.correctsReleaseId) throw invalid('correctsReleaseId', 'only a correction corrects a release');
    const now = ctx.clock.now();
    const row = await tx
      .insertInto('releases')
      .values({
        incident_id: incidentId,
        kind: input.kind,
        title: input.title,
        body: input.body,
        status: 'draft',
        version: 1,
        opinion_item_ids: input.opinionItemIds.map(Number),
        corrects_release_id: correctsId,
        created_by: actor.id,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await tx
      .insertInto('release_revisions')
      .values({ release_id: row.id, version: 1, title: row.title, body: row.body, edited_by: actor.id, edited_at: now })
      .execute();
    const release = toRelease(row, [], incident);
    record(releaseEvent(RELEASE_EVENT.created, actor, incident, await incidentAudience(tx, incident.id, incident.lead_department_id), release));
    return release;
  });
}

export async function editRelease(ctx: AppContext, actor: Actor, id: number, input: PatchReleaseInput): Promise<Release> {
  requireRole(actor, 'spokesperson');
  return transact(ctx, async (tx, record) => {
    const { row, incident } = await lockForStep(tx, actor, id, 'edit', input.version);
    const title = input.title ?? row.title;
    const body = input.body ?? row.body;
    const opinionIds = input.opinionItemIds ? input.opinionItemIds.map(Number) : row.opinion_item_ids;
    if (title === row.title && body === row.body && opinionIds.join() === row.opinion_item_ids.join()) return loadRelease(tx, id);
    const now = ctx.clock.now();
    const version = row.version + 1;
    await tx
      .updateTable('releases')
      .set({ title, body, opinion_item_ids: opinionIds, version, updated_at: now })
      .where('id', '=', id)
      .execute();
    await tx.insertInto('release_revisions').values({ release_id: id, version, title, body, edited_by: actor.id, edited_at: now }).execute();
    const release = await loadRelease(tx, id);
    record(releaseEvent(RELEASE_EVENT.updated, actor, incident, await incidentAudience(tx, incident.id, incident.lead_department_id), release));
    return release;
  });
}

/** `version`, when given, must be the version the spokesperson is looking at. */
export async function submitRelease(ctx: AppContext, actor: Actor, id: number, version?: number): Promise<Release> {
  requireRole(actor, 'spokesperson');
  return transact(ctx, async (tx, record) => {
    const { incident } = await lockForStep(tx, actor, id, 'submit', version);
    await tx.updateTable('releases').set({ status: 'in_review', updated_at: ctx.clock.now() }).where('id', '=', id).execute();
    const release = await loadRelease(tx, id);
    // Leaders who can approve it hear about it personally: the review queue's live count.
    const approvers = await tx
      .selectFrom('users')
      .innerJoin('departments', 'departments.id', 'users.department_id')
      .select('users.id')
      .where(sql<boolean>`'leader' = any(users.roles)`)
      .where((eb) =>
        incident.sensitive
          ? eb.or([eb('departments.id', '=', incident.lead_department_id), eb('departments.coordinating', '=', true)])
          : eb('departments.id', '=', incident.lead_department_id),
      )
      .execute();
    record({
      ...releaseEvent(RELEASE_EVENT.submitted, actor, incident, await incidentAudience(tx, incident.id, incident.lead_department_id), release),
      userIds: approvers.map((a) => a.id),
      notify: true,
    });
    return release;
  });
}

export async function approveRelease(
  ctx: AppContext,
  actor: Actor,
  id: number,
  input: { version: number; checklist: Record<ReviewCheck, true>; comment: string },
): Promise<Release> {
  requireRole(actor, 'leader');
  return transact(ctx, async (tx, record) => {
    const { row, incident } = await lockForStep(tx, actor, id, 'approve', input.version);
    const capacity = approverCapacity(actor, incident.sensitive, incident.lead_department_id);
    if (!capacity) {
      throw forbidden(
        incident.sensitive
          ? 'only a leader of the lead department or of a coordinating department may approve this release'
          : 'only a leader of the lead department may approve this release',
      );
    }
    const reviews = await reviewsOf(tx, [id]);
    if (currentApprovals(row, reviews).some((r) => r.reviewer_id === actor.id)) throw invalidState('you have already approved this version');
    const now = ctx.clock.now();
    await tx
      .insertInto('release_reviews')
      .values({
        release_id: id,
        version: row.version,
        reviewer_id: actor.id,
        department_id: actor.departmentId,
        as_coordinating: capacity === 'coordinating',
        decision: 'approved',
        comment: input.comment,
        checklist: JSON.stringify(input.checklist),
        at: now,
      })
      .execute();
    const complete = (await loadRelease(tx, id)).approvalsNeeded.length === 0;
    await tx
      .updateTable('releases')
      .set({ ...(complete && { status: 'approved' as const }), updated_at: now })
      .where('id', '=', id)
      .execute();
    const release = await loadRelease(tx, id);
    record(releaseEvent(RELEASE_EVENT.approved, actor, incident, await incidentAudience(tx, incident.id, incident.lead_department_id), release, { comment: input.comment }));
    return release;
  });
}

export async function rejectRelease(ctx: AppContext, actor: Actor, id: number, input: { version: number; comment: string }): Promise<Release> {
  requireRole(actor, 'leader');
  return transact(ctx, async (tx, record) => {
    const { row, incident } = await lockForStep(tx, actor, id, 'reject', input.version);
    if (!approverCapacity(actor, incident.sensitive, incident.lead_department_id)) throw forbidden('you may not review this release');
    const now = ctx.clock.now();
    await tx
      .insertInto('release_reviews')
      .values({
        release_id: id,
        version: row.version,
        reviewer_id: actor.id,
        department_id: actor.departmentId,
        as_coordinating: actor.departmentId !== incident.lead_department_id,
        decision: 'rejected',
        comment: input.comment,
        checklist: '{}',
        at: now,
      })
      .execute();
    await tx.updateTable('releases').set({ status: 'draft', updated_at: now }).where('id', '=', id).execute();
    const release = await loadRelease(tx, id);
    record({
      ...releaseEvent(RELEASE_EVENT.rejected, actor, incident, await incidentAudience(tx, incident.id, incident.lead_department_id), release, { comment: input.comment }),
      userIds: [row.created_by],
      notify: true,
    });
    return release;
  });
}

/** Publishes now, or schedules for `at` when it lies in the future. */
export async function publishRelease(ctx: AppContext, actor: Actor, id: number, at?: string): Promise<Release> {
  requireRole(actor, 'spokesperson');
  return transact(ctx, async (tx, record) => {
    const { incident } = await lockForStep(tx, actor, id, 'publish');
    const now = ctx.clock.now();
    const when = at ? new Date(at) : null;
    // A stale tab or a skewed clock must not turn "schedule" into "publish now".
    if (when && when.getTime() < now.getTime() - PAST_TOLERANCE_MS) throw invalid('at', 'is in the past; choose a later time or publish now');
    if (when && when.getTime() > now.getTime() + 1000) {
      await tx.updateTable('releases').set({ status: 'scheduled', publish_at: when, updated_at: now }).where('id', '=', id).execute();
      await tx
        .insertInto('timers')
        .values({ kind: TIMER_PUBLISH, ref_id: id, run_at: when, payload: JSON.stringify({ at: when.toISOString() }), created_at: now })
        .execute();
      const release = await loadRelease(tx, id);
      record(releaseEvent(RELEASE_EVENT.scheduled, actor, incident, await incidentAudience(tx, incident.id, incident.lead_department_id), release));
      return release;
    }
    return publishNow(ctx, tx, record, id, incident, actor);
  });
}

async function publishNow(ctx: AppContext, tx: Tx, record: RecordEvent, id: number, incident: IncidentFacts, actor: Actor | null): Promise<Release> {
  const now = ctx.clock.now();
  const row = await tx
    .updateTable('releases')
    .set({ status: 'published', published_at: now, publish_at: null, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await meetClocks(ctx, tx, record, { incidentId: incident.id, kind: 'first_release', at: now });
  await meetClocks(ctx, tx, record, { incidentId: incident.id, kind: 'follow_up', at: now });
  if (row.opinion_item_ids.length) {
    await meetClocks(ctx, tx, record, { incidentId: incident.id, kind: 'opinion_response', at: now, opinionItemIds: row.opinion_item_ids });
  }
  await startFollowUp(ctx, tx, record, incident.id, now);
  await enqueueDeliveries(tx, { releaseId: id, action: 'published', now });
  const release = await loadRelease(tx, id);
  record(releaseEvent(RELEASE_EVENT.published, actor, incident, await incidentAudience(tx, incident.id, incident.lead_department_id), release));
  return release;
}

/** Timer: a scheduled release falls due. Publishes it once; a release pulled back or rescheduled is left alone. */
export async function onPublishTimer(ctx: AppContext, tx: Tx, record: RecordEvent, timer: { ref_id: number; payload: Record<string, unknown> }) {
  const row = await tx.selectFrom('releases').selectAll().where('id', '=', timer.ref_id).forUpdate().executeTakeFirst();
  if (!row || row.status !== 'scheduled' || row.publish_at?.toISOString() !== timer.payload.at) return;
  await publishNow(ctx, tx, record, row.id, await incidentFacts(tx, row.incident_id), null);
}

export async function unscheduleRelease(ctx: AppContext, actor: Actor, id: number): Promise<Release> {
  requireRole(actor, 'spokesperson', 'leader');
  return transact(ctx, async (tx, record) => {
    const { incident } = await lockForStep(tx, actor, id, 'unschedule');
    await tx.updateTable('releases').set({ status: 'approved', publish_at: null, updated_at: ctx.clock.now() }).where('id', '=', id).execute();
    await tx.deleteFrom('timers').where('kind', '=', TIMER_PUBLISH).where('ref_id', '=', id).where('fired_at', 'is', null).execute();
    const release = await loadRelease(tx, id);
    record(releaseEvent(RELEASE_EVENT.unscheduled, actor, incident, await incidentAudience(tx, incident.id, incident.lead_department_id), release));
    return release;
  });
}

export async function retractRelease(ctx: AppContext, actor: Actor, id: number, reason: string): Promise<Release> {
  if (!hasRole(actor, 'spokesperson', 'leader')) throw forbidden('this needs the role spokesperson or leader');
  return transact(ctx, async (tx, record) => {
    const { incident } = await lockForStep(tx, actor, id, 'retract');
    const now = ctx.clock.now();
    await tx
      .updateTable('releases')
      .set({ status: 'retracted', retracted_at: now, retract_reason: reason, updated_at: now })
      .where('id', '=', id)
      .execute();
    await enqueueDeliveries(tx, { releaseId: id, action: 'retracted', now });
    const release = await loadRelease(tx, id);
    record(releaseEvent(RELEASE_EVENT.retracted, actor, incident, await incidentAudience(tx, incident.id, incident.lead_department_id), release, { reason }));
    return release;
  });
}

export async function getRelease(ctx: AppContext, actor: Actor, id: number): Promise<ReleaseDetail> {
  const row = await ctx.db.selectFrom('releases').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('release');
  const incident = await visibleIncident(ctx.db, actor, row.incident_id).catch(() => {
    throw notFound('release');
  });
  const reviews = await reviewsOf(ctx.db, [id]);
  const revisions = await ctx.db
    .selectFrom('release_revisions')
    .innerJoin('users', 'users.id', 'release_revisions.edited_by')
    .select(['version', 'title', 'body', 'edited_by', 'edited_at', 'users.name'])
    .where('release_id', '=', id)
    .orderBy('version')
    .execute();
  return {
    ...toRelease(row, reviews, incident),
    revisions: revisions.map((r) => ({
      version: r.version,
      title: r.title,
      body: r.body,
      editedBy: String(r.edited_by),
      editedByName: r.name,
      editedAt: r.edited_at.toISOString(),
    })),
    reviews: reviews.map(toReview),
    incidentTitle: incident.title,
    sensitive: incident.sensitive,
  };
}

/** The leader's review queue: releases in review that this leader can still approve. */
export async function reviewQueue(ctx: AppContext, actor: Actor): Promise<(Release & { incidentTitle: string; sensitive: boolean })[]> {
  requireRole(actor, 'leader');
  const rows = await ctx.db
    .selectFrom('releases')
    .innerJoin('incidents', 'incidents.id', 'releases.incident_id')
    .selectAll('releases')
    .select(['incidents.title as incident_title', 'incidents.sensitive', 'incidents.lead_department_id', 'incidents.status as incident_status'])
    .where('releases.status', '=', 'in_review')
    .where(visibleTo(actor))
    .orderBy('releases.updated_at')
    .execute();
  const reviews = await reviewsOf(ctx.db, rows.map((r) => r.id));
  return rows
    .filter((r) => approverCapacity(actor, r.sensitive, r.lead_department_id))
    .filter((r) => !currentApprovals(r, reviews).some((a) => a.reviewer_id === actor.id))
    .map((r) => ({
      ...toRelease(r, reviews, { id: r.incident_id, title: r.incident_title, status: r.incident_status, sensitive: r.sensitive, lead_department_id: r.lead_department_id }),
      incidentTitle: r.incident_title,
      sensitive: r.sensitive,
    }));
}
