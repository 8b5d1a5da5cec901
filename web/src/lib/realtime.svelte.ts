// socket.io link: server time, live events, catch-up after reconnects, incident rooms.
import { io, type Socket } from 'socket.io-client';
import type { PresenceMessage } from '../../../shared/coordination.ts';
import type { BeaconEvent, Hello } from '../../../shared/domain.ts';
import { EVENT } from '../../../shared/events.ts';
import { api, ApiError } from './api.ts';
import { setServerTime } from './clock.svelte.ts';
import { compareIds, payloadDeadline } from './events.ts';
import { t } from './i18n.svelte.ts';
import { session } from './session.svelte.ts';
import { applyEventToStore, loadIncidents } from './store.svelte.ts';
import { pushToast } from './toasts.svelte.ts';

export type ConnState = 'live' | 'reconnecting' | 'offline';

class Connection {
  state = $state<ConnState>('offline');
  /** Whether this session has ever been connected (first attempt reads "connecting"). */
  everConnected = $state(false);
}

export const connection = new Connection();

let socket: Socket | null = null;
let helloCount = 0;
let lastEventId: string | null = null;
const applied = new Set<string>();
const appliedOrder: string[] = [];
const listeners = new Set<(e: BeaconEvent) => void>();
const watched = new Map<string, number>();
let retryTimer: ReturnType<typeof setTimeout> | null = null;
let catchingUp: Promise<void> | null = null;

const presenceListeners = new Set<(m: PresenceMessage) => void>();
const connectedListeners = new Set<() => void>();

/** Subscribe to `presence {incidentId, users}` (who is looking at a watched incident). Returns an unsubscribe. */
export function onPresence(listener: (m: PresenceMessage) => void): () => void {
  presenceListeners.add(listener);
  return () => presenceListeners.delete(listener);
}

/** Called on every hello: the first connection and each reconnect (the event catch-up has been started). */
export function onConnected(listener: () => void): () => void {
  connectedListeners.add(listener);
  return () => connectedListeners.delete(listener);
}

/** Subscribe to every applied event (after the store has been updated). Returns an unsubscribe. */
export function onEvent(listener: (e: BeaconEvent) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function remember(id: string): void {
  applied.add(id);
  appliedOrder.push(id);
  if (appliedOrder.length > 5000) applied.delete(appliedOrder.shift()!);
  if (lastEventId === null || compareIds(id, lastEventId) > 0) lastEventId = id;
}

function toastFor(e: BeaconEvent): void {
  const d = payloadDeadline(e);
  const title = typeof e.payload.incidentTitle === 'string' ? e.payload.incidentTitle : '';
  const incidentId = d?.incidentId ?? e.incidentId ?? null;
  if (e.type === EVENT.deadlineWarning && d) {
    const minutes = Number(e.payload.minutesBefore) || 0;
    pushToast({
      tone: 'warning',
      incidentId,
      text: () => t('toast.warning', { title, kind: t(`kind.${d.kind}`), minutes }),
    });
  } else if (e.type === EVENT.deadlineMissed && d) {
    pushToast(
      { tone: 'danger', incidentId, text: () => t('toast.missed', { title, kind: t(`kind.${d.kind}`) }) },
      30_000,
    );
  }
}

function apply(e: BeaconEvent): void {
  if (!e || (typeof e.id !== 'string' && typeof e.id !== 'number')) return;
  const id = String(e.id);
  if (applied.has(id)) return;
  const event = { ...e, id, payload: e.payload ?? {} };
  remember(id);
  applyEventToStore(event);
  toastFor(event);
  for (const listener of listeners) {
    try {
      listener(event);
    } catch (err) {
      console.error(err);
    }
  }
}

/** Fetch and apply what happened while we were away. */
async function catchUp(): Promise<void> {
  if (catchingUp) return catchingUp;
  catchingUp = (async () => {
    if (lastEventId === null) {
      await loadIncidents();
      return;
    }
    try {
      // Page until the server has nothing newer (it may cap a page).
      for (let page = 0; page < 50; page++) {
        const after: string | null = lastEventId;
        if (after === null) break;
        const { events } = await api.get<{ events: BeaconEvent[] }>(`/api/events?after=${encodeURIComponent(after)}`);
        const sorted = [...events].sort((a, b) => compareIds(String(a.id), String(b.id)));
        for (const e of sorted) apply(e);
        if (sorted.length === 0 || lastEventId === after) break;
      }
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return;
      // Could not replay: reload the whole list instead.
      await loadIncidents();
    }
  })().finally(() => {
    catchingUp = null;
  });
  return catchingUp;
}

function onHello(hello: Hello): void {
  if (hello?.serverNow) setServerTime(hello.serverNow);
  if (hello?.user && session.user && hello.user.id === session.user.id) session.user = hello.user;
  helloCount++;
  if (helloCount === 1) {
    // First connection: anything up to hello.lastEventId is in a list loaded from now on.
    if (lastEventId === null && hello?.lastEventId != null) {
      lastEventId = String(hello.lastEventId);
      void loadIncidents();
    } else {
      void catchUp();
    }
  } else {
    void catchUp();
  }
  // Rooms do not survive a reconnect: join the watched incidents again.
  for (const incidentId of watched.keys()) socket?.emit('watch', { incidentId });
  for (const listener of connectedListeners) {
    try {
      listener();
    } catch (err) {
      console.error(err);
    }
  }
}

/**
 * After a sleep or a long background spell: reconnect if the socket is down, and replay what was missed
 * (a socket that looks connected may have missed events while the machine slept).
 */
export function resync(): Promise<void> {
  if (socket && !socket.connected) socket.connect();
  updateState();
  return socket ? catchUp() : Promise.resolve();
}

function updateState(): void {
  if (!socket) {
    connection.state = 'offline';
    return;
  }
  // The browser knowing it is offline wins: an open socket will not survive it for long.
  if (typeof navigator !== 'undefined' && navigator.onLine === false) connection.state = 'offline';
  else if (socket.connected) connection.state = 'live';
  else if (socket.active) connection.state = 'reconnecting';
  else connection.state = 'offline';
}

function scheduleManualRetry(): void {
  if (retryTimer) return;
  retryTimer = setTimeout(async () => {
    retryTimer = null;
    if (!socket) return;
    try {
      // The server refused the handshake: is the session still good? (401 returns to sign-in.)
      await api.get('/api/session');
      socket.connect();
      updateState();
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) scheduleManualRetry();
    }
  }, 5000);
}

const onBrowserOnline = () => {
  if (socket && !socket.connected) socket.connect();
  updateState();
};

export function connect(): void {
  if (socket) return;
  helloCount = 0;
  socket = io({ withCredentials: true, reconnectionDelayMax: 5000 });
  connection.state = 'reconnecting';
  socket.on('connect', () => {
    connection.everConnected = true;
    updateState();
  });
  socket.on('hello', onHello);
  socket.on('event', (e: BeaconEvent) => apply(e));
  socket.on('presence', (m: PresenceMessage) => {
    if (!m || typeof m.incidentId !== 'string' || !Array.isArray(m.users)) return;
    for (const listener of presenceListeners) listener(m);
  });
  socket.on('disconnect', () => {
    updateState();
    if (socket && !socket.active) scheduleManualRetry();
  });
  socket.on('connect_error', () => {
    updateState();
    if (socket && !socket.active) scheduleManualRetry();
  });
  socket.io.on('reconnect_attempt', updateState);
  socket.io.on('reconnect_failed', () => {
    updateState();
    scheduleManualRetry();
  });
  window.addEventListener('online', onBrowserOnline);
  window.addEventListener('offline', updateState);
}

export function disconnect(): void {
  if (retryTimer) clearTimeout(retryTimer);
  retryTimer = null;
  window.removeEventListener('online', onBrowserOnline);
  window.removeEventListener('offline', updateState);
  socket?.removeAllListeners();
  socket?.io.removeAllListeners();
  socket?.disconnect();
  socket = null;
  watched.clear();
  applied.clear();
  appliedOrder.length = 0;
  lastEventId = null;
  connection.state = 'offline';
  connection.everConnected = false;
}

/** Join an incident's room (reference counted: two views may watch one incident). */
export function watch(incidentId: string): () => void {
  watched.set(incidentId, (watched.get(incidentId) ?? 0) + 1);
  if (watched.get(incidentId) === 1) socket?.emit('watch', { incidentId });
  let done = false;
  return () => {
    if (done) return;
    done = true;
    const n = (watched.get(incidentId) ?? 1) - 1;
    if (n > 0) {
      watched.set(incidentId, n);
    } else {
      watched.delete(incidentId);
      socket?.emit('unwatch', { incidentId });
    }
  };
}
