// Press conferences: planned against the 24-hour clock, held (which meets it) or cancelled.
import type { Selectable } from 'kysely';
import type { Conference } from '../../shared/domain.ts';
import { CONFERENCE_EVENT } from '../../shared/events.ts';
import type { CreateConferenceInput } from '../../shared/schemas.ts';
import type { AppContext } from '../context.ts';
import type { Tx } from '../audit/event-log.ts';
import { transact } from '../db/transact.ts';
import type { ConferencesTable } from '../db/schema.ts';
import { requireRole, type Actor } from '../auth/actor.ts';
import { invalid, invalidState, notFound } from '../errors.ts';
import { incidentAudience, visibleTo } from '../incidents/visibility.ts';
import { meetClocks } from '../deadlines/service.ts';

type ConferenceRow = Selectable<ConferencesTable>;

export function toConference(r: ConferenceRow): Conference {
  return {
    id: String(r.id),
    incidentId: String(r.incident_id),
    scheduledAt: r.scheduled_at.toISOString(),
    venue: r.venue,
    notes: r.notes,
    spokespersonIds: r.spokesperson_ids.map(String),
    departmentIds: r.department_ids.map(String),
    talkingPoints: r.talking_points as Conference['talkingPoints'],
    status: r.status,
    heldAt: r.held_at ? r.held_at.toISOString() : null,
    summary: r.summary,
    cancelReason: r.cancel_reason,
    version: r.version,
    createdAt: r.created_at.toISOString(),
  };
}

export async function conferencesOf(tx: Pick<Tx, 'selectFrom'>, incidentIds: number[]): Promise<Conference[]> {
  if (incidentIds.length === 0) return [];
  const rows = await tx.selectFrom('conferences').selectAll().where('incident_id', 'in', incidentIds).orderBy('scheduled_at').execute();
  return rows.map(toConference);
}

async function visibleIncident(tx: Pick<Tx, 'selectFrom'>, actor: Actor, incidentId: number) {
  const row = await tx
    .selectFrom('incidents')
    .select(['id', 'title', 'status', 'lead_department_id'])
    .where('id', '=', incidentId)
    .where(visibleTo(actor))
    .executeTakeFirst();
  if (!row) throw notFound('incident');
  return row;
}

export async function planConference(ctx: AppContext, actor: Actor, incidentId: number, input: CreateConferenceInput): Promise<Conference> {
  requireRole(actor, 'spokesperson');
  return transact(ctx, async (tx, record) => {
    const incident = await visibleIncident(tx, actor, incidentId);
    if (incident.status !== 'open') throw invalidState('the incident is closed');
    const spokespersonIds = input.spokespersonIds.map(Number);
    if (spokespersonIds.length) {
      const found = await tx.selectFrom('users').select(['id', 'roles']).where('id', 'in', spokespersonIds).execute();
      const bad = spokespersonIds.findIndex((id) => !found.some((u) => u.id === id && u.roles.includes('spokesperson')));
      if (bad >= 0) throw invalid(`spokespersonIds.${bad}`, 'is not a spokesperson');
    }
    const departmentIds = input.departmentIds.map(Number);
    if (departmentIds.length) {
      const found = await tx.selectFrom('departments').select('id').where('id', 'in', departmentIds).execute();
      const bad = departmentIds.findIndex((id) => !found.some((d) => d.id === id));
      if (bad >= 0) throw invalid(`departmentIds.${bad}`, 'no such department');
    }
    const releaseIds = input.talkingPoints.map((p) => p.releaseId).filter((id): id is string => !!id).map(Number);
    if (releaseIds.length) {
      const found = await tx.selectFrom('releases').select('id').where('id', 'in', releaseIds).where('incident_id', '=', incidentId).execute();
      const bad = input.talkingPoints.findIndex((p) => p.releaseId && !found.some((r) => r.id === Number(p.releaseId)));
      if (bad >= 0) throw invalid(`talkingPoints.${bad}.releaseId`, 'must be a release of this incident');
    }
    const row = await tx
      .insertInto('conferences')
      .values({
        incident_id: incidentId,
        scheduled_at: input.scheduledAt,
        venue: input.venue,
        notes: input.notes,
        spokesperson_ids: spokespersonIds,
        department_ids: departmentIds,
        talking_points: JSON.stringify(input.talkingPoints),
        status: 'planned',
        summary: '',
        version: 1,
        created_by: actor.id,
        created_at: ctx.clock.now(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const conference = toConference(row);
    record({
      type: CONFERENCE_EVENT.planned,
      incidentId,
      actorId: actor.id,
      deptIds: [...(await incidentAudience(tx, incidentId, incident.lead_department_id)), ...departmentIds],
      payload: { conference, incidentTitle: incident.title, by: actor.name },
    });
    return conference;
  });
}

async function lockConference(tx: Tx, actor: Actor, id: number) {
  const row = await tx.selectFrom('conferences').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw notFound('conference');
  const incident = await visibleIncident(tx, actor, row.incident_id).catch(() => {
    throw notFound('conference');
  });
  if (row.status !== 'planned') throw invalidState(`the conference is already ${row.status}`);
  return { row, incident };
}

export async function holdConference(ctx: AppContext, actor: Actor, id: number, input: { heldAt?: string; summary: string }): Promise<Conference> {
  requireRole(actor, 'spokesperson');
  return transact(ctx, async (tx, record) => {
    const { row, incident } = await lockConference(tx, actor, id);
    const now = ctx.clock.now();
    const heldAt = input.heldAt ? new Date(input.heldAt) : now;
    if (heldAt.getTime() > now.getTime() + 60_000) throw invalid('heldAt', 'must not be in the future');
    const updated = await tx
      .updateTable('conferences')
      .set({ status: 'held', held_at: heldAt, summary: input.summary, version: row.version + 1 })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await meetClocks(ctx, tx, record, { incidentId: incident.id, kind: 'press_conference', at: heldAt });
    const conference = toConference(updated);
    record({
      type: CONFERENCE_EVENT.held,
      incidentId: incident.id,
      actorId: actor.id,
      deptIds: await incidentAudience(tx, incident.id, incident.lead_department_id),
      payload: { conference, incidentTitle: incident.title, by: actor.name },
    });
    return conference;
  });
}

export async function cancelConference(ctx: AppContext, actor: Actor, id: number, reason: string): Promise<Conference> {
  requireRole(actor, 'spokesperson');
  return transact(ctx, async (tx, record) => {
    const { row, incident } = await lockConference(tx, actor, id);
    const updated = await tx
      .updateTable('conferences')
      .set({ status: 'cancelled', cancel_reason: reason, version: row.version + 1 })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const conference = toConference(updated);
    record({
      type: CONFERENCE_EVENT.cancelled,
      incidentId: incident.id,
      actorId: actor.id,
      deptIds: await incidentAudience(tx, incident.id, incident.lead_department_id),
      payload: { conference, incidentTitle: incident.title, reason, by: actor.name },
    });
    return conference;
  });
}

/** Everything the spokesperson's printed briefing sheet needs. */
export async function briefing(ctx: AppContext, actor: Actor, id: number) {
  const row = await ctx.db.selectFrom('conferences').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('conference');
  const incident = await ctx.db.selectFrom('incidents').selectAll().where('id', '=', row.incident_id).where(visibleTo(actor)).executeTakeFirst();
  if (!incident) throw notFound('conference');
  const people = row.spokesperson_ids.length
    ? await ctx.db.selectFrom('users').select(['id', 'name']).where('id', 'in', row.spokesperson_ids).execute()
    : [];
  const departments = await ctx.db.selectFrom('departments').select(['id', 'name']).execute();
  const releases = await ctx.db
    .selectFrom('releases')
    .select(['id', 'kind', 'title', 'body', 'status', 'published_at'])
    .where('incident_id', '=', row.incident_id)
    .where('status', '=', 'published')
    .orderBy('published_at')
    .execute();
  const deadlines = await ctx.db.selectFrom('deadlines').selectAll().where('incident_id', '=', row.incident_id).orderBy('due_at').execute();
  return { conference: toConference(row), incident, people, departments, releases, deadlines, printedAt: ctx.clock.now() };
}
