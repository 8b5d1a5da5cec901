// Pure logic of the leaders' wall: which clocks an incident shows, what is overdue and by whom, live events
// applied to the dashboard's incidents, and the opinion sparklines.
import type { Task } from '../../../shared/coordination.ts';
import type { BeaconEvent, DashboardIncident, Deadline, Incident } from '../../../shared/domain.ts';
import type { OpinionBurst } from '../../../shared/opinion.ts';
import { isOutstanding, sortBoard } from './board.ts';
import { mergeIncident, payloadDeadline, payloadIncident, withDeadline } from './events.ts';

/** The statutory clocks stay on the wall once settled (met, waived); settled follow-ups and opinion clocks drop off. */
const KEEP_SETTLED = new Set(['first_release', 'press_conference']);
const KIND_RANK: Record<string, number> = { first_release: 0, press_conference: 1, follow_up: 2, opinion_response: 3 };

/** The clocks shown for one incident: the outstanding ones by due time, then the settled statutory ones. */
export function wallClocks(incident: Pick<Incident, 'deadlines'>): { running: Deadline[]; settled: Deadline[] } {
  const all = [...(incident.deadlines ?? [])].sort(
    (a, b) => a.dueAt.localeCompare(b.dueAt) || (KIND_RANK[a.kind] ?? 9) - (KIND_RANK[b.kind] ?? 9),
  );
  return {
    running: all.filter(isOutstanding),
    settled: all.filter((d) => !isOutstanding(d) && KEEP_SETTLED.has(d.kind)),
  };
}

/** The earliest pending clock (the dashboard's `nextDeadline`). */
export function nextDeadline(incident: Pick<Incident, 'deadlines'>): Deadline | null {
  return (
    [...(incident.deadlines ?? [])].filter((d) => d.status === 'pending').sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0] ?? null
  );
}

/** Wall order: the most urgent outstanding clock first (overdue leads), then severity, then newest. */
export function sortWall<T extends Incident>(incidents: readonly T[]): T[] {
  return sortBoard(incidents.filter((x) => x.status === 'open')) as T[];
}

export interface OverdueItem {
  key: string;
  type: 'clock' | 'task';
  incidentId: string;
  incidentTitle: string;
  /** The clock kind (type clock) or the task title (type task). */
  what: string;
  kind: string | null;
  /** Who owes it: the incident's lead department for a clock, the assigned department for a task. */
  departmentId: string;
  departmentName: string;
  dueAt: string;
  /** How late, ms (≥ 0). */
  lateMs: number;
}

/**
 * Everything overdue at `now` (server time) on the open incidents: clocks still owed past due (missed or pending
 * past due: the same rule as the dashboard) and tasks not done past due. Longest overdue first.
 */
export function overdueItems(
  incidents: readonly Incident[],
  tasks: readonly Task[],
  now: number,
  departmentName: (id: string) => string,
): OverdueItem[] {
  const out: OverdueItem[] = [];
  const open = new Map(incidents.filter((i) => i.status === 'open').map((i) => [i.id, i]));
  for (const incident of open.values()) {
    for (const d of incident.deadlines ?? []) {
      const due = new Date(d.dueAt).getTime();
      const owed = (d.status === 'missed' && !d.metAt) || (d.status === 'pending' && due <= now);
      if (!owed) continue;
      out.push({
        key: `clock:${d.id}`,
        type: 'clock',
        incidentId: incident.id,
        incidentTitle: incident.title,
        what: d.kind,
        kind: d.kind,
        departmentId: incident.leadDepartmentId,
        departmentName: departmentName(incident.leadDepartmentId),
        dueAt: d.dueAt,
        lateMs: Math.max(0, now - due),
      });
    }
  }
  for (const task of tasks) {
    if (task.status === 'done' || !task.dueAt) continue;
    const incident = open.get(task.incidentId);
    if (!incident) continue;
    const due = new Date(task.dueAt).getTime();
    if (due > now) continue;
    out.push({
      key: `task:${task.id}`,
      type: 'task',
      incidentId: task.incidentId,
      incidentTitle: incident.title,
      what: task.title,
      kind: null,
      departmentId: task.departmentId,
      departmentName: task.departmentName || departmentName(task.departmentId),
      dueAt: task.dueAt,
      lateMs: Math.max(0, now - due),
    });
  }
  return out.sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.key.localeCompare(b.key));
}

function withNext(incident: Incident): DashboardIncident {
  return { ...incident, nextDeadline: nextDeadline(incident) };
}

/**
 * Apply one live event to the wall's incidents: a closed incident leaves, a new open one joins, a changed one or a
 * changed clock is merged (an older copy never rolls a newer one back).
 */
export function applyWallEvent(incidents: readonly DashboardIncident[], e: BeaconEvent): DashboardIncident[] {
  const inc = payloadIncident(e);
  if (inc) {
    const i = incidents.findIndex((x) => x.id === inc.id);
    if (i < 0) return inc.status === 'open' ? [...incidents, withNext(inc)] : (incidents as DashboardIncident[]);
    const merged = mergeIncident(incidents[i], inc);
    if (merged.status !== 'open') return incidents.filter((_, j) => j !== i);
    return incidents.map((x, j) => (j === i ? withNext(merged) : x));
  }
  const d = payloadDeadline(e);
  if (d) {
    const i = incidents.findIndex((x) => x.id === d.incidentId);
    if (i < 0) return incidents as DashboardIncident[];
    return incidents.map((x, j) => (j === i ? withNext(withDeadline(x, d)) : x));
  }
  return incidents as DashboardIncident[];
}

/**
 * Combine a fresh dashboard with what we hold: the dashboard says which incidents are open; a copy we hold that is
 * newer (from an event that arrived while the request was in flight) wins; incidents that arrived by event during
 * the request (`addedMeanwhile`) stay until the next fetch confirms or drops them.
 */
export function mergeDashboard(
  held: readonly DashboardIncident[],
  fetched: readonly DashboardIncident[],
  addedMeanwhile: ReadonlySet<string> = new Set(),
): DashboardIncident[] {
  const byId = new Map(held.map((x) => [x.id, x]));
  const out = fetched.map((x) => withNext(mergeIncident(byId.get(x.id), x))).filter((x) => x.status === 'open');
  for (const x of held) if (addedMeanwhile.has(x.id) && !out.some((o) => o.id === x.id) && x.status === 'open') out.push(x);
  return out;
}

/** Tasks the wall tracks: not done, with a due time. */
export function applyWallTask(tasks: readonly Task[], task: Task): Task[] {
  const i = tasks.findIndex((x) => x.id === task.id);
  if (i >= 0 && task.version < tasks[i].version) return tasks as Task[];
  const rest = tasks.filter((x) => x.id !== task.id);
  return task.status === 'done' || !task.dueAt ? rest : [...rest, task];
}

// ---- opinion ----------------------------------------------------------------------------------------------------

export interface SeriesPoint {
  t: string;
  total: number;
  negative: number;
  neutral: number;
  positive: number;
}

/** Negative share per bucket (null where nothing came in). */
export function negativeShares(series: readonly SeriesPoint[]): (number | null)[] {
  return series.map((p) => (p.total > 0 ? p.negative / p.total : null));
}

/**
 * Which way the negative share is going: the last `window` buckets against the `window` before them (pooled), a
 * change of at least `threshold` (share points) counts. null when either side has nothing.
 */
export function shareTrend(series: readonly SeriesPoint[], window = 3, threshold = 0.05): 'up' | 'down' | 'flat' | null {
  if (series.length < window * 2) return null;
  const pool = (pts: readonly SeriesPoint[]) => {
    const total = pts.reduce((s, p) => s + p.total, 0);
    return total > 0 ? pts.reduce((s, p) => s + p.negative, 0) / total : null;
  };
  const recent = pool(series.slice(-window));
  const before = pool(series.slice(-window * 2, -window));
  if (recent === null || before === null) return null;
  if (recent - before >= threshold) return 'up';
  if (before - recent >= threshold) return 'down';
  return 'flat';
}

/** Polyline points for a sparkline of `values` in a w×h box (nulls are skipped; max defaults to the data's). */
export function sparkPoints(values: readonly (number | null)[], w: number, h: number, max?: number, pad = 3): string {
  const n = values.length;
  if (n === 0) return '';
  const top = max ?? Math.max(0, ...values.map((v) => v ?? 0));
  const scale = top > 0 ? (h - pad * 2) / top : 0;
  const step = n > 1 ? (w - pad * 2) / (n - 1) : 0;
  const pts: string[] = [];
  values.forEach((v, i) => {
    if (v === null) return;
    const x = pad + i * step;
    const y = h - pad - v * scale;
    pts.push(`${round(x)},${round(y)}`);
  });
  return pts.join(' ');
}

/** Bars (x, y, width, height) for a volume sparkline. */
export function sparkBars(values: readonly number[], w: number, h: number, gap = 2): { x: number; y: number; w: number; h: number }[] {
  const n = values.length;
  if (n === 0) return [];
  const top = Math.max(0, ...values);
  const bw = Math.max(1, (w - gap * (n - 1)) / n);
  return values.map((v, i) => {
    const bh = top > 0 ? Math.max(v > 0 ? 2 : 0, (v / top) * h) : 0;
    return { x: round(i * (bw + gap)), y: round(h - bh), w: round(bw), h: round(bh) };
  });
}

const round = (x: number) => Math.round(x * 10) / 10;

/** Bursts still "current": detected within the last `hours` (server time), newest first. */
export function currentBursts(bursts: readonly OpinionBurst[], now: number, hours = 6): OpinionBurst[] {
  const since = now - hours * 3_600_000;
  return bursts
    .filter((b) => new Date(b.at || b.bucketStart).getTime() >= since)
    .sort((a, b) => (b.at || b.bucketStart).localeCompare(a.at || a.bucketStart));
}

/** Layout density by the number of incidents: fewer incidents, bigger clocks. */
export function wallDensity(count: number): 'one' | 'two' | 'four' | 'six' | 'many' {
  if (count <= 1) return 'one';
  if (count <= 2) return 'two';
  if (count <= 4) return 'four';
  if (count <= 6) return 'six';
  return 'many';
}
