// Deadlines: created from the policy, timed by the scheduler, met by releases and conferences, waived by leaders.
import { sql } from 'kysely';
import type { DeadlineKind, Severity } from '../../shared/domain.ts';
import { EVENT } from '../../shared/events.ts';
import { policyRulesSchema } from '../../shared/schemas.ts';
import type { AppContext } from '../context.ts';
import type { Tx } from '../audit/event-log.ts';
import type { RecordEvent } from '../db/transact.ts';
import { transact } from '../db/transact.ts';
import { requireRole, type Actor } from '../auth/actor.ts';
import { invalidState, notFound } from '../errors.ts';
import { incidentAudience, visibleTo } from '../incidents/visibility.ts';
import { toDeadline, type DeadlineRow, type IncidentRow } from '../incidents/mapper.ts';
import { followUpDue, planClocks, statusWhenMet, warningTimes, type PolicyRules } from './policy.ts';

export const TIMER_WARNING = 'deadline.warning';
export const TIMER_DUE = 'deadline.due';

export interface Policy {
  version: number;
  rules: PolicyRules;
}

export async function currentPolicy(tx: Pick<Tx, 'selectFrom'>): Promise<Policy> {
  const row = await tx.selectFrom('deadline_policies').select(['version', 'rules']).orderBy('version', 'desc').executeTakeFirstOrThrow();
  return { version: row.version, rules: policyRulesSchema.parse(row.rules) };
}

export async function policyByVersion(tx: Pick<Tx, 'selectFrom'>, version: number): Promise<Policy> {
  const row = await tx.selectFrom('deadline_policies').select(['version', 'rules']).where('version', '=', version).executeTakeFirstOrThrow();
  return { version: row.version, rules: policyRulesSchema.parse(row.rules) };
}

/** Replaces a clock's pending timers: one per warning still ahead, and one at the due instant. */
export async function scheduleClockTimers(tx: Tx, deadline: DeadlineRow, rules: PolicyRules, now: Date): Promise<void> {
  await tx
    .deleteFrom('timers')
    .where('ref_id', '=', deadline.id)
    .where('kind', 'in', [TIMER_WARNING, TIMER_DUE])
    .where('fired_at', 'is', null)
    .execute();
  if (deadline.status !== 'pending') return;
  const timers = [
    ...warningTimes(deadline.due_at, now, rules)
      .filter((w) => !deadline.warnings_sent.includes(w.minutesBefore))
      .map((w) => ({ kind: TIMER_WARNING, run_at: w.at, payload: { minutesBefore: w.minutesBefore } })),
    { kind: TIMER_DUE, run_at: deadline.due_at, payload: {} },
  ];
  await tx
    .insertInto('timers')
    .values(timers.map((t) => ({ ...t, ref_id: deadline.id, payload: JSON.stringify(t.payload), created_at: now })))
    .execute();
}

/**
 * Applies the current policy to an incident's facts: adds the clocks that now apply (a clock already past due
 * starts `missed`), moves pending ones earlier where the facts say so, never later. Returns whether any new
 * clock was already past due.
 */
export async function evaluateIncidentClocks(
  ctx: AppContext,
  tx: Tx,
  record: RecordEvent,
  incident: IncidentRow,
  audience: number[],
): Promise<{ anyPastDue: boolean }> {
  const now = ctx.clock.now();
  const policy = await currentPolicy(tx);
  const existing = await tx.selectFrom('deadlines').selectAll().where('incident_id', '=', incident.id).forUpdate().execute();
  const plan = planClocks(
    existing.map((d) => ({ kind: d.kind as DeadlineKind, dueAt: d.due_at, status: d.status })),
    { severity: incident.severity as Severity, deaths: incident.deaths, significantImpact: incident.significant_impact, occurredAt: incident.occurred_at },
    policy.rules,
  );
  let anyPastDue = false;
  for (const clock of plan.add) {
    const pastDue = clock.dueAt <= now;
    anyPastDue ||= pastDue;
    const row = await tx
      .insertInto('deadlines')
      .values({
        incident_id: incident.id,
        kind: clock.kind,
        due_at: clock.dueAt,
        status: pastDue ? 'missed' : 'pending',
        warnings_sent: [],
        policy_version: policy.version,
        created_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    if (pastDue) {
      record(missedEvent(row, incident, audience, await escalationUsers(tx, incident), { loggedLate: true }));
      ctx.metrics.deadlines.inc({ transition: 'missed' });
    } else await scheduleClockTimers(tx, row, policy.rules, now);
  }
  for (const move of plan.moveEarlier) {
    const row = existing.find((d) => d.kind === move.kind)!;
    const pastDue = move.dueAt <= now;
    const updated = await tx
      .updateTable('deadlines')
      .set({ due_at: move.dueAt, status: pastDue ? 'missed' : 'pending' })
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await scheduleClockTimers(tx, updated, (await policyByVersion(tx, row.policy_version)).rules, now);
    if (pastDue) record(missedEvent(updated, incident, audience, await escalationUsers(tx, incident), {}));
  }
  return { anyPastDue };
}

/** Leaders of the lead department and of the coordinating departments: who a miss is escalated to. */
async function escalationUsers(tx: Tx, incident: Pick<IncidentRow, 'lead_department_id'>): Promise<number[]> {
  const rows = await tx
    .selectFrom('users')
    .innerJoin('departments', 'departments.id', 'users.department_id')
    .select('users.id')
    .where(sql<boolean>`'leader' = any(users.roles)`)
    .where((eb) => eb.or([eb('departments.id', '=', incident.lead_department_id), eb('departments.coordinating', '=', true)]))
    .execute();
  return rows.map((r) => r.id);
}

function missedEvent(
  deadline: DeadlineRow,
  incident: Pick<IncidentRow, 'id' | 'title' | 'lead_department_id'>,
  audience: number[],
  escalateTo: number[],
  extra: { loggedLate?: boolean },
) {
  return {
    type: EVENT.deadlineMissed,
    incidentId: incident.id,
    deptIds: audience,
    userIds: escalateTo,
    notify: true,
    payload: {
      deadline: toDeadline(deadline),
      incidentTitle: incident.title,
      escalatedTo: escalateTo.map(String),
      ...extra,
    },
  };
}

async function lockClockWithIncident(tx: Tx, deadlineId: number) {
  const deadline = await tx.selectFrom('deadlines').selectAll().where('id', '=', deadlineId).forUpdate().executeTakeFirst();
  if (!deadline || deadline.incident_id === null) return null;
  const incident = await tx
    .selectFrom('incidents')
    .select(['id', 'title', 'lead_department_id', 'status'])
    .where('id', '=', deadline.incident_id)
    .executeTakeFirstOrThrow();
  return { deadline, incident };
}

/** Timer: a warning before due. Sends only the most recent warning that is due, so a server that was down does not replay old ones. */
export async function onWarningTimer(ctx: AppContext, tx: Tx, record: RecordEvent, timer: { ref_id: number; payload: { minutesBefore?: number } }) {
  const now = ctx.clock.now();
  const found = await lockClockWithIncident(tx, timer.ref_id);
  if (!found || found.deadline.status !== 'pending' || found.deadline.due_at <= now) return;
  const { deadline, incident } = found;
  const minutesBefore = Number(timer.payload.minutesBefore);
  const policy = await policyByVersion(tx, deadline.policy_version);
  const passed = policy.rules.warningMinutes.filter((m) => deadline.due_at.getTime() - m * 60_000 <= now.getTime());
  if (minutesBefore !== Math.min(...passed) || deadline.warnings_sent.includes(minutesBefore)) return;
  const updated = await tx
    .updateTable('deadlines')
    .set({ warnings_sent: [...deadline.warnings_sent, minutesBefore] })
    .where('id', '=', deadline.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  record({
    type: EVENT.deadlineWarning,
    incidentId: incident.id,
    deptIds: await incidentAudience(tx, incident.id, incident.lead_department_id),
    payload: { deadline: toDeadline(updated), incidentTitle: incident.title, minutesBefore },
  });
  ctx.metrics.deadlines.inc({ transition: 'warning' });
}

/** Timer: the due instant. A clock still pending becomes missed and is escalated. */
export async function onDueTimer(ctx: AppContext, tx: Tx, record: RecordEvent, timer: { ref_id: number }) {
  const found = await lockClockWithIncident(tx, timer.ref_id);
  if (!found || found.deadline.status !== 'pending') return;
  const { deadline, incident } = found;
  const updated = await tx
    .updateTable('deadlines')
    .set({ status: 'missed' })
    .where('id', '=', deadline.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const audience = await incidentAudience(tx, incident.id, incident.lead_department_id);
  record(missedEvent(updated, incident, audience, await escalationUsers(tx, incident), {}));
  ctx.metrics.deadlines.inc({ transition: 'missed' });
}

/**
 * The hook releases and conferences call: meets the incident's open clocks of `kind` at `at`.
 * A late meet keeps status `missed` with `metAt` set, so reports show both the breach and the response.
 */
export async function meetClocks(
  ctx: AppContext,
  tx: Tx,
  record: RecordEvent,
  input: { incidentId: number; kind: DeadlineKind; at: Date; opinionItemIds?: number[] },
): Promise<DeadlineRow[]> {
  let query = tx
    .selectFrom('deadlines')
    .selectAll()
    .where('kind', '=', input.kind)
    .where('met_at', 'is', null)
    .where('status', 'in', ['pending', 'missed']);
  // Opinion clocks hang on their items (and on the incident they are linked to, if any).
  query = input.opinionItemIds
    ? query.where('opinion_item_id', 'in', input.opinionItemIds.length ? input.opinionItemIds : [-1])
    : query.where('incident_id', '=', input.incidentId);
  const open = await query.forUpdate().execute();
  if (open.length === 0) return [];
  const incident = await tx.selectFrom('incidents').select(['id', 'title', 'lead_department_id']).where('id', '=', input.incidentId).executeTakeFirstOrThrow();
  const audience = await incidentAudience(tx, incident.id, incident.lead_department_id);
  const met: DeadlineRow[] = [];
  for (const d of open) {
    const updated = await tx
      .updateTable('deadlines')
      .set({ met_at: input.at, status: statusWhenMet(d.due_at, input.at) })
      .where('id', '=', d.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await scheduleClockTimers(tx, updated, (await policyByVersion(tx, d.policy_version)).rules, input.at);
    record({
      type: EVENT.deadlineMet,
      incidentId: incident.id,
      deptIds: audience,
      payload: { deadline: toDeadline(updated), incidentTitle: incident.title, late: updated.status === 'missed' },
    });
    ctx.metrics.deadlines.inc({ transition: 'met' });
    met.push(updated);
  }
  return met;
}

export async function waiveDeadline(ctx: AppContext, actor: Actor, deadlineId: number, reason: string) {
  requireRole(actor, 'leader');
  return transact(ctx, async (tx, record) => {
    const deadline = await tx.selectFrom('deadlines').selectAll().where('id', '=', deadlineId).forUpdate().executeTakeFirst();
    if (!deadline || deadline.incident_id === null) throw notFound('deadline');
    const incident = await tx
      .selectFrom('incidents')
      .select(['id', 'title', 'lead_department_id'])
      .where('id', '=', deadline.incident_id)
      .where(visibleTo(actor))
      .executeTakeFirst();
    if (!incident) throw notFound('deadline');
    if (deadline.status !== 'pending') throw invalidState(`only a running clock can be waived; this one is ${deadline.status}`);
    const now = ctx.clock.now();
    const updated = await tx
      .updateTable('deadlines')
      .set({ status: 'waived', waived_at: now, waived_by: actor.id, waive_reason: reason })
      .where('id', '=', deadline.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await scheduleClockTimers(tx, updated, (await currentPolicy(tx)).rules, now);
    record({
      type: EVENT.deadlineWaived,
      incidentId: incident.id,
      actorId: actor.id,
      deptIds: await incidentAudience(tx, incident.id, incident.lead_department_id),
      payload: { deadline: toDeadline(updated), incidentTitle: incident.title, reason, by: actor.name },
    });
    ctx.metrics.deadlines.inc({ transition: 'waived' });
    return toDeadline(updated);
  });
}

export async function deadlinesOf(tx: Pick<Tx, 'selectFrom'>, incidentIds: number[]): Promise<DeadlineRow[]> {
  if (incidentIds.length === 0) return [];
  return tx.selectFrom('deadlines').selectAll().where('incident_id', 'in', incidentIds).execute();
}

/** Admins change the policy by adding a version; clocks already running keep the version they came from. */
export async function updatePolicy(ctx: AppContext, actor: Actor, rules: PolicyRules, note: string): Promise<Policy> {
  requireRole(actor, 'admin');
  return transact(ctx, async (tx, record) => {
    const row = await tx
      .insertInto('deadline_policies')
      .values({ rules: JSON.stringify(rules), note, created_by: actor.id, created_at: ctx.clock.now() })
      .returning(['version'])
      .executeTakeFirstOrThrow();
    record({ type: EVENT.policyUpdated, actorId: actor.id, isPublic: true, payload: { version: row.version, rules, note } });
    return { version: row.version, rules };
  });
}

/** After a published release: the next one is due within the follow-up hours while the incident is open. */
export async function startFollowUp(ctx: AppContext, tx: Tx, record: RecordEvent, incidentId: number, from: Date): Promise<void> {
  const incident = await tx.selectFrom('incidents').select(['id', 'title', 'status', 'lead_department_id']).where('id', '=', incidentId).executeTakeFirstOrThrow();
  if (incident.status !== 'open') return;
  const policy = await currentPolicy(tx);
  const row = await tx
    .insertInto('deadlines')
    .values({
      incident_id: incidentId,
      kind: 'follow_up',
      due_at: followUpDue(from, policy.rules),
      status: 'pending',
      warnings_sent: [],
      policy_version: policy.version,
      created_at: ctx.clock.now(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await scheduleClockTimers(tx, row, policy.rules, ctx.clock.now());
  record({
    type: EVENT.deadlineCreated,
    incidentId,
    deptIds: await incidentAudience(tx, incidentId, incident.lead_department_id),
    payload: { deadline: toDeadline(row), incidentTitle: incident.title },
  });
}
