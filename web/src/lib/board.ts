// Pure board logic: which clocks are still running, sort order, summary strip, clock display state.
import type { Deadline, Incident } from '../../../shared/domain.ts';
import { msUntil, urgencyOf, type Urgency } from '../../../shared/time.ts';

/** A clock still owed a response: pending, or missed and not yet met. */
export function isOutstanding(d: Deadline): boolean {
  return d.status === 'pending' || (d.status === 'missed' && !d.metAt);
}

/** Due time (ms) of the incident's most urgent outstanding clock; Infinity when none. */
export function mostUrgentDue(incident: Incident): number {
  let best = Infinity;
  for (const d of incident.deadlines ?? []) {
    if (!isOutstanding(d)) continue;
    const due = new Date(d.dueAt).getTime();
    if (due < best) best = due;
  }
  return best;
}

/**
 * Board order: open incidents first, those with the most urgent outstanding clock (earliest due,
 * so overdue ones lead) first; open incidents without clocks by severity then newest; closed last,
 * most recently closed first.
 */
export function sortBoard(incidents: readonly Incident[]): Incident[] {
  const sevRank: Record<string, number> = { I: 0, II: 1, III: 2, IV: 3 };
  return [...incidents].sort((a, b) => {
    if (a.status !== b.status) return a.status === 'open' ? -1 : 1;
    if (a.status === 'open') {
      const da = mostUrgentDue(a);
      const db = mostUrgentDue(b);
      if (da !== db) return da < db ? -1 : 1;
      const sa = sevRank[a.severity] ?? 9;
      const sb = sevRank[b.severity] ?? 9;
      if (sa !== sb) return sa - sb;
      return b.occurredAt.localeCompare(a.occurredAt) || a.id.localeCompare(b.id);
    }
    const ca = a.closedAt ?? a.updatedAt ?? a.occurredAt;
    const cb = b.closedAt ?? b.updatedAt ?? b.occurredAt;
    return cb.localeCompare(ca) || a.id.localeCompare(b.id);
  });
}

export interface BoardSummary {
  open: number;
  overdue: number;
  next: { incident: Incident; deadline: Deadline } | null;
}

/** Summary strip: open incidents, overdue clocks on open incidents, the next clock to fall due. */
export function boardSummary(incidents: readonly Incident[], now: number): BoardSummary {
  let open = 0;
  let overdue = 0;
  let next: BoardSummary['next'] = null;
  let nextDue = Infinity;
  for (const incident of incidents) {
    if (incident.status !== 'open') continue;
    open++;
    for (const d of incident.deadlines ?? []) {
      if (!isOutstanding(d)) continue;
      const left = msUntil(d.dueAt, now);
      if (left < 0 || d.status === 'missed') {
        overdue++;
      } else if (left < nextDue) {
        nextDue = left;
        next = { incident, deadline: d };
      }
    }
  }
  return { open, overdue, next };
}

export type ClockState = 'counting' | 'overdue' | 'missed' | 'met' | 'metLate' | 'waived';

export interface ClockView {
  state: ClockState;
  /** Time left (positive) or late by (negative), ms. For met clocks, the margin at metAt. */
  ms: number;
  urgency: Urgency;
}

/**
 * How one deadline reads at `now`. On a closed incident (`closedAt`) clocks stop: one still owed
 * reads as a settled miss ('missed', late by its margin at closing) instead of counting on.
 */
export function clockView(d: Deadline, now: number, closedAt?: string | null): ClockView {
  if (closedAt && d.status !== 'waived' && !d.metAt && d.status !== 'met') {
    const ms = msUntil(d.dueAt, Math.min(now, new Date(closedAt).getTime()));
    if (d.status === 'missed' || ms < 0) return { state: 'missed', ms: Math.min(ms, 0), urgency: 'done' };
    return { state: 'counting', ms, urgency: 'done' };
  }
  if (d.status === 'waived') return { state: 'waived', ms: msUntil(d.dueAt, now), urgency: 'done' };
  if (d.metAt) {
    const margin = msUntil(d.dueAt, new Date(d.metAt).getTime());
    const late = d.status === 'missed' || margin < 0;
    return { state: late ? 'metLate' : 'met', ms: margin, urgency: 'done' };
  }
  if (d.status === 'met') return { state: 'met', ms: 0, urgency: 'done' };
  const ms = msUntil(d.dueAt, now);
  if (d.status === 'missed' || ms < 0) return { state: 'overdue', ms: Math.min(ms, 0), urgency: 'overdue' };
  return { state: 'counting', ms, urgency: urgencyOf(ms) };
}

/** Deadlines in display order: by due time, ties by kind order. */
export function orderedDeadlines(deadlines: readonly Deadline[] | undefined): Deadline[] {
  const kindRank: Record<string, number> = { first_release: 0, press_conference: 1, follow_up: 2, opinion_response: 3 };
  return [...(deadlines ?? [])].sort(
    (a, b) => a.dueAt.localeCompare(b.dueAt) || (kindRank[a.kind] ?? 9) - (kindRank[b.kind] ?? 9),
  );
}
