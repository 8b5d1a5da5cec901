// Pure task logic for the console: applying task events, display order, the due state, who may take which step.
import { TASK_STEP_FROM, TASK_STEPS, type Task, type TaskStep } from '../../../shared/coordination.ts';
import type { BeaconEvent, Role, User } from '../../../shared/domain.ts';
import { fromDatetimeLocal, toDatetimeLocal } from './incidentForm.ts';
import { t } from './i18n.svelte.ts';

/** Roles that may assign a task (the server's TASK_ASSIGNER_ROLES). */
export const ASSIGNER_ROLES: readonly Role[] = ['leader', 'duty_officer', 'spokesperson'];

export function canAssign(roles: readonly Role[] | undefined): boolean {
  return (roles ?? []).some((r) => ASSIGNER_ROLES.includes(r));
}

export function payloadTask(e: BeaconEvent): Task | null {
  const task = e.payload?.task;
  return typeof task === 'object' && task !== null && typeof (task as Task).id === 'string' && typeof (task as Task).status === 'string'
    ? (task as Task)
    : null;
}

/** Replace (or add) a task; an older copy (lower version) never replaces a newer one. */
export function upsertTask(list: readonly Task[], task: Task): Task[] {
  const i = list.findIndex((x) => x.id === task.id);
  if (i < 0) return [...list, task];
  if (task.version < list[i].version) return list as Task[];
  return list.map((x, j) => (j === i ? task : x));
}

/** Merge a fetched list with what we hold (events may have delivered newer copies meanwhile). */
export function mergeTasks(current: readonly Task[], fetched: readonly Task[]): Task[] {
  const byId = new Map(current.map((x) => [x.id, x]));
  return fetched.map((x) => {
    const held = byId.get(x.id);
    return held && held.version > x.version ? held : x;
  });
}

const STATUS_RANK: Record<Task['status'], number> = { open: 0, acked: 1, in_progress: 2, done: 3 };

/** Work first (earliest due first, undated after), then done (most recently done first). */
export function sortTasks(list: readonly Task[]): Task[] {
  return [...list].sort((a, b) => {
    const ad = a.status === 'done';
    const bd = b.status === 'done';
    if (ad !== bd) return ad ? 1 : -1;
    if (ad) return (b.doneAt ?? '').localeCompare(a.doneAt ?? '') || b.id.localeCompare(a.id);
    const da = a.dueAt ? new Date(a.dueAt).getTime() : Infinity;
    const db = b.dueAt ? new Date(b.dueAt).getTime() : Infinity;
    if (da !== db) return da < db ? -1 : 1;
    return STATUS_RANK[a.status] - STATUS_RANK[b.status] || a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);
  });
}

export type TaskDueState = 'none' | 'counting' | 'overdue' | 'done' | 'doneLate';

export interface TaskDue {
  state: TaskDueState;
  /** Left (positive) or late by (negative), ms; for done tasks the margin at doneAt. */
  ms: number;
}

/** How the task's due time reads at `now` (server time). */
export function taskDue(task: Pick<Task, 'status' | 'dueAt' | 'doneAt'>, now: number): TaskDue {
  if (!task.dueAt) return { state: task.status === 'done' ? 'done' : 'none', ms: 0 };
  const due = new Date(task.dueAt).getTime();
  if (task.status === 'done') {
    const margin = due - new Date(task.doneAt ?? now).getTime();
    return { state: margin < 0 ? 'doneLate' : 'done', ms: margin };
  }
  const ms = due - now;
  return { state: ms <= 0 ? 'overdue' : 'counting', ms };
}

export function isOverdue(task: Pick<Task, 'status' | 'dueAt' | 'doneAt'>, now: number): boolean {
  return taskDue(task, now).state === 'overdue';
}

/** The steps this user may take now: members of the assigned department only, each from its allowed statuses. */
export function stepsFor(task: Pick<Task, 'status' | 'departmentId'>, user: Pick<User, 'departmentId'> | null): TaskStep[] {
  if (!user || user.departmentId !== task.departmentId) return [];
  return TASK_STEPS.filter((s) => TASK_STEP_FROM[s].includes(task.status));
}

/** "45 秒", "3 分 20 秒", "1 小时 5 分", "2 天 3 小时". */
export function humanDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return t('dur.s', { s });
  if (s < 3600) return t('dur.ms', { m: Math.floor(s / 60), s: s % 60 });
  if (s < 86400) return t('dur.hm', { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
  return t('dur.dh', { d: Math.floor(s / 86400), h: Math.floor((s % 86400) / 3600) });
}

export interface AssignInput {
  departmentId: string;
  title: string;
  detail: string;
  /** The picker's local "YYYY-MM-DDTHH:mm", or '' for no due time. */
  dueLocal: string;
}

export type AssignCheck =
  | { ok: true; body: { departmentId: string; title: string; detail: string; dueAt: string | null } }
  | { ok: false; errors: Partial<Record<'departmentId' | 'title' | 'dueAt', string>> };

/** Checks the assign form and builds the request body (the server checks again). */
export function checkAssign(input: AssignInput, now: number): AssignCheck {
  const errors: Partial<Record<'departmentId' | 'title' | 'dueAt', string>> = {};
  if (!input.departmentId) errors.departmentId = t('v.id');
  const title = input.title.trim();
  if (!title) errors.title = t('v.required');
  else if ([...title].length > 200) errors.title = t('v.tooLong');
  let dueAt: string | null = null;
  if (input.dueLocal.trim()) {
    dueAt = fromDatetimeLocal(input.dueLocal);
    if (!dueAt) errors.dueAt = t('v.time');
    else if (new Date(dueAt).getTime() <= now) errors.dueAt = t('task.duePast');
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, body: { departmentId: input.departmentId, title, detail: input.detail.trim(), dueAt } };
}

/** The due picker's value `minutes` from now, rounded up to the next 5 minutes. */
export function dueInLocal(now: number, minutes: number): string {
  const step = 5 * 60_000;
  return toDatetimeLocal(Math.ceil((now + minutes * 60_000) / step) * step);
}
