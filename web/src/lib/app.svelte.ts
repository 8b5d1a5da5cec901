// Session lifecycle: boot, sign-in, sign-out, and the "401 anywhere returns to sign-in" rule.
import type { User } from '../../../shared/domain.ts';
import { api, ApiError, onUnauthorized } from './api.ts';
import { connect, disconnect } from './realtime.svelte.ts';
import { resetOpinionQueue } from './opinionQueue.svelte.ts';
import { startOpinionFeed, stopOpinionFeed } from './opinionFeed.svelte.ts';
import { startReleaseFeed, stopReleaseFeed } from './releaseFeed.svelte.ts';
import { session } from './session.svelte.ts';
import { hookAudioUnlock } from './audio.svelte.ts';
import { startNotifications, stopNotifications } from './notifications.svelte.ts';
import { startTasksFeed, stopTasksFeed } from './tasksFeed.svelte.ts';
import { loadIncidents, loadReference, resetStore } from './store.svelte.ts';
import { clearToasts } from './toasts.svelte.ts';

function start(user: User): void {
  session.user = user;
  connect();
  startReleaseFeed();
  startTasksFeed();
  startNotifications();
  hookAudioUnlock();
  startOpinionFeed();
  void loadReference();
  void loadIncidents();
}

function stop(): void {
  stopReleaseFeed();
  stopTasksFeed();
  stopNotifications();
  stopOpinionFeed();
  resetOpinionQueue();
  disconnect();
  resetStore();
  clearToasts();
  session.user = null;
}

onUnauthorized(() => {
  if (session.user) stop();
});

/** Probe the cookie session once at start-up. */
export async function boot(): Promise<void> {
  try {
    const { user } = await api.get<{ user: User }>('/api/session', { allowUnauthorized: true });
    start(user);
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) console.warn('session probe failed', err);
  } finally {
    session.ready = true;
  }
}

/** Throws ApiError (401 bad credentials, 429 rate limited, …). */
export async function signIn(login: string, password: string): Promise<void> {
  const { user } = await api.post<{ user: User }>('/api/session', { login, password }, { allowUnauthorized: true });
  start(user);
}

export async function signOut(): Promise<void> {
  try {
    await api.del('/api/session', { allowUnauthorized: true });
  } catch {
    /* signed out locally regardless */
  }
  stop();
}
