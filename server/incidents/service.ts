// Incidents: log, list, read, correct facts (re-evaluating the clocks), close.

import type { FactChange, Incident, IncidentDetail } from '../../shared/domain.ts';
import { EVENT } from '../../shared/events.ts';
import type { CreateIncidentInput, PatchIncidentInput } from '../../shared/schemas.ts';
import type { AppContext } from '../context.ts';
import type { Tx } from '../audit/event-log.ts';
import { transact } from '../db/transact.ts';
import { requireRole, type Actor } from '../auth/actor.ts';
import { conflict, invalid, invalidState, notFound } from '../errors.ts';
import { deadlinesOf, evaluateIncidentClocks, scheduleClockTimers, currentPolicy } from '../deadlines/service.ts';
import { releasesOf } from '../releases/service.ts';
import { conferencesOf } from '../conferences/service.ts';
import { tasksOf } from '../tasks/service.ts';
import { commentsOf } from '../room/service.ts';
import type { Comment } from '../../shared/coordination.ts';
import { toIncident, type IncidentRow } from './mapper.ts';

/** The few words of an event the timeline shows (not the whole incident each event carries). */
function summarise(payload: unknown): Record<string, unknown> {
  const p = payload as Record<string, any>;
  const out: Record<string, unknown> = {};
  if (p.changes) out.changes = p.changes;
  if (p.release) out.release = { id: p.release.id, kind: p.release.kind, title: p.release.title, status: p.release.status, publishAt: p.release.publishAt };
  if (p.deadline) out.deadline = { id: p.deadline.id, kind: p.deadline.kind, status: p.deadline.status, dueAt: p.deadline.dueAt, metAt: p.deadline.metAt };
  if (p.conference) out.conference = { id: p.conference.id, status: p.conference.status, scheduledAt: p.conference.scheduledAt, venue: p.conference.venue };
  if (p.task) out.task = { id: p.task.id, title: p.task.title, status: p.task.status, departmentId: p.task.departmentId, departmentName: p.task.departmentName, dueAt: p.task.dueAt, ackSeconds: p.task.ackSeconds };
  // A room comment (an object; a review's comment is a string and is copied below as it is).
  if (p.comment && typeof p.comment === 'object') out.comment = { id: p.comment.id, authorName: p.comment.authorName, body: p.comment.body };
  for (const key of ['comment', 'reason', 'minutesBefore', 'late', 'by', 'overdueSeconds']) if (p[key] !== undefined && out[key] === undefined) out[key] = p[key];
  return out;
}
import { incidentAudience, visibleTo } from './visibility.ts';

/** Clock skew allowed on an occurredAt that lies slightly in the future. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

async function checkReferences(tx: Tx, input: { leadDepartmentId?: string; spokespersonId?: string | null }) {
  if (input.leadDepartmentId !== undefined) {
    const dept = await tx.selectFrom('departments').select('id').where('id', '=', Number(input.leadDepartmentId)).executeTakeFirst();
    if (!dept) throw invalid('leadDepartmentId', 'no such department');
  }
  if (input.spokespersonId) {
    const user = await tx.selectFrom('users').select('roles').where('id', '=', Number(input.spokespersonId)).executeTakeFirst();
    if (!user) throw invalid('spokespersonId', 'no such user');
    if (!user.roles.includes('spokesperson')) throw invalid('spokespersonId', 'this user is not a spokesperson');
  }
}

function checkOccurredAt(ctx: AppContext, occurredAt: string) {
  if (new Date(occurredAt).getTime() > ctx.clock.now().getTime() + FUTURE_TOLERANCE_MS) {
    throw invalid('occurredAt', 'must not be in the future');
  }
}

async function loadIncident(tx: Pick<Tx, 'selectFrom'>, id: number): Promise<Incident> {
  const row = await tx.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  return toIncident(row, await deadlinesOf(tx, [id]));
}

export async function createIncident(ctx: AppContext, actor: Actor, input: CreateIncidentInput): Promise<Incident> {
  requireRole(actor, 'duty_officer');
  checkOccurredAt(ctx, input.occurredAt);
  return transact(ctx, async (tx, record) => {
    await checkReferences(tx, input);
    const now = ctx.clock.now();
    const row = await tx
      .insertInto('incidents')
      .values({
        title: input.title,
        summary: input.summary,
        category: input.category,
        severity: input.severity,
        status: 'open',
        occurred_at: input.occurredAt,
        reported_at: now,
        location: input.location,
        lead_department_id: Number(input.leadDepartmentId),
        spokesperson_id: input.spokespersonId ? Number(input.spokespersonId) : null,
        deaths: input.casualties.deaths,
        injured: input.casualties.injured,
        missing: input.casualties.missing,
        significant_impact: input.significantImpact,
        sensitive: input.sensitive,
        keywords: input.keywords,
        logged_late: false,
        version: 1,
        created_by: actor.id,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const audience = await incidentAudience(tx, row.id, row.lead_department_id);
    const { anyPastDue } = await evaluateIncidentClocks(ctx, tx, record, row, audience);
    if (anyPastDue) await tx.updateTable('incidents').set({ logged_late: true }).where('id', '=', row.id).execute();
    const incident = await loadIncident(tx, row.id);
    record({ type: EVENT.incidentCreated, incidentId: row.id, actorId: actor.id, deptIds: audience, payload: { incident, by: actor.name } });
    return incident;
  });
}

export async function listIncidents(ctx: AppContext, actor: Actor, filter: { status?: 'open' | 'closed' } = {}): Promise<Incident[]> {
  let query = ctx.db.selectFrom('incidents').selectAll().where(visibleTo(actor));
  if (filter.status) query = query.where('status', '=', filter.status);
  const rows = await query.orderBy('occurred_at', 'desc').limit(1000).execute();
  // Grouped first: toIncident picks an incident's clocks out of the list it is given.
  const byIncident = new Map<number, Awaited<ReturnType<typeof deadlinesOf>>>();
  for (const d of await deadlinesOf(ctx.db, rows.map((r) => r.id))) {
    const list = byIncident.get(d.incident_id!);
    if (list) list.push(d);
    else byIncident.set(d.incident_id!, [d]);
  }
  return rows.map((r) => toIncident(r, byIncident.get(r.id) ?? []));
}

async function findVisible(tx: Pick<Tx, 'selectFrom'>, actor: Actor, id: number, lock = false): Promise<IncidentRow> {
  let query = tx.selectFrom('incidents').selectAll().where('id', '=', id).where(visibleTo(actor));
  if (lock) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  // Someone who may not see an incident cannot tell it from one that does not exist.
  if (!row) throw notFound('incident');
  return row;
}

export async function canSeeIncident(ctx: AppContext, actor: Actor, id: number): Promise<boolean> {
  const row = await ctx.db.selectFrom('incidents').select('id').where('id', '=', id).where(visibleTo(actor)).executeTakeFirst();
  return !!row;
}

const HISTORY_TYPES = [EVENT.incidentCreated, EVENT.incidentUpdated, EVENT.incidentClosed, EVENT.deadlineWaived];

export async function getIncident(ctx: AppContext, actor: Actor, id: number): Promise<IncidentDetail> {
  const row = await findVisible(ctx.db, actor, id);
  const incident = toIncident(row, await deadlinesOf(ctx.db, [id]));
  const events = await ctx.db
    .selectFrom('events')
    .leftJoin('users', 'users.id', 'events.actor_id')
    .select(['events.id', 'events.type', 'events.at', 'events.actor_id', 'events.payload', 'users.name'])
    .where('events.incident_id', '=', id)
    .where('events.type', 'in', HISTORY_TYPES)
    .orderBy('events.id', 'desc')
    .limit(500)
    .execute();
  const history: FactChange[] = events.map((e) => {
    const payload = e.payload as { changes?: FactChange['changes']; reason?: string; deadline?: { kind: string } };
    return {
      eventId: String(e.id),
      at: e.at.toISOString(),
      by: e.actor_id === null ? null : String(e.actor_id),
      byName: e.name,
      type: e.type,
      changes:
        payload.changes ??
        (e.type === EVENT.deadlineWaived ? { [`deadline.${payload.deadline?.kind}`]: { from: 'pending', to: `waived: ${payload.reason}` } } : {}),
    };
  });
  const timeline = await ctx.db
    .selectFrom('events')
    .leftJoin('users', 'users.id', 'events.actor_id')
    .select(['events.id', 'events.type', 'events.at', 'events.payload', 'users.name'])
    .where('events.incident_id', '=', id)
    .orderBy('events.id', 'desc')
    .limit(500)
    .execute();
  const detail: IncidentDetail & { comments: Comment[] } = {
    ...incident,
    history,
    timeline: timeline.map((e) => ({ eventId: String(e.id), at: e.at.toISOString(), type: e.type, byName: e.name, summary: summarise(e.payload) })),
    releases: await releasesOf(ctx.db, [id]),
    conferences: await conferencesOf(ctx.db, [id]),
    tasks: await tasksOf(ctx.db, [id], ctx.clock.now()),
    comments: await commentsOf(ctx.db, [id]),
  };
  return detail;
}

const FIELD_COLUMNS = {
  title: 'title',
  summary: 'summary',
  category: 'category',
  severity: 'severity',
  location: 'location',
  significantImpact: 'significant_impact',
  sensitive: 'sensitive',
} as const;

export async function patchIncident(ctx: AppContext, actor: Actor, id: number, input: PatchIncidentInput): Promise<Incident> {
  requireRole(actor, 'duty_officer', 'leader');
  if (input.occurredAt !== undefined) checkOccurredAt(ctx, input.occurredAt);
  return transact(ctx, async (tx, record) => {
    const row = await findVisible(tx, actor, id, true);
    if (row.status === 'closed') throw invalidState('a closed incident cannot be changed');
    if (input.version !== row.version) {
      throw conflict(`the incident was changed by someone else (your version ${input.version}, current ${row.version}); reload it`);
    }
    await checkReferences(tx, input);
    const current = toIncident(row, []);
    const changes: FactChange['changes'] = {};
    const set: Record<string, unknown> = {};
    for (const [field, column] of Object.entries(FIELD_COLUMNS) as [keyof typeof FIELD_COLUMNS, string][]) {
      const next = input[field];
      if (next !== undefined && next !== current[field]) {
        changes[field] = { from: current[field], to: next };
        set[column] = next;
      }
    }
    if (input.occurredAt !== undefined && new Date(input.occurredAt).getTime() !== row.occurred_at.getTime()) {
      changes.occurredAt = { from: current.occurredAt, to: new Date(input.occurredAt).toISOString() };
      set.occurred_at = input.occurredAt;
    }
    if (input.leadDepartmentId !== undefined && input.leadDepartmentId !== current.leadDepartmentId) {
      changes.leadDepartmentId = { from: current.leadDepartmentId, to: input.leadDepartmentId };
      set.lead_department_id = Number(input.leadDepartmentId);
    }
    if (input.spokespersonId !== undefined && input.spokespersonId !== current.spokespersonId) {
      changes.spokespersonId = { from: current.spokespersonId, to: input.spokespersonId };
      set.spokesperson_id = input.spokespersonId === null ? null : Number(input.spokespersonId);
    }
    for (const part of ['deaths', 'injured', 'missing'] as const) {
      const next = input.casualties?.[part];
      if (next !== undefined && next !== current.casualties[part]) {
        changes[`casualties.${part}`] = { from: current.casualties[part], to: next };
        set[part] = next;
      }
    }
    if (input.keywords !== undefined && input.keywords.join('\u0000') !== current.keywords.join('\u0000')) {
      changes.keywords = { from: current.keywords, to: input.keywords };
      set.keywords = input.keywords;
    }
    if (Object.keys(changes).length === 0) return loadIncident(tx, id);
    const updated = await tx
      .updateTable('incidents')
      .set({ ...set, version: row.version + 1, updated_at: ctx.clock.now() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const audience = await incidentAudience(tx, id, updated.lead_department_id);
    await evaluateIncidentClocks(ctx, tx, record, updated, audience);
    const incident = await loadIncident(tx, id);
    // A department that lost the lead still hears that it did.
    const deptIds = [...audience, row.lead_department_id];
    record({ type: EVENT.incidentUpdated, incidentId: id, actorId: actor.id, deptIds, payload: { incident, changes, by: actor.name } });
    return incident;
  });
}

/** Closing needs the statutory clocks settled (met, missed or waived); pending follow-ups end with the incident. */
export async function closeIncident(ctx: AppContext, actor: Actor, id: number): Promise<Incident> {
  requireRole(actor, 'leader');
  return transact(ctx, async (tx, record) => {
    const row = await findVisible(tx, actor, id, true);
    if (row.status === 'closed') throw invalidState('the incident is already closed');
    const pending = await tx
      .selectFrom('deadlines')
      .select(['id', 'kind'])
      .where('incident_id', '=', id)
      .where('status', '=', 'pending')
      .forUpdate()
      .execute();
    const blocking = pending.filter((d) => d.kind !== 'follow_up');
    if (blocking.length) {
      throw invalidState(`clocks still running: ${blocking.map((d) => d.kind).join(', ')}; meet or waive them before closing`);
    }
    const now = ctx.clock.now();
    const policy = await currentPolicy(tx);
    for (const d of pending) {
      const waived = await tx
        .updateTable('deadlines')
        .set({ status: 'waived', waived_at: now, waived_by: actor.id, waive_reason: 'incident closed' })
        .where('id', '=', d.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await scheduleClockTimers(tx, waived, policy.rules, now);
    }
    await tx
      .updateTable('incidents')
      .set({ status: 'closed', closed_at: now, updated_at: now, version: row.version + 1 })
      .where('id', '=', id)
      .execute();
    const incident = await loadIncident(tx, id);
    record({
      type: EVENT.incidentClosed,
      incidentId: id,
      actorId: actor.id,
      deptIds: await incidentAudience(tx, id, row.lead_department_id),
      payload: { incident, changes: { status: { from: 'open', to: 'closed' } }, by: actor.name },
    });
    return incident;
  });
}

/** Ids of incidents a user may watch (for socket rooms). */
export async function visibleIncidentIds(ctx: AppContext, actor: Actor, ids: number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await ctx.db.selectFrom('incidents').select('id').where('id', 'in', ids).where(visibleTo(actor)).execute();
  return rows.map((r) => r.id);
}

