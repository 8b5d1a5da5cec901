// Public opinion across the console: the header's live count of new items (analysts), burst notices
// (analysts and leaders), the topic list, and the 48-hour response clocks started by triage.
import type { BeaconEvent, Deadline } from '../../../shared/domain.ts';
import { EVENT } from '../../../shared/events.ts';
import type { OpinionBurst, OpinionItem, OpinionTopic } from '../../../shared/opinion.ts';
import { api, ApiError } from './api.ts';
import { t } from './i18n.svelte.ts';
import { onEvent } from './realtime.svelte.ts';
import { opinionAnalysisHref } from './routes.ts';
import { hasRole } from './session.svelte.ts';
import { pushToast } from './toasts.svelte.ts';

export const OPINION_EVENT = {
  items: 'opinion.items',
  triaged: 'opinion.triaged',
  burst: 'opinion.burst',
  source: 'opinion.source',
  topic: 'opinion.topic',
} as const;

/** The count asks for one page of this size; more reads "100+". */
const COUNT_PAGE = 100;

class OpinionFeedState {
  newCount = $state(0);
  /** More new items than one count page holds. */
  newCountMore = $state(false);
  topics = $state.raw<OpinionTopic[]>([]);
  /** Response clocks by opinion item id (from triage answers and deadline events). */
  clocks = $state.raw<Map<string, Deadline>>(new Map());
}

export const opinionFeed = new OpinionFeedState();

let off: (() => void) | null = null;
let countTimer: ReturnType<typeof setTimeout> | null = null;
let pollTimer: ReturnType<typeof setInterval> | null = null;
let countSeq = 0;

export const canTriage = () => hasRole('analyst');
export const canAnalyse = () => hasRole('analyst') || hasRole('leader');

export async function loadNewCount(): Promise<void> {
  if (!canTriage()) return;
  const mine = ++countSeq;
  try {
    const { items, nextCursor } = await api.get<{ items: OpinionItem[]; nextCursor: string | null }>(
      `/api/opinion/items?status=new&limit=${COUNT_PAGE}`,
    );
    if (mine !== countSeq) return;
    opinionFeed.newCount = items.length;
    opinionFeed.newCountMore = nextCursor !== null;
  } catch (err) {
    if (!(err instanceof ApiError)) console.warn('opinion count failed', err);
  }
}

export async function loadTopics(): Promise<void> {
  if (!canAnalyse()) return;
  try {
    const { items } = await api.get<{ items: OpinionTopic[] }>('/api/opinion/topics');
    opinionFeed.topics = items;
  } catch {
    /* the filters fall back to what the items carry */
  }
}

export function upsertTopic(topic: OpinionTopic): void {
  const list = opinionFeed.topics;
  const i = list.findIndex((x) => x.id === topic.id);
  opinionFeed.topics = i < 0 ? [...list, topic] : list.map((x, j) => (j === i ? topic : x));
}

/** A topic as the analyst named it (items may carry a topic's id rather than its name). */
export function topicLabel(value: string): string {
  const topics = opinionFeed.topics;
  if (topics.some((x) => x.name === value)) return value;
  return topics.find((x) => x.id === value)?.name ?? value;
}

export function rememberClock(d: Deadline): void {
  if (!d.opinionItemId) return;
  const next = new Map(opinionFeed.clocks);
  next.set(String(d.opinionItemId), d);
  opinionFeed.clocks = next;
}

function countSoon(): void {
  if (countTimer) clearTimeout(countTimer);
  countTimer = setTimeout(() => {
    countTimer = null;
    void loadNewCount();
  }, 400);
}

function payloadBurst(e: BeaconEvent): OpinionBurst | null {
  const b = e.payload?.burst as OpinionBurst | undefined;
  return b && typeof b === 'object' && typeof b.label === 'string' ? b : null;
}

function onOpinionEvent(e: BeaconEvent): void {
  if (e.type === OPINION_EVENT.items || e.type === OPINION_EVENT.triaged) {
    if (canTriage()) countSoon();
  } else if (e.type === OPINION_EVENT.burst) {
    const burst = payloadBurst(e);
    if (burst && canAnalyse()) {
      const topic = burst.key?.startsWith('topic:') ? burst.key.slice('topic:'.length) : null;
      pushToast(
        {
          tone: 'warning',
          incidentId: burst.incidentId ?? null,
          key: `burst:${burst.key}`,
          href: opinionAnalysisHref({ incidentId: burst.incidentId, topic: burst.incidentId ? null : topic }),
          text: () => t('toast.burst', { label: burst.label, count: burst.count }),
        },
        30_000,
      );
    }
  } else if (e.type === OPINION_EVENT.topic) {
    const topic = e.payload?.topic as OpinionTopic | undefined;
    if (topic && typeof topic.id === 'string') upsertTopic(topic);
  } else if (e.type === EVENT.deadlineCreated || e.type === EVENT.deadlineMet || e.type === EVENT.deadlineMissed || e.type === EVENT.deadlineWaived) {
    const d = e.payload?.deadline as Deadline | undefined;
    if (d && typeof d === 'object' && d.kind === 'opinion_response' && d.opinionItemId) rememberClock(d);
  }
}

/** Start listening (after sign-in). */
export function startOpinionFeed(): void {
  stopOpinionFeed();
  if (!canAnalyse()) return;
  off = onEvent(onOpinionEvent);
  void loadTopics();
  if (canTriage()) {
    void loadNewCount();
    // A safety net: a reconnect that reloads lists instead of replaying events still converges.
    pollTimer = setInterval(() => void loadNewCount(), 60_000);
  }
}

export function stopOpinionFeed(): void {
  off?.();
  off = null;
  if (countTimer) clearTimeout(countTimer);
  if (pollTimer) clearInterval(pollTimer);
  countTimer = null;
  pollTimer = null;
  countSeq++;
  opinionFeed.newCount = 0;
  opinionFeed.newCountMore = false;
  opinionFeed.topics = [];
  opinionFeed.clocks = new Map();
}
