// Server-corrected time. One shared 1-second ticker drives every countdown in the console.
import { serverOffset } from '../../../shared/time.ts';

class ServerClock {
  /** serverNow − Date.now(), in ms. */
  offset = $state(0);
  /** Whether the offset has been set from the server at least once. */
  synced = $state(false);
  /** Server time in ms, updated on every whole server second. */
  now = $state(Date.now());
}

export const clock = new ServerClock();

/** Server time right now, read without subscribing (for event handlers and timestamps). */
export function serverNow(): number {
  return Date.now() + clock.offset;
}

/**
 * Record a server timestamp. `sentAt`/`receivedAt` bracket the request that carried it, so
 * half the round trip is allowed for; for a pushed message pass only `receivedAt`.
 */
export function setServerTime(serverNowIso: string, receivedAt = Date.now(), sentAt = receivedAt): void {
  const t = new Date(serverNowIso).getTime();
  if (!Number.isFinite(t)) return;
  clock.offset = serverOffset(serverNowIso, (sentAt + receivedAt) / 2);
  clock.synced = true;
  clock.now = serverNow();
}

let timer: ReturnType<typeof setTimeout> | null = null;

function schedule(): void {
  // Wake just after the next whole server second, so every clock on screen flips together.
  const delay = 1000 - (serverNow() % 1000) + 15;
  timer = setTimeout(() => {
    clock.now = serverNow();
    schedule();
  }, delay);
}

export function startTicker(): void {
  if (timer !== null) return;
  clock.now = serverNow();
  schedule();
  if (typeof document !== 'undefined') {
    // Background tabs throttle timers: catch up as soon as the tab is visible again.
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') clock.now = serverNow();
    });
  }
}
