// Countdown arithmetic shared by the console and the reports.

/** Milliseconds left until `dueAt` at `now` (negative when overdue). */
export function msUntil(dueAt: string | Date, now: number): number {
  return new Date(dueAt).getTime() - now;
}

/** "4:59:50" style: hours may exceed 24; seconds always shown. */
export function formatDuration(ms: number): string {
  const total = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

export type Urgency = 'done' | 'calm' | 'soon' | 'urgent' | 'critical' | 'overdue';

/** Colour band for a pending clock: > 60 min calm, ≤ 60 soon, ≤ 30 urgent, ≤ 10 critical, past due overdue. */
export function urgencyOf(msLeft: number, pending = true): Urgency {
  if (!pending) return 'done';
  if (msLeft < 0) return 'overdue';
  if (msLeft <= 10 * 60_000) return 'critical';
  if (msLeft <= 30 * 60_000) return 'urgent';
  if (msLeft <= 60 * 60_000) return 'soon';
  return 'calm';
}

/** Offset to add to the browser's clock to get server time, from a server timestamp seen at `localReceivedAt`. */
export function serverOffset(serverNow: string, localReceivedAt: number): number {
  return new Date(serverNow).getTime() - localReceivedAt;
}
