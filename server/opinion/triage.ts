// Analysts' triage. Marking `rumor` or `needs_response` starts the 48-hour opinion_response clock on the item
// (and on its incident, when linked) and notifies the responsible department. Topic labels train the classifier.
import { sql } from 'kysely';
import type { z } from 'zod';
import type { triageSchema } from '../../shared/opinion.ts';
import { EVENT } from '../../shared/events.ts';
import type { AppContext } from '../context.ts';
import type { Tx } from '../audit/event-log.ts';
import { transact, type RecordEvent } from '../db/transact.ts';
import { requireRole, type Actor } from '../auth/actor.ts';
import { invalid, notFound } from '../errors.ts';
import { currentPolicy, scheduleClockTimers } from '../deadlines/service.ts';
import { opinionResponseDue } from '../deadlines/policy.ts';
import { toDeadline } from '../incidents/mapper.ts';
import { incidentAudience, visibleTo } from '../incidents/visibility.ts';
import { opinionWatchers } from './audience.ts';
import { loadItems } from './items.ts';
import { markModelStale } from './training.ts';

export const TRIAGE_EVENT = 'opinion.triaged';
type TriageInput = z.infer<typeof triageSchema>;

export async function triageItems(ctx: AppContext, actor: Actor, itemIds: number[], input: TriageInput) {
  requireRole(actor, 'analyst');
  const ids = await transact(ctx, async (tx, record) => {
    const items = await tx.selectFrom('opinion_items').selectAll().where('id', 'in', itemIds).orderBy('id').forUpdate().execute();
    if (items.length !== new Set(itemIds).size) throw notFound('opinion item');
    let incident: { id: number; title: string; lead_department_id: number } | null = null;
    if (input.incidentId) {
      // An incident the analyst may not see is, to them, one that does not exist.
      incident =
        (await tx
          .selectFrom('incidents')
          .select(['id', 'title', 'lead_department_id'])
          .where('id', '=', Number(input.incidentId))
          .where(visibleTo(actor))
          .executeTakeFirst()) ?? null;
      if (!incident) throw invalid('incidentId', 'no such incident');
    }
    if (input.departmentId) {
      const dept = await tx.selectFrom('departments').select('id').where('id', '=', Number(input.departmentId)).executeTakeFirst();
      if (!dept) throw invalid('departmentId', 'no such department');
    }
    const now = ctx.clock.now();
    for (const item of items) {
      const incidentId = input.incidentId === null ? null : incident ? incident.id : item.incident_id;
      const topics = input.topic ? [...new Set([input.topic, ...item.topics])] : item.topics;
      await tx
        .updateTable('opinion_items')
        .set({
          status: input.status,
          incident_id: incidentId,
          department_id: input.departmentId ? Number(input.departmentId) : item.department_id,
          topics,
          triaged_by: actor.id,
          triaged_at: now,
        })
        .where('id', '=', item.id)
        .execute();
      if (input.status === 'rumor' || input.status === 'needs_response') {
        await startResponseClock(ctx, tx, record, actor, item.id, incidentId, input.departmentId ? Number(input.departmentId) : item.department_id, now);
      }
    }
    if (input.topic) await markModelStale(tx, now);
    // Naming an incident tells only those who may see it (its audience); otherwise every analyst and leader.
    const scope = incident
      ? { deptIds: await incidentAudience(tx, incident.id, incident.lead_department_id), userIds: [actor.id] }
      : { userIds: await opinionWatchers(tx) };
    record({
      type: TRIAGE_EVENT,
      actorId: actor.id,
      ...scope,
      payload: { itemIds: items.map((i) => String(i.id)), status: input.status, incidentId: input.incidentId ?? null, topic: input.topic ?? null, by: actor.name },
    });
    return items.map((i) => i.id);
  });
  return loadItems(ctx, ids);
}

async function startResponseClock(
  ctx: AppContext,
  tx: Tx,
  record: RecordEvent,
  actor: Actor,
  itemId: number,
  incidentId: number | null,
  departmentId: number | null,
  now: Date,
) {
  const open = await tx
    .selectFrom('deadlines')
    .select('id')
    .where('opinion_item_id', '=', itemId)
    .where('kind', '=', 'opinion_response')
    .where('met_at', 'is', null)
    .where('status', 'in', ['pending', 'missed'])
    .executeTakeFirst();
  if (open) return; // one running clock per item: re-marking does not restart it
  const policy = await currentPolicy(tx);
  const row = await tx
    .insertInto('deadlines')
    .values({
      incident_id: incidentId,
      opinion_item_id: itemId,
      kind: 'opinion_response',
      due_at: opinionResponseDue(now, policy.rules),
      status: 'pending',
      warnings_sent: [],
      policy_version: policy.version,
      created_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await scheduleClockTimers(tx, row, policy.rules, now);
  const incident = incidentId
    ? await tx.selectFrom('incidents').select(['title', 'lead_department_id']).where('id', '=', incidentId).executeTakeFirst()
    : undefined;
  const responsible = departmentId ?? incident?.lead_department_id ?? null;
  const deptIds = [
    ...(incidentId && incident ? await incidentAudience(tx, incidentId, incident.lead_department_id) : []),
    ...(responsible ? [responsible] : []),
  ];
  // The responsible department's leaders hear it personally.
  const leaders = responsible
    ? await tx.selectFrom('users').select('id').where('department_id', '=', responsible).where(sql<boolean>`'leader' = any(roles)`).execute()
    : [];
  record({
    type: EVENT.deadlineCreated,
    incidentId,
    deptIds,
    // A clock on an incident carries its title: only the incident's audience, the analyst and the responsible leaders.
    userIds: [...(incidentId ? [actor.id] : await opinionWatchers(tx)), ...leaders.map((l) => l.id)],
    payload: { deadline: toDeadline(row), incidentTitle: incident?.title ?? null, opinionItemId: String(itemId), departmentId: responsible ? String(responsible) : null },
  });
}
