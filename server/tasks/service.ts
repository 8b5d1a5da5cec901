// Department tasks: assigned on an incident to a department, `open → acked → in_progress → done` by its members,
// escalated once when the due time passes undone. Assigning a department makes the incident visible to it (the
// visibility rule and the incident audience both read `tasks`), so every later event of the incident reaches it.
import { sql, type Selectable } from 'kysely';
import { TASK_EVENT, TASK_STEP_FROM, type Task, type TaskStatus, type TaskStep } from '../../shared/coordination.ts';
import type { CreateTaskInput } from '../../shared/coordination.ts';
import type { AppContext } from '../context.ts';
import type { Tx } from '../audit/event-log.ts';
import type { Database } from '../db/connect.ts';
import type { CoordinatedTasksTable } from '../db/schema.ts';
import { transact, type RecordEvent } from '../db/transact.ts';
import { requireRole, type Actor } from '../auth/actor.ts';
import { conflict, forbidden, invalid, invalidState, notFound } from '../errors.ts';
import { incidentAudience, visibleTo } from '../incidents/visibility.ts';
import type { TimerHandler } from '../scheduler/scheduler.ts';

/** Timer kind: a task's due instant (ref_id = task id, payload {dueAt}). */
export const TIMER_TASK_OVERDUE = 'task.overdue';

/** Roles that may assign tasks (to any department, on an incident they may see). */
export const TASK_ASSIGNER_ROLES = ['leader', 'duty_officer', 'spokesperson'] as const;

type Db = Pick<Tx, 'selectFrom'> | Database;
type TaskRow = Selectable<CoordinatedTasksTable> & { incident_title: string; department_name: string; created_by_name: string };

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toTask(r: TaskRow, now: Date): Task {
  return {
    id: String(r.id),
    incidentId: String(r.incident_id),
    incidentTitle: r.incident_title,
    departmentId: String(r.department_id),
    departmentName: r.department_name,
    fromDepartmentId: r.from_department_id === null ? null : String(r.from_department_id),
    title: r.title,
    detail: r.detail,
    status: r.status,
    dueAt: iso(r.due_at),
    createdBy: String(r.created_by),
    createdByName: r.created_by_name,
    createdAt: r.created_at.toISOString(),
    ackedAt: iso(r.acked_at),
    ackedBy: r.acked_by === null ? null : String(r.acked_by),
    ackSeconds: r.acked_at ? (r.acked_at.getTime() - r.created_at.getTime()) / 1000 : null,
    startedAt: iso(r.started_at),
    doneAt: iso(r.done_at),
    escalatedAt: iso(r.escalated_at),
    overdue: r.due_at !== null && r.status !== 'done' && r.due_at.getTime() <= now.getTime(),
    unread: r.status === 'open',
    version: r.version,
  };
}

function taskQuery(db: Db) {
  return db
    .selectFrom('tasks')
    .innerJoin('incidents', 'incidents.id', 'tasks.incident_id')
    .innerJoin('departments', 'departments.id', 'tasks.department_id')
    .innerJoin('users', 'users.id', 'tasks.created_by')
    .selectAll('tasks')
    .select(['incidents.title as incident_title', 'departments.name as department_name', 'users.name as created_by_name']);
}

async function loadTask(db: Db, id: number, now: Date): Promise<Task> {
  return toTask(await taskQuery(db).where('tasks.id', '=', id).executeTakeFirstOrThrow(), now);
}

/** Tasks of incidents, oldest first (the incident detail, reports). */
export async function tasksOf(db: Db, incidentIds: number[], now: Date): Promise<Task[]> {
  if (incidentIds.length === 0) return [];
  const rows = await taskQuery(db).where('tasks.incident_id', 'in', incidentIds).orderBy('tasks.id').execute();
  return rows.map((r) => toTask(r, now));
}

async function leadersOf(tx: Db, departmentId: number): Promise<number[]> {
  const rows = await tx
    .selectFrom('users')
    .select('id')
    .where('department_id', '=', departmentId)
    .where(sql<boolean>`'leader' = any(roles)`)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

/** Who hears about a task: the incident's audience (now including the assigned department) and the assigner. */
async function taskAudience(tx: Tx, row: { incident_id: number; department_id: number; from_department_id: number | null }, leadDepartmentId: number) {
  const audience = await incidentAudience(tx, row.incident_id, leadDepartmentId);
  return [...audience, row.department_id, ...(row.from_department_id === null ? [] : [row.from_department_id])];
}

export async function createTask(ctx: AppContext, actor: Actor, incidentId: number, input: CreateTaskInput): Promise<Task> {
  requireRole(actor, ...TASK_ASSIGNER_ROLES);
  const now = ctx.clock.now();
  if (input.dueAt !== null && new Date(input.dueAt).getTime() <= now.getTime()) throw invalid('dueAt', 'must be in the future');
  return transact(ctx, async (tx, record) => {
    const incident = await tx
      .selectFrom('incidents')
      .select(['id', 'title', 'status', 'lead_department_id'])
      .where('id', '=', incidentId)
      .where(visibleTo(actor))
      .executeTakeFirst();
    if (!incident) throw notFound('incident');
    if (incident.status !== 'open') throw invalidState('the incident is closed; no new tasks');
    const dept = await tx.selectFrom('departments').select(['id']).where('id', '=', Number(input.departmentId)).executeTakeFirst();
    if (!dept) throw invalid('departmentId', 'no such department');
    const row = await tx
      .insertInto('tasks')
      .values({
        incident_id: incidentId,
        department_id: dept.id,
        from_department_id: actor.departmentId,
        title: input.title,
        detail: input.detail,
        status: 'open',
        due_at: input.dueAt,
        created_by: actor.id,
        created_at: now,
        version: 1,
      })
      .returning(['id', 'incident_id', 'department_id', 'from_department_id'])
      .executeTakeFirstOrThrow();
    if (input.dueAt !== null) {
      const dueAt = new Date(input.dueAt);
      await tx
        .insertInto('timers')
        .values({ kind: TIMER_TASK_OVERDUE, ref_id: row.id, run_at: dueAt, payload: JSON.stringify({ dueAt: dueAt.toISOString() }), created_at: now })
        .execute();
    }
    const task = await loadTask(tx, row.id, now);
    // The assigned department's leaders get it personally, in their notification centre.
    record({
      type: TASK_EVENT.created,
      incidentId,
      actorId: actor.id,
      deptIds: await taskAudience(tx, row, incident.lead_department_id),
      userIds: await leadersOf(tx, dept.id),
      notify: true,
      payload: { task, incidentTitle: incident.title, by: actor.name },
    });
    return task;
  });
}

const STEP_EVENT: Record<TaskStep, string> = { ack: TASK_EVENT.acked, start: TASK_EVENT.started, done: TASK_EVENT.done };

/**
 * ack / start / done by a member of the assigned department. Someone who may not see the incident gets 404, another
 * department that may see it 403, a step not allowed from the current status 422, a stale `version` 409.
 */
export async function stepTask(ctx: AppContext, actor: Actor, id: number, step: TaskStep, version?: number): Promise<Task> {
  return transact(ctx, async (tx, record) => {
    const row = await tx.selectFrom('tasks').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) throw notFound('task');
    const incident = await tx
      .selectFrom('incidents')
      .select(['id', 'title', 'lead_department_id'])
      .where('id', '=', row.incident_id)
      .where(visibleTo(actor))
      .executeTakeFirst();
    if (!incident) throw notFound('task');
    if (row.department_id !== actor.departmentId) throw forbidden('only members of the assigned department may work on this task');
    if (!TASK_STEP_FROM[step].includes(row.status)) {
      throw invalidState(`a task that is ${row.status} cannot be ${step === 'ack' ? 'acknowledged' : step === 'start' ? 'started' : 'marked done'}`);
    }
    if (version !== undefined && version !== row.version) {
      throw conflict(`the task was changed (your version ${version}, current ${row.version}); reload it`);
    }
    const now = ctx.clock.now();
    const set: {
      status: TaskStatus;
      version: number;
      acked_at?: Date;
      acked_by?: number;
      started_at?: Date;
      started_by?: number;
      done_at?: Date;
      done_by?: number;
    } = { status: step === 'ack' ? 'acked' : step === 'start' ? 'in_progress' : 'done', version: row.version + 1 };
    // Starting without acknowledging first acknowledges it: the latency runs until the department first reacted.
    if (row.acked_at === null) Object.assign(set, { acked_at: now, acked_by: actor.id });
    if (step === 'start') Object.assign(set, { started_at: now, started_by: actor.id });
    if (step === 'done') Object.assign(set, { done_at: now, done_by: actor.id });
    await tx.updateTable('tasks').set(set).where('id', '=', id).execute();
    const task = await loadTask(tx, id, now);
    record({
      type: STEP_EVENT[step],
      incidentId: incident.id,
      actorId: actor.id,
      deptIds: await taskAudience(tx, row, incident.lead_department_id),
      payload: { task, incidentTitle: incident.title, by: actor.name },
    });
    return task;
  });
}

export async function getTask(ctx: AppContext, actor: Actor, id: number): Promise<Task> {
  const row = await taskQuery(ctx.db).where('tasks.id', '=', id).where(visibleTo(actor)).executeTakeFirst();
  if (!row) throw notFound('task');
  return toTask(row, ctx.clock.now());
}

export interface TaskFilter {
  status?: TaskStatus[];
  /** My department's inbox (true) or every task on the incidents I may see (false). */
  mine: boolean;
  incidentId?: number;
  limit: number;
}

/** Newest first, with my department's unread count (tasks not yet acknowledged). */
export async function listTasks(ctx: AppContext, actor: Actor, filter: TaskFilter): Promise<{ items: Task[]; unread: number }> {
  let query = taskQuery(ctx.db).where(visibleTo(actor));
  if (filter.mine) query = query.where('tasks.department_id', '=', actor.departmentId);
  if (filter.status?.length) query = query.where('tasks.status', 'in', filter.status);
  if (filter.incidentId !== undefined) query = query.where('tasks.incident_id', '=', filter.incidentId);
  const rows = await query.orderBy('tasks.id', 'desc').limit(filter.limit).execute();
  const now = ctx.clock.now();
  return { items: rows.map((r) => toTask(r, now)), unread: await inboxCount(ctx, actor) };
}

/** Tasks assigned to my department and not yet acknowledged. */
export async function inboxCount(ctx: AppContext, actor: Actor): Promise<number> {
  const row = await ctx.db
    .selectFrom('tasks')
    .innerJoin('incidents', 'incidents.id', 'tasks.incident_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tasks.department_id', '=', actor.departmentId)
    .where('tasks.status', '=', 'open')
    .where('incidents.status', '=', 'open') // a closed incident's leftovers do not keep the count up
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Timer: a task's due instant. A task not done by then is escalated once: `task.overdue` to the incident's audience
 * (the coordinating departments among it), the assigning and the assigned department, and personally (with a
 * notification) to the assigned department's leaders. `escalated_at` is set in the same transaction that marks the
 * timer fired, so neither a second pass, nor a restart, nor a duplicate timer row sends it again.
 */
export async function onTaskOverdueTimer(ctx: AppContext, tx: Tx, record: RecordEvent, timer: { ref_id: number; payload: Record<string, unknown> }) {
  const row = await tx.selectFrom('tasks').selectAll().where('id', '=', timer.ref_id).forUpdate().executeTakeFirst();
  if (!row || row.status === 'done' || row.escalated_at !== null || row.due_at === null) return;
  const now = ctx.clock.now();
  // A timer for another due time (a task rescheduled) is stale; the current one fires at its own instant.
  if (timer.payload.dueAt !== undefined && timer.payload.dueAt !== row.due_at.toISOString()) return;
  if (row.due_at.getTime() > now.getTime()) return;
  const incident = await tx
    .selectFrom('incidents')
    .select(['id', 'title', 'status', 'lead_department_id'])
    .where('id', '=', row.incident_id)
    .executeTakeFirstOrThrow();
  // A closed incident's leftover tasks are not chased.
  if (incident.status !== 'open') return;
  await tx.updateTable('tasks').set({ escalated_at: now }).where('id', '=', row.id).execute();
  const leaders = await leadersOf(tx, row.department_id);
  const deptIds = await taskAudience(tx, row, incident.lead_department_id);
  const task = await loadTask(tx, row.id, now);
  record({
    type: TASK_EVENT.overdue,
    incidentId: incident.id,
    deptIds,
    userIds: leaders,
    notify: true,
    payload: {
      task,
      incidentTitle: incident.title,
      overdueSeconds: (now.getTime() - row.due_at.getTime()) / 1000,
      escalatedTo: leaders.map(String),
    },
  });
}

/** The timer handlers of this feature, for server/scheduler/handlers.ts. */
export const taskTimerHandlers: Record<string, TimerHandler> = {
  [TIMER_TASK_OVERDUE]: (ctx, tx, record, timer) => onTaskOverdueTimer(ctx, tx, record, timer),
};
