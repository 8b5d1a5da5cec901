// The leaders' wall's data: GET /api/dashboard (open incidents, their clocks, the opinion strip), the overdue tasks
// and the 24-hour opinion curve, kept current with nobody touching the screen:
// - live events are applied as they come, and a refetch follows shortly after (the dashboard is the truth);
// - every socket (re)connect refetches everything (and realtime replays the missed events);
// - a refetch every 60 s is the safety net;
// - the page coming back into view, the network coming back, or the machine waking from sleep (the 1-second
//   watchdog sees the wall clock jump) refetch and resync at once.
import type { Task } from '../../../shared/coordination.ts';
import type { Dashboard, DashboardIncident } from '../../../shared/domain.ts';
import type { OpinionBurst } from '../../../shared/opinion.ts';
import { api, ApiError } from './api.ts';
import { setServerTime } from './clock.svelte.ts';
import { errorText } from './errors.ts';
import { onConnected, onEvent, resync } from './realtime.svelte.ts';
import { payloadTask } from './tasks.ts';
import { applyWallEvent, applyWallTask, mergeDashboard, type SeriesPoint } from './wall.ts';

class WallState {
  incidents = $state.raw<DashboardIncident[]>([]);
  /** Tasks not done with a due time, on the incidents the user may see. */
  tasks = $state.raw<Task[]>([]);
  volume = $state(0);
  negativeShare = $state(0);
  bursts = $state.raw<OpinionBurst[]>([]);
  series = $state.raw<SeriesPoint[]>([]);
  /** null: not known yet; false: the user may not read public opinion (403): the panel hides. */
  opinionAllowed = $state<boolean | null>(null);
  loaded = $state(false);
  error = $state<string | null>(null);
  /** Server time (ms) of the last successful dashboard fetch. */
  syncedAt = $state<number | null>(null);
  /** Fetches done (for tests and the debug title). */
  fetches = $state(0);
}

export const wall = new WallState();

export const POLL_MS = 60_000;
/** A gap this long between two 1-second watchdog ticks means the machine slept (or the tab was frozen). */
export const SLEEP_GAP_MS = 15_000;
const OPINION_MIN_INTERVAL_MS = 30_000;

let running = false;
const cleanups: (() => void)[] = [];
let refetchTimer: ReturnType<typeof setTimeout> | null = null;
let dashSeq = 0;
let taskSeq = 0;
let opinionSeq = 0;
let lastOpinionFetch = 0;
let opinionTimer: ReturnType<typeof setTimeout> | null = null;
/** Incidents that joined by event while a dashboard request was in flight. */
let addedDuringFetch: Set<string> | null = null;

async function fetchDashboard(): Promise<void> {
  const mine = ++dashSeq;
  addedDuringFetch = new Set();
  try {
    const sentAt = Date.now();
    const dash = await api.get<Dashboard>('/api/dashboard');
    if (mine !== dashSeq || !running) return;
    setServerTime(dash.serverNow, Date.now(), sentAt);
    wall.incidents = mergeDashboard(wall.incidents, dash.incidents, addedDuringFetch ?? undefined);
    wall.volume = dash.opinion?.volume ?? 0;
    wall.negativeShare = dash.opinion?.negativeShare ?? 0;
    wall.bursts = (dash.opinion?.bursts ?? []) as OpinionBurst[];
    wall.loaded = true;
    wall.error = null;
    wall.syncedAt = new Date(dash.serverNow).getTime();
    wall.fetches++;
  } catch (err) {
    if (mine !== dashSeq) return;
    if (err instanceof ApiError && err.status === 401) return;
    wall.error = errorText(err);
  } finally {
    if (mine === dashSeq) addedDuringFetch = null;
  }
}

async function fetchTasks(): Promise<void> {
  const mine = ++taskSeq;
  try {
    const { items } = await api.get<{ items: Task[] }>('/api/tasks?mine=0&status=open,acked,in_progress&limit=500');
    if (mine !== taskSeq || !running) return;
    wall.tasks = items.filter((x) => x.dueAt);
  } catch {
    /* the overdue list keeps the clocks; tasks come back on the next fetch */
  }
}

async function fetchOpinion(): Promise<void> {
  if (wall.opinionAllowed === false) return;
  const mine = ++opinionSeq;
  lastOpinionFetch = Date.now();
  try {
    const res = await api.get<{ series: SeriesPoint[]; bursts: OpinionBurst[] }>('/api/opinion/analysis?hours=24&bucketMinutes=60');
    if (mine !== opinionSeq || !running) return;
    wall.series = res.series ?? [];
    wall.opinionAllowed = true;
  } catch (err) {
    if (mine !== opinionSeq) return;
    if (err instanceof ApiError && err.status === 403) {
      wall.opinionAllowed = false;
      wall.series = [];
    }
  }
}

/** Refetch everything now. */
export async function refetchWall(): Promise<void> {
  if (!running) return;
  await Promise.all([fetchDashboard(), fetchTasks(), fetchOpinion()]);
}

function refetchSoon(delay = 400): void {
  if (refetchTimer) clearTimeout(refetchTimer);
  refetchTimer = setTimeout(() => {
    refetchTimer = null;
    void Promise.all([fetchDashboard(), fetchTasks()]);
  }, delay);
}

/** Opinion events can come in floods: the curve is refetched at most every 30 s. */
function opinionSoon(): void {
  if (opinionTimer || wall.opinionAllowed === false) return;
  const wait = Math.max(0, lastOpinionFetch + OPINION_MIN_INTERVAL_MS - Date.now());
  opinionTimer = setTimeout(() => {
    opinionTimer = null;
    void fetchOpinion();
    void fetchDashboard();
  }, wait);
}

/** After a sleep, a hidden spell or the network's return: reconnect, replay, refetch. */
function wake(): void {
  void resync();
  void refetchWall();
}

export function startWall(): () => void {
  stopWall();
  running = true;
  cleanups.push(
    onEvent((e) => {
      const before = wall.incidents;
      const after = applyWallEvent(before, e);
      if (after !== before) {
        for (const x of after) if (!before.some((b) => b.id === x.id)) addedDuringFetch?.add(x.id);
        wall.incidents = after;
      }
      const task = payloadTask(e);
      if (task) wall.tasks = applyWallTask(wall.tasks, task);
      if (e.type.startsWith('incident.') || e.type.startsWith('deadline.') || e.type.startsWith('task.')) refetchSoon();
      else if (e.type === 'release.published' || e.type.startsWith('conference.')) refetchSoon();
      else if (e.type.startsWith('opinion.')) opinionSoon();
    }),
    onConnected(() => void refetchWall()),
  );

  const poll = setInterval(() => void refetchWall(), POLL_MS);
  cleanups.push(() => clearInterval(poll));

  let lastTick = Date.now();
  const watchdog = setInterval(() => {
    const now = Date.now();
    const gap = now - lastTick;
    lastTick = now;
    // A hidden tab's timers are throttled (that is not a sleep); coming back into view is handled below.
    if (gap > SLEEP_GAP_MS && document.visibilityState !== 'hidden') wake();
  }, 1000);
  cleanups.push(() => clearInterval(watchdog));

  const onVisible = () => {
    if (document.visibilityState === 'visible') wake();
  };
  document.addEventListener('visibilitychange', onVisible);
  window.addEventListener('online', wake);
  window.addEventListener('pageshow', wake);
  cleanups.push(() => {
    document.removeEventListener('visibilitychange', onVisible);
    window.removeEventListener('online', wake);
    window.removeEventListener('pageshow', wake);
  });

  void refetchWall();
  return stopWall;
}

export function stopWall(): void {
  running = false;
  for (const c of cleanups.splice(0)) c();
  if (refetchTimer) clearTimeout(refetchTimer);
  if (opinionTimer) clearTimeout(opinionTimer);
  refetchTimer = null;
  opinionTimer = null;
  dashSeq++;
  taskSeq++;
  opinionSeq++;
  wall.incidents = [];
  wall.tasks = [];
  wall.series = [];
  wall.bursts = [];
  wall.opinionAllowed = null;
  wall.loaded = false;
  wall.error = null;
  wall.syncedAt = null;
}

