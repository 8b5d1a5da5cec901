// Pure helpers of the public-opinion console: highlighting, keyboard map, live list merging, query strings,
// relative times, source health words and the analysis chart's arithmetic. No DOM, no Svelte state.
import type { OpinionItem, OpinionStatus, SentimentLabel } from '../../../shared/opinion.ts';
import { compareIds } from './events.ts';

// ---------------------------------------------------------------- highlighting

export interface TextPart {
  text: string;
  mark: boolean;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Split `text` into plain and matched parts, longest words first (so 化工园区 wins over 化工). The console
 * renders matched parts in <mark> elements through Svelte markup: feed text is never treated as HTML.
 */
export function highlightParts(text: string, words: readonly string[]): TextPart[] {
  if (!text) return [];
  const list = [...new Set(words.map((w) => w.trim()).filter((w) => w.length > 0))].sort((a, b) => b.length - a.length);
  if (list.length === 0) return [{ text, mark: false }];
  const re = new RegExp(list.map(escapeRegExp).join('|'), 'giu');
  const parts: TextPart[] = [];
  let last = 0;
  for (const m of text.matchAll(re)) {
    const at = m.index ?? 0;
    if (m[0].length === 0) continue;
    if (at > last) parts.push({ text: text.slice(last, at), mark: false });
    parts.push({ text: m[0], mark: true });
    last = at + m[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last), mark: false });
  return parts;
}

/** Every rule word that matched an item (for highlighting), without repeats. */
export function matchedWords(item: Pick<OpinionItem, 'matched'>): string[] {
  const out = new Set<string>();
  for (const rule of item.matched ?? []) for (const w of rule.words ?? []) if (w) out.add(w);
  return [...out];
}

/** "−0.62" / "+0.40" / "0.00": the sentiment score with an honest minus sign. */
export function formatScore(score: number): string {
  if (!Number.isFinite(score)) return '';
  const v = Math.round(score * 100) / 100;
  if (v === 0) return '0.00';
  return `${v > 0 ? '+' : '−'}${Math.abs(v).toFixed(2)}`;
}

/** Number of reposts in an item's story (the cluster holds the original and its reposts). */
export function repostCount(item: Pick<OpinionItem, 'clusterSize'>): number {
  return Math.max(0, (item.clusterSize ?? 1) - 1);
}

// ---------------------------------------------------------------- keyboard

export type TriageStatus = Exclude<OpinionStatus, 'new'>;

export type KeyAction =
  | { kind: 'next' }
  | { kind: 'prev' }
  | { kind: 'first' }
  | { kind: 'last' }
  | { kind: 'mark'; status: TriageStatus; bulk: boolean }
  | { kind: 'link' }
  | { kind: 'toggle' }
  | { kind: 'clearSelection' }
  | { kind: 'help' }
  | { kind: 'search' }
  | { kind: 'open' };

export interface KeyLike {
  key: string;
  code?: string;
  shiftKey?: boolean;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
}

const MARK_KEYS: Record<string, TriageStatus> = {
  r: 'relevant',
  i: 'irrelevant',
  m: 'rumor',
  n: 'needs_response',
};

/**
 * The triage queue's shortcuts. Letters are read from the physical key (`code`), so Caps Lock does not turn
 * a single mark into a bulk one and a keyboard layout switch does not matter; Shift + letter acts on the
 * selection.
 */
export function keyAction(e: KeyLike): KeyAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (e.key === '?' || (e.code === 'Slash' && e.shiftKey)) return { kind: 'help' };
  if (e.key === '/' || e.code === 'Slash') return { kind: 'search' };
  if (e.key === 'ArrowDown') return { kind: 'next' };
  if (e.key === 'ArrowUp') return { kind: 'prev' };
  if (e.key === 'Home') return { kind: 'first' };
  if (e.key === 'End') return { kind: 'last' };
  if (e.key === 'Escape') return { kind: 'clearSelection' };
  if (e.key === 'Enter') return { kind: 'open' };
  const letter = e.code && /^Key[A-Z]$/.test(e.code) ? e.code.slice(3).toLowerCase() : e.key.length === 1 ? e.key.toLowerCase() : '';
  if (!letter) return null;
  const shift = !!e.shiftKey;
  if (letter === 'j') return shift ? null : { kind: 'next' };
  if (letter === 'k') return shift ? null : { kind: 'prev' };
  if (letter === 'x') return shift ? null : { kind: 'toggle' };
  if (letter === 'l') return shift ? null : { kind: 'link' };
  if (letter === 'o') return shift ? null : { kind: 'open' };
  const status = MARK_KEYS[letter];
  if (status) return { kind: 'mark', status, bulk: shift };
  return null;
}

/** Whether a key event comes from somewhere that takes text (the shortcuts stay out of its way). */
export function isTyping(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).closest !== 'function') return false;
  const el = target as HTMLElement;
  if (el.isContentEditable) return true;
  const tag = el.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = (el as HTMLInputElement).type;
    return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file'].includes(type);
  }
  return false;
}

/** The id after (`step` 1) or before (−1) `current`; the first item when nothing is current. */
export function stepCursor(ids: readonly string[], current: string | null, step: 1 | -1): string | null {
  if (ids.length === 0) return null;
  const i = current === null ? -1 : ids.indexOf(current);
  if (i < 0) return ids[0];
  return ids[Math.min(ids.length - 1, Math.max(0, i + step))];
}

// ---------------------------------------------------------------- list state

export interface QueueFilters {
  status: OpinionStatus | '';
  sentiment: SentimentLabel | '';
  topic: string;
  incidentId: string;
  q: string;
  clustered: boolean;
}

export const DEFAULT_FILTERS: QueueFilters = {
  status: 'new',
  sentiment: '',
  topic: '',
  incidentId: '',
  q: '',
  clustered: false,
};

/** `GET /api/opinion/items` query string for the filters (and a page cursor). */
export function itemsQuery(f: QueueFilters, opts: { before?: string | null; limit?: number } = {}): string {
  const q = new URLSearchParams();
  if (f.status) q.set('status', f.status);
  if (f.sentiment) q.set('sentiment', f.sentiment);
  if (f.topic) q.set('topic', f.topic);
  if (f.incidentId) q.set('incidentId', f.incidentId);
  if (f.q.trim()) q.set('q', f.q.trim());
  if (f.clustered) q.set('clustered', '1');
  if (opts.before) q.set('before', opts.before);
  q.set('limit', String(opts.limit ?? 50));
  return q.toString();
}

/** The later of two copies of one item: a copy triaged later wins; otherwise the incoming one. */
export function newerItem(existing: OpinionItem | undefined, incoming: OpinionItem): OpinionItem {
  if (!existing) return incoming;
  const a = existing.triagedAt ? Date.parse(existing.triagedAt) : 0;
  const b = incoming.triagedAt ? Date.parse(incoming.triagedAt) : 0;
  return b >= a ? incoming : existing;
}

/**
 * Fold a freshly fetched first page into the list on screen (newest first): unseen items go on top,
 * known ones are updated in place, nothing on screen disappears (the analyst's place is kept).
 */
export function mergeFresh(current: readonly OpinionItem[], fetched: readonly OpinionItem[]): { items: OpinionItem[]; added: string[] } {
  const byId = new Map(current.map((x) => [x.id, x]));
  const fresh = fetched.filter((x) => !byId.has(x.id)).sort((a, b) => compareIds(b.id, a.id));
  const fetchedById = new Map(fetched.map((x) => [x.id, x]));
  let changed = fresh.length > 0;
  const updated = current.map((x) => {
    const f = fetchedById.get(x.id);
    if (!f) return x;
    const n = newerItem(x, f);
    // Same content: keep the object on screen (no re-render, no scroll work).
    if (n === x || JSON.stringify(n) === JSON.stringify(x)) return x;
    changed = true;
    return n;
  });
  if (!changed) return { items: current as OpinionItem[], added: [] };
  // Unseen items newer than everything shown go on top; an older unseen one (a filter change raced) joins in order.
  const top = current.length ? current[0].id : null;
  const above = fresh.filter((x) => top === null || compareIds(x.id, top) > 0);
  const within = fresh.filter((x) => top !== null && compareIds(x.id, top) <= 0);
  let items = [...above, ...updated];
  if (within.length) items = [...items, ...within].sort((a, b) => compareIds(b.id, a.id));
  return { items, added: fresh.map((x) => x.id) };
}

/** Append an older page, skipping anything already shown. */
export function appendPage(current: readonly OpinionItem[], page: readonly OpinionItem[]): OpinionItem[] {
  const seen = new Set(current.map((x) => x.id));
  return [...current, ...page.filter((x) => !seen.has(x.id))];
}

/** Replace the given items (a triage answer) in the list. */
export function replaceItems(current: readonly OpinionItem[], changed: readonly OpinionItem[]): OpinionItem[] {
  const byId = new Map(changed.map((x) => [x.id, x]));
  return current.map((x) => (byId.has(x.id) ? newerItem(x, byId.get(x.id)!) : x));
}

/** Apply an `opinion.triaged` event (someone else's, or ours echoed) to the list. */
export function applyTriagedPayload(current: readonly OpinionItem[], payload: Record<string, unknown>, at: string): OpinionItem[] {
  const ids = Array.isArray(payload.itemIds) ? new Set(payload.itemIds.map(String)) : null;
  const status = typeof payload.status === 'string' ? (payload.status as OpinionStatus) : null;
  if (!ids || !status) return current as OpinionItem[];
  const incidentId = typeof payload.incidentId === 'string' || typeof payload.incidentId === 'number' ? String(payload.incidentId) : null;
  const topic = typeof payload.topic === 'string' && payload.topic ? payload.topic : null;
  let changed = false;
  const out = current.map((x) => {
    if (!ids.has(x.id)) return x;
    // A copy we already hold from a later triage is not rolled back by an older event.
    if (x.triagedAt && Date.parse(x.triagedAt) > Date.parse(at)) return x;
    changed = true;
    return {
      ...x,
      status,
      incidentId: incidentId ?? x.incidentId,
      topics: topic && !x.topics.includes(topic) ? [topic, ...x.topics] : x.topics,
      triagedAt: at,
    };
  });
  return changed ? out : (current as OpinionItem[]);
}

/** Responsible department to suggest: the linked incident's lead department, else the one on the item. */
export function defaultDepartment(
  item: Pick<OpinionItem, 'incidentId' | 'departmentId'> | null,
  leadOf: (incidentId: string) => string | null | undefined,
): string {
  if (!item) return '';
  if (item.incidentId) {
    const lead = leadOf(item.incidentId);
    if (lead) return lead;
  }
  return item.departmentId ?? '';
}

// ---------------------------------------------------------------- time words

/** "3 分钟后" / "2 hours ago": relative to `now` (server time), rounded to a sensible unit. */
export function relativeTime(iso: string | null | undefined, now: number, localeTag: string): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return '';
  const diff = t - now;
  const abs = Math.abs(diff);
  const rtf = new Intl.RelativeTimeFormat(localeTag, { numeric: 'auto' });
  if (abs < 45_000) return rtf.format(0, 'second');
  if (abs < 45 * 60_000) return rtf.format(Math.round(diff / 60_000), 'minute');
  if (abs < 22 * 3_600_000) return rtf.format(Math.round(diff / 3_600_000), 'hour');
  return rtf.format(Math.round(diff / 86_400_000), 'day');
}

/** "14:05" today, "11-21 14:05" on other days (browser's zone). */
export function shortTime(iso: string | null | undefined, now: number): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const today = new Date(now);
  const same = d.getFullYear() === today.getFullYear() && d.getMonth() === today.getMonth() && d.getDate() === today.getDate();
  return same ? hm : `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hm}`;
}

// ---------------------------------------------------------------- source health

export type SourceErrorKind = 'refused' | 'timeout' | 'too_large' | 'http' | 'redirects' | 'parse' | 'network' | 'other';

/** Which kind of failure a source's `lastError` sentence describes (the console words it per kind). */
export function sourceErrorKind(message: string | null | undefined): SourceErrorKind | null {
  if (!message) return null;
  const m = message.trim();
  if (/^refused\b/i.test(m)) return 'refused';
  if (/^timed out\b|timeout/i.test(m)) return 'timeout';
  if (/^too large\b/i.test(m)) return 'too_large';
  if (/redirect/i.test(m)) return 'redirects';
  if (/^HTTP \d{3}/.test(m)) return 'http';
  if (/^not a feed\b|parse|xml/i.test(m)) return 'parse';
  if (/^unexpected error/i.test(m)) return 'other';
  return 'network';
}

/** The HTTP status in an "HTTP 404 Not Found" error, if any. */
export function httpStatusOf(message: string | null | undefined): string {
  return /\bHTTP (\d{3})\b/.exec(message ?? '')?.[1] ?? '';
}

/** "a, b，c、d\n e" → ["a","b","c","d","e"]: keywords typed in either script's punctuation. */
export function splitWords(text: string): string[] {
  return [...new Set(text.split(/[,，、;；\n\r\t]+/).map((w) => w.trim()).filter(Boolean))];
}

// ---------------------------------------------------------------- analysis

export interface SeriesPoint {
  t: string;
  total: number;
  negative: number;
  neutral: number;
  positive: number;
}

export interface WindowStats {
  volume: number;
  negativeShare: number;
}

/** A round axis maximum ≥ `max` (1, 2, 2.5, 5 × 10^n) and its tick values. */
export function niceScale(max: number, ticks = 4): { max: number; ticks: number[] } {
  if (!(max > 0)) return { max: 1, ticks: [0, 1] };
  const rough = max / ticks;
  const mag = 10 ** Math.floor(Math.log10(rough));
  const factors = mag >= 10 ? [1, 2, 2.5, 5, 10] : [1, 2, 5, 10];
  // Counts are whole numbers: never a fractional step.
  const unit = Math.max(1, factors.map((f) => f * mag).find((s) => s >= rough) ?? 10 * mag);
  const top = Math.ceil(max / unit) * unit;
  const out: number[] = [];
  for (let v = 0; v <= top + 1e-9; v += unit) out.push(Math.round(v * 100) / 100);
  return { max: top, ticks: out };
}

/** Negative share of one bucket (null when the bucket is empty: no line point there). */
export function bucketNegativeShare(p: SeriesPoint): number | null {
  return p.total > 0 ? p.negative / p.total : null;
}

export interface Trend {
  /** after − before. */
  delta: number;
  direction: 'down' | 'up' | 'flat';
  /** For negative share: falling is good. For volume it is only information. */
  good: boolean | null;
}

/** Direction of a change; changes within `epsilon` read as flat. */
export function trend(before: number, after: number, lowerIsGood: boolean, epsilon = 0.005): Trend {
  const delta = after - before;
  if (Math.abs(delta) <= epsilon) return { delta, direction: 'flat', good: null };
  const direction = delta < 0 ? 'down' : 'up';
  return { delta, direction, good: lowerIsGood ? direction === 'down' : null };
}

/** "38%" (one decimal under 10 %). */
export function formatShare(share: number): string {
  if (!Number.isFinite(share)) return '—';
  const pct = share * 100;
  return `${pct > 0 && pct < 10 ? pct.toFixed(1) : Math.round(pct)}%`;
}

export const PERIODS = [24, 48, 168] as const;
export type PeriodHours = (typeof PERIODS)[number];

/** Bucket sizes (minutes) that make a readable chart for a period: 12 to 300 bars. */
export function bucketChoices(hours: number): number[] {
  return [10, 30, 60, 180, 360, 720, 1440].filter((m) => {
    const n = (hours * 60) / m;
    return n >= 8 && n <= 300;
  });
}

export function defaultBucket(hours: number): number {
  return hours <= 48 ? 60 : 360;
}

/** Index of the bucket holding `iso` (or −1 when outside the series). */
export function bucketIndexOf(series: readonly SeriesPoint[], bucketMinutes: number, iso: string): number {
  if (series.length === 0) return -1;
  const t = Date.parse(iso);
  const start = Date.parse(series[0].t);
  const i = Math.floor((t - start) / (bucketMinutes * 60_000));
  return i >= 0 && i < series.length ? i : -1;
}

/** Which x-axis labels to print: about `target` of them, on whole buckets. */
export function labelStride(count: number, target = 8): number {
  if (count <= target) return 1;
  return Math.ceil(count / target);
}

/** Shares of a sentiment mix, in negative/neutral/positive order, summing to 1 (zeros when empty). */
export function mixShares(mix: Record<string, number> | null | undefined): { label: SentimentLabel; count: number; share: number }[] {
  const labels: SentimentLabel[] = ['negative', 'neutral', 'positive'];
  const counts = labels.map((l) => Math.max(0, Number(mix?.[l] ?? 0) || 0));
  const total = counts.reduce((a, b) => a + b, 0);
  return labels.map((label, i) => ({ label, count: counts[i], share: total ? counts[i] / total : 0 }));
}

/** An item's link, only when it is a plain web address (feed content may carry javascript: or data: URLs). */
export function safeUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

/** The host of a web address, for showing where a link goes. */
export function hostOf(url: string | null | undefined): string {
  const safe = safeUrl(url);
  return safe ? new URL(safe).host : '';
}
