// My department's task inbox: the unread count in the header (tasks assigned to my department and not yet
// acknowledged), kept live: refetched on every task.* event, on every reconnect and every minute; and a toast when
// a task arrives for my department.
import type { Task } from '../../../shared/coordination.ts';
import { api, ApiError } from './api.ts';
import { t } from './i18n.svelte.ts';
import { onConnected, onEvent } from './realtime.svelte.ts';
import { session } from './session.svelte.ts';
import { payloadTask } from './tasks.ts';
import { pushToast } from './toasts.svelte.ts';

class TaskInboxState {
  unread = $state(0);
  /** Bumped on every task event: views holding task lists refetch on it. */
  revision = $state(0);
}

export const taskInbox = new TaskInboxState();

let offEvent: (() => void) | null = null;
let offConnected: (() => void) | null = null;
let pollTimer: ReturnType<typeof setInterval> | null = null;
let refreshTimer: ReturnType<typeof setTimeout> | null = null;
let seq = 0;

export async function refreshInboxCount(): Promise<void> {
  const mine = ++seq;
  try {
    const { unread } = await api.get<{ unread: number }>('/api/tasks/inbox-count');
    if (mine === seq) taskInbox.unread = unread;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return;
    /* tried again on the next event, reconnect or poll */
  }
}

function refreshSoon(): void {
  if (refreshTimer) clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    void refreshInboxCount();
  }, 150);
}

function toastNew(task: Task, incidentTitle: string, by: string): void {
  const me = session.user;
  if (!me || task.departmentId !== me.departmentId || by === me.name) return;
  pushToast(
    {
      tone: 'warning',
      incidentId: task.incidentId,
      key: `task:${task.id}`,
      href: '#/tasks',
      text: () => t('task.toastNew', { title: task.title, incident: incidentTitle || task.incidentTitle }),
    },
    30_000,
  );
}

export function startTasksFeed(): void {
  stopTasksFeed();
  offEvent = onEvent((e) => {
    if (!e.type.startsWith('task.')) return;
    taskInbox.revision++;
    refreshSoon();
    const task = payloadTask(e);
    if (task && e.type === 'task.created') {
      toastNew(task, typeof e.payload.incidentTitle === 'string' ? e.payload.incidentTitle : '', typeof e.payload.by === 'string' ? e.payload.by : '');
    }
  });
  offConnected = onConnected(() => {
    taskInbox.revision++;
    refreshSoon();
  });
  void refreshInboxCount();
  pollTimer = setInterval(() => void refreshInboxCount(), 60_000);
}

export function stopTasksFeed(): void {
  offEvent?.();
  offConnected?.();
  offEvent = null;
  offConnected = null;
  if (pollTimer) clearInterval(pollTimer);
  if (refreshTimer) clearTimeout(refreshTimer);
  pollTimer = null;
  refreshTimer = null;
  seq++;
  taskInbox.unread = 0;
}
