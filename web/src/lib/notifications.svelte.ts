// The notification centre: the unread count in the header (live: refetched on every event that may have filed a
// notification for me, on every reconnect and every minute), the list, mark read; desktop notifications where the
// user has allowed them (asked only from the "enable" button), and the audible cue on warnings and breaches.
import { NOTIFIABLE_EVENT_TYPES, type Notification, type NotificationList } from '../../../shared/coordination.ts';
import { api, ApiError } from './api.ts';
import { playCue, type Cue } from './audio.svelte.ts';
import { serverNow } from './clock.svelte.ts';
import { errorText } from './errors.ts';
import { describeNotification, shouldCue } from './notifications.ts';
import { onConnected, onEvent } from './realtime.svelte.ts';
import { navigate } from './router.svelte.ts';
import { session } from './session.svelte.ts';

export type DesktopPermission = NotificationPermission | 'unsupported';

function desktopPermission(): DesktopPermission {
  return typeof window !== 'undefined' && 'Notification' in window ? window.Notification.permission : 'unsupported';
}

class NotificationCentre {
  unread = $state(0);
  items = $state.raw<Notification[]>([]);
  loaded = $state(false);
  loading = $state(false);
  error = $state<string | null>(null);
  permission = $state<DesktopPermission>(desktopPermission());
}

export const notifications = new NotificationCentre();

const NOTIFIABLE = new Set<string>(NOTIFIABLE_EVENT_TYPES);
let offEvent: (() => void) | null = null;
let offConnected: (() => void) | null = null;
let pollTimer: ReturnType<typeof setInterval> | null = null;
let refreshTimer: ReturnType<typeof setTimeout> | null = null;
let countSeq = 0;
let listSeq = 0;
/** The newest notification id already seen (nothing older pops up on the desktop). */
let newestSeen: number | null = null;
let lastCueAt = 0;
let lastCue: Cue | null = null;

function desktopNotify(n: Notification): void {
  if (notifications.permission !== 'granted' || typeof window === 'undefined' || !('Notification' in window)) return;
  // In the foreground the header count and the toasts say it already.
  if (document.visibilityState === 'visible' && document.hasFocus()) return;
  const line = describeNotification(n.event, session.user ?? undefined);
  try {
    const note = new window.Notification(line.title, { body: line.text, tag: `beacon-notification-${n.id}` });
    note.onclick = () => {
      window.focus();
      void markRead(n.id);
      if (line.href) navigate(line.href);
      note.close();
    };
  } catch {
    /* some browsers only allow notifications from a service worker */
  }
}

/** Refetch the unread count (and the newest unread ones, to pop up on the desktop). */
export async function refreshCount(): Promise<void> {
  const mine = ++countSeq;
  try {
    const res = await api.get<NotificationList>('/api/notifications?unread=1&limit=20');
    if (mine !== countSeq) return;
    notifications.unread = res.unread;
    const ids = res.items.map((n) => Number(n.id));
    const newest = ids.length ? Math.max(...ids) : null;
    if (newestSeen === null) {
      newestSeen = newest ?? 0;
    } else {
      const fresh = res.items.filter((n) => Number(n.id) > (newestSeen ?? 0));
      for (const n of fresh.reverse()) desktopNotify(n);
      if (newest !== null && newest > newestSeen) newestSeen = newest;
    }
    // The open list stays current too.
    if (notifications.loaded && res.items.some((n) => !notifications.items.some((x) => x.id === n.id))) void loadList();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return;
    /* the next event, reconnect or poll tries again */
  }
}

export async function loadList(): Promise<void> {
  const mine = ++listSeq;
  notifications.loading = true;
  try {
    const res = await api.get<NotificationList>('/api/notifications?limit=30');
    if (mine !== listSeq) return;
    notifications.items = res.items;
    notifications.unread = res.unread;
    notifications.loaded = true;
    notifications.error = null;
  } catch (err) {
    if (mine !== listSeq) return;
    notifications.error = errorText(err);
  } finally {
    if (mine === listSeq) notifications.loading = false;
  }
}

export async function markRead(id: string): Promise<void> {
  const item = notifications.items.find((n) => n.id === id);
  if (item?.readAt) return;
  try {
    const res = await api.post<{ notification: Notification; unread: number }>(`/api/notifications/${encodeURIComponent(id)}/read`);
    notifications.items = notifications.items.map((n) => (n.id === id ? res.notification : n));
    notifications.unread = res.unread;
  } catch (err) {
    notifications.error = errorText(err);
  }
}

export async function markAllRead(): Promise<void> {
  try {
    const res = await api.post<{ marked: number; unread: number }>('/api/notifications/read-all');
    const at = new Date(serverNow()).toISOString();
    notifications.items = notifications.items.map((n) => (n.readAt ? n : { ...n, readAt: at }));
    notifications.unread = res.unread;
  } catch (err) {
    notifications.error = errorText(err);
  }
}

/** Ask for desktop notifications: only ever from the user's click on "enable". */
export async function requestDesktopPermission(): Promise<void> {
  if (typeof window === 'undefined' || !('Notification' in window)) {
    notifications.permission = 'unsupported';
    return;
  }
  try {
    notifications.permission = await window.Notification.requestPermission();
  } catch {
    notifications.permission = window.Notification.permission;
  }
}

function refreshSoon(): void {
  if (refreshTimer) clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    void refreshCount();
  }, 200);
}

/** One cue at a time: a breach within a few seconds of another cue still sounds, a second warning does not. */
function cue(c: Cue): void {
  const now = Date.now();
  if (now - lastCueAt < 3000 && (c === 'warning' || lastCue === 'missed')) return;
  if (playCue(c)) {
    lastCueAt = now;
    lastCue = c;
  }
}

export function startNotifications(): void {
  stopNotifications();
  notifications.permission = desktopPermission();
  offEvent = onEvent((e) => {
    if (NOTIFIABLE.has(e.type)) refreshSoon();
    const c = shouldCue(e, serverNow());
    if (c) cue(c);
  });
  offConnected = onConnected(() => refreshSoon());
  void refreshCount();
  pollTimer = setInterval(() => void refreshCount(), 60_000);
}

export function stopNotifications(): void {
  offEvent?.();
  offConnected?.();
  offEvent = null;
  offConnected = null;
  if (pollTimer) clearInterval(pollTimer);
  if (refreshTimer) clearTimeout(refreshTimer);
  pollTimer = null;
  refreshTimer = null;
  countSeq++;
  listSeq++;
  newestSeen = null;
  notifications.unread = 0;
  notifications.items = [];
  notifications.loaded = false;
  notifications.loading = false;
  notifications.error = null;
}
