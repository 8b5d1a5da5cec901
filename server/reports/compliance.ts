// The accountability arithmetic, pure: margins, on-time, medians, and the compliance statistics per department
// computed from plain rows (the service reads them; test/unit/reports-compliance.test.ts checks this alone).
//
// A clock is counted in the period when its dueAt lies in [from, to). Its outcome, as of the report's `now`:
//   waived        a leader waived it (or closing the incident ended a running follow-up)
//   met_on_time   metAt ≤ dueAt
//   met_late      metAt > dueAt (the rules keep status `missed` and set metAt: both the breach and the response)
//   missed_unmet  no metAt and due has passed
//   pending       no metAt and still running (a period reaching into the future)
// Breaches are met_late and missed_unmet: the notification list the accountability rules call for.

export type ClockStatus = 'pending' | 'met' | 'missed' | 'waived';
export type ClockOutcome = 'met_on_time' | 'met_late' | 'missed_unmet' | 'waived' | 'pending';

export interface ClockFacts {
  dueAt: Date;
  metAt: Date | null;
  status: ClockStatus;
}

const seconds = (ms: number) => Math.round(ms / 1000) || 0; // || 0: no -0

/** dueAt − metAt in whole seconds: positive = early, negative = late; null while unmet. */
export function marginSeconds(dueAt: Date, metAt: Date | null): number | null {
  return metAt ? seconds(dueAt.getTime() - metAt.getTime()) : null;
}

/** Whether the clock was met in time; null when it was not met (waived, running, or missed without a response). */
export function onTime(clock: ClockFacts): boolean | null {
  return clock.metAt ? clock.metAt.getTime() <= clock.dueAt.getTime() : null;
}

export function classifyClock(clock: ClockFacts, now: Date): ClockOutcome {
  if (clock.status === 'waived') return 'waived';
  if (clock.metAt) return clock.metAt.getTime() <= clock.dueAt.getTime() ? 'met_on_time' : 'met_late';
  if (clock.status === 'missed' || clock.dueAt.getTime() <= now.getTime()) return 'missed_unmet';
  return 'pending';
}

/** The median (mean of the middle two for an even count); null for none. */
export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export interface ComplianceClockRow extends ClockFacts {
  deadlineId: number;
  kind: string;
  incidentId: number | null;
  incidentTitle: string | null;
  opinionItemId: number | null;
  /** The responsible department: the incident's lead (or, for an opinion clock without incident, the item's). */
  departmentId: number | null;
}

export interface FirstReleaseRow {
  incidentId: number;
  departmentId: number;
  occurredAt: Date;
  firstPublishedAt: Date;
}

export interface DepartmentStats {
  departmentId: string | null;
  departmentName: string;
  /** Clocks due in the period. */
  due: number;
  metOnTime: number;
  metLate: number;
  missedUnmet: number;
  waived: number;
  pending: number;
  /** metOnTime / (metOnTime + metLate + missedUnmet); null when none settled. */
  onTimeRate: number | null;
  /** Incidents whose first release was published in the period. */
  firstReleases: number;
  /** Median seconds from occurredAt to the first published release over those incidents; null for none. */
  medianSecondsToFirstRelease: number | null;
}

export interface Breach {
  deadlineId: string;
  incidentId: string | null;
  incidentTitle: string | null;
  opinionItemId: string | null;
  kind: string;
  dueAt: string;
  metAt: string | null;
  /** (metAt, or the report's now when still unmet) − dueAt. */
  lateBySeconds: number;
  stillUnmet: boolean;
  departmentId: string | null;
  departmentName: string;
}

export interface ComplianceStats {
  departments: DepartmentStats[];
  totals: Omit<DepartmentStats, 'departmentId' | 'departmentName'>;
  breaches: Breach[];
}

export const UNASSIGNED = '未指定部门';

const inPeriod = (at: Date, from: Date, to: Date) => at.getTime() >= from.getTime() && at.getTime() < to.getTime();

function emptyCounts() {
  return { due: 0, metOnTime: 0, metLate: 0, missedUnmet: 0, waived: 0, pending: 0 };
}

function rate(c: { metOnTime: number; metLate: number; missedUnmet: number }): number | null {
  const settled = c.metOnTime + c.metLate + c.missedUnmet;
  return settled === 0 ? null : Math.round((c.metOnTime / settled) * 1000) / 1000;
}

const OUTCOME_KEY = {
  met_on_time: 'metOnTime',
  met_late: 'metLate',
  missed_unmet: 'missedUnmet',
  waived: 'waived',
  pending: 'pending',
} as const;

/**
 * Statistics for the period [from, to) as of `now`. Every department given is listed (zeros included), in the order
 * given; clocks without a responsible department are gathered under "未指定部门" when there are any.
 */
export function computeCompliance(input: {
  from: Date;
  to: Date;
  now: Date;
  departments: { id: number; name: string }[];
  clocks: ComplianceClockRow[];
  firstReleases: FirstReleaseRow[];
}): ComplianceStats {
  const { from, to, now } = input;
  const names = new Map(input.departments.map((d) => [d.id, d.name]));
  const nameOf = (id: number | null) => (id === null ? UNASSIGNED : (names.get(id) ?? `#${id}`));
  const counts = new Map<number | null, ReturnType<typeof emptyCounts>>(input.departments.map((d) => [d.id, emptyCounts()]));
  const breaches: Breach[] = [];

  const clocks = input.clocks.filter((c) => inPeriod(c.dueAt, from, to)).sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.deadlineId - b.deadlineId);
  for (const clock of clocks) {
    const outcome = classifyClock(clock, now);
    if (!counts.has(clock.departmentId)) counts.set(clock.departmentId, emptyCounts());
    const c = counts.get(clock.departmentId)!;
    c.due++;
    c[OUTCOME_KEY[outcome]]++;
    if (outcome === 'met_late' || outcome === 'missed_unmet') {
      breaches.push({
        deadlineId: String(clock.deadlineId),
        incidentId: clock.incidentId === null ? null : String(clock.incidentId),
        incidentTitle: clock.incidentTitle,
        opinionItemId: clock.opinionItemId === null ? null : String(clock.opinionItemId),
        kind: clock.kind,
        dueAt: clock.dueAt.toISOString(),
        metAt: clock.metAt ? clock.metAt.toISOString() : null,
        lateBySeconds: seconds((clock.metAt ?? now).getTime() - clock.dueAt.getTime()),
        stillUnmet: outcome === 'missed_unmet',
        departmentId: clock.departmentId === null ? null : String(clock.departmentId),
        departmentName: nameOf(clock.departmentId),
      });
    }
  }

  const spans = new Map<number, number[]>();
  for (const r of input.firstReleases) {
    if (!inPeriod(r.firstPublishedAt, from, to)) continue;
    if (!counts.has(r.departmentId)) counts.set(r.departmentId, emptyCounts());
    const list = spans.get(r.departmentId) ?? [];
    list.push(seconds(r.firstPublishedAt.getTime() - r.occurredAt.getTime()));
    spans.set(r.departmentId, list);
  }

  const departments: DepartmentStats[] = [...counts].map(([id, c]) => ({
    departmentId: id === null ? null : String(id),
    departmentName: nameOf(id),
    ...c,
    onTimeRate: rate(c),
    firstReleases: id === null ? 0 : (spans.get(id)?.length ?? 0),
    medianSecondsToFirstRelease: id === null ? null : median(spans.get(id) ?? []),
  }));
  const sum = emptyCounts();
  for (const d of departments) for (const k of Object.keys(sum) as (keyof typeof sum)[]) sum[k] += d[k];
  const allSpans = [...spans.values()].flat();
  return {
    departments,
    totals: { ...sum, onTimeRate: rate(sum), firstReleases: allSpans.length, medianSecondsToFirstRelease: median(allSpans) },
    breaches,
  };
}

/** Task acknowledgement latency in seconds; null while unacknowledged. */
export function ackSeconds(createdAt: Date, ackedAt: Date | null): number | null {
  return ackedAt ? seconds(ackedAt.getTime() - createdAt.getTime()) : null;
}

/** A task is overdue when it has a due time and was done after it, or is still not done after it. */
export function taskOverdue(task: { dueAt: Date | null; doneAt: Date | null }, now: Date): boolean {
  if (!task.dueAt) return false;
  return (task.doneAt ?? now).getTime() > task.dueAt.getTime();
}
