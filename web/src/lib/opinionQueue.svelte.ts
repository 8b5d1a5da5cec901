// The analysts' triage queue: filters, the list (newest first, cursor-paged), the current item, the bulk
// selection, live arrivals and triage calls. Module state, so leaving the queue and coming back keeps the
// analyst's place.
import type { z } from 'zod';
import type { OpinionItem, triageSchema } from '../../../shared/opinion.ts';
import { api } from './api.ts';
import { errorText } from './errors.ts';
import {
  appendPage,
  applyTriagedPayload,
  DEFAULT_FILTERS,
  itemsQuery,
  mergeFresh,
  replaceItems,
  type QueueFilters,
} from './opinion.ts';
import { OPINION_EVENT } from './opinionFeed.svelte.ts';
import { onEvent } from './realtime.svelte.ts';

type Page = { items: OpinionItem[]; nextCursor: string | null };
export type TriageInput = z.input<typeof triageSchema>;

const PAGE = 50;

class OpinionQueueState {
  filters = $state<QueueFilters>({ ...DEFAULT_FILTERS });
  items = $state.raw<OpinionItem[]>([]);
  nextCursor = $state<string | null>(null);
  loaded = $state(false);
  loading = $state(false);
  loadingMore = $state(false);
  error = $state<string | null>(null);
  /** The item the keyboard acts on. */
  cursorId = $state<string | null>(null);
  /** Items picked with x for a bulk action. */
  selected = $state.raw<Set<string>>(new Set());
  /** Items that arrived live a moment ago (briefly marked). */
  arrived = $state.raw<Set<string>>(new Set());
  /** Items with a triage request in flight. */
  busy = $state.raw<Set<string>>(new Set());

  current = $derived(this.items.find((x) => x.id === this.cursorId) ?? null);
}

export const queue = new OpinionQueueState();

let seq = 0;
let refreshTimer: ReturnType<typeof setTimeout> | null = null;
let refreshing: Promise<void> | null = null;
let refreshAgain = false;
const arrivedTimers = new Map<string, ReturnType<typeof setTimeout>>();

const filtersKey = (f: QueueFilters) => itemsQuery(f);

/** Load the first page for the current filters (the current item stays current when it is still listed). */
export async function reloadQueue(): Promise<void> {
  const mine = ++seq;
  queue.loading = true;
  try {
    const page = await api.get<Page>(`/api/opinion/items?${itemsQuery(queue.filters, { limit: PAGE })}`);
    if (mine !== seq) return;
    queue.items = page.items;
    queue.nextCursor = page.nextCursor;
    queue.loaded = true;
    queue.error = null;
    if (queue.cursorId && !page.items.some((x) => x.id === queue.cursorId)) queue.cursorId = null;
    const ids = new Set(page.items.map((x) => x.id));
    const keep = [...queue.selected].filter((id) => ids.has(id));
    if (keep.length !== queue.selected.size) queue.selected = new Set(keep);
  } catch (err) {
    if (mine !== seq) return;
    queue.error = errorText(err);
  } finally {
    if (mine === seq) queue.loading = false;
  }
}

export async function loadMore(): Promise<void> {
  if (!queue.nextCursor || queue.loadingMore) return;
  const mine = seq;
  const key = filtersKey(queue.filters);
  queue.loadingMore = true;
  try {
    const page = await api.get<Page>(`/api/opinion/items?${itemsQuery(queue.filters, { before: queue.nextCursor, limit: PAGE })}`);
    if (mine !== seq || key !== filtersKey(queue.filters)) return;
    queue.items = appendPage(queue.items, page.items);
    queue.nextCursor = page.nextCursor;
  } catch (err) {
    if (mine === seq) queue.error = errorText(err);
  } finally {
    queue.loadingMore = false;
  }
}

function markArrived(ids: string[]): void {
  if (!ids.length) return;
  queue.arrived = new Set([...queue.arrived, ...ids]);
  for (const id of ids) {
    clearTimeout(arrivedTimers.get(id));
    arrivedTimers.set(
      id,
      setTimeout(() => {
        arrivedTimers.delete(id);
        const next = new Set(queue.arrived);
        next.delete(id);
        queue.arrived = next;
      }, 15_000),
    );
  }
}

/** Fetch what is new at the top and fold it in without disturbing the rest. */
async function refreshTop(): Promise<void> {
  if (!queue.loaded) return reloadQueue();
  const mine = seq;
  const key = filtersKey(queue.filters);
  const top = queue.items[0]?.id ?? null;
  let before: string | null = null;
  const pages: OpinionItem[] = [];
  // Page down until we reach what is already shown (a burst may bring more than one page).
  for (let i = 0; i < 5; i++) {
    const page: Page = await api.get<Page>(`/api/opinion/items?${itemsQuery(queue.filters, { before, limit: PAGE })}`);
    pages.push(...page.items);
    if (!page.nextCursor || top === null || page.items.some((x) => Number(x.id) <= Number(top))) break;
    before = page.nextCursor;
  }
  if (mine !== seq || key !== filtersKey(queue.filters)) return;
  const { items, added } = mergeFresh(queue.items, pages);
  if (items !== queue.items) queue.items = items;
  markArrived(added);
}

function refreshSoon(): void {
  if (refreshTimer) clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    if (refreshing) {
      refreshAgain = true;
      return;
    }
    refreshing = refreshTop()
      .catch(() => {
        /* the next event or the manual refresh tries again */
      })
      .finally(() => {
        refreshing = null;
        if (refreshAgain) {
          refreshAgain = false;
          refreshSoon();
        }
      });
  }, 250);
}

/** Follow live events while the queue is on screen. Returns the unsubscribe. */
export function followQueue(): () => void {
  if (queue.loaded) refreshSoon();
  else void reloadQueue();
  const off = onEvent((e) => {
    if (e.type === OPINION_EVENT.items) refreshSoon();
    else if (e.type === OPINION_EVENT.triaged) queue.items = applyTriagedPayload(queue.items, e.payload, e.at);
  });
  return () => {
    off();
    if (refreshTimer) clearTimeout(refreshTimer);
    refreshTimer = null;
  };
}

export function setFilters(patch: Partial<QueueFilters>): void {
  const next = { ...queue.filters, ...patch };
  if (filtersKey(next) === filtersKey(queue.filters)) return;
  queue.filters = next;
  void reloadQueue();
}

export function toggleSelected(id: string): void {
  const next = new Set(queue.selected);
  if (next.has(id)) next.delete(id);
  else next.add(id);
  queue.selected = next;
}

export function clearSelection(): void {
  if (queue.selected.size) queue.selected = new Set();
}

/** Triage one or several items; the list shows the answer. Throws ApiError. */
export async function triage(ids: string[], input: TriageInput): Promise<OpinionItem[]> {
  queue.busy = new Set([...queue.busy, ...ids]);
  try {
    const items =
      ids.length === 1
        ? [(await api.post<{ item: OpinionItem }>(`/api/opinion/items/${encodeURIComponent(ids[0])}/triage`, input)).item]
        : (await api.post<{ items: OpinionItem[] }>('/api/opinion/triage', { ...input, itemIds: ids })).items;
    queue.items = replaceItems(queue.items, items);
    return items;
  } finally {
    const next = new Set(queue.busy);
    for (const id of ids) next.delete(id);
    queue.busy = next;
  }
}

export function resetOpinionQueue(): void {
  seq++;
  if (refreshTimer) clearTimeout(refreshTimer);
  refreshTimer = null;
  for (const timer of arrivedTimers.values()) clearTimeout(timer);
  arrivedTimers.clear();
  queue.filters = { ...DEFAULT_FILTERS };
  queue.items = [];
  queue.nextCursor = null;
  queue.loaded = false;
  queue.loading = false;
  queue.loadingMore = false;
  queue.error = null;
  queue.cursorId = null;
  queue.selected = new Set();
  queue.arrived = new Set();
  queue.busy = new Set();
}
