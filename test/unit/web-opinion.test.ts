import { describe, expect, it } from 'vitest';
import type { OpinionItem } from '../../shared/opinion.ts';
import { dictionaries, setLang, t } from '../../web/src/lib/i18n.svelte.ts';
import {
  appendPage,
  applyTriagedPayload,
  bucketChoices,
  bucketIndexOf,
  defaultDepartment,
  DEFAULT_FILTERS,
  formatScore,
  formatShare,
  highlightParts,
  httpStatusOf,
  isTyping,
  itemsQuery,
  keyAction,
  labelStride,
  matchedWords,
  mergeFresh,
  mixShares,
  newerItem,
  niceScale,
  relativeTime,
  replaceItems,
  repostCount,
  safeUrl,
  sourceErrorKind,
  splitWords,
  stepCursor,
  trend,
} from '../../web/src/lib/opinion.ts';
import { opinionAnalysisHref, parseHash, routeHref } from '../../web/src/lib/routes.ts';

const item = (id: string, over: Partial<OpinionItem> = {}): OpinionItem => ({
  id,
  sourceId: '1',
  sourceName: '12345热线',
  url: null,
  title: '',
  content: `第${id}条`,
  author: null,
  publishedAt: null,
  fetchedAt: '2026-11-22T03:00:00.000Z',
  language: 'zh',
  sentiment: { label: 'neutral', score: 0 },
  topics: [],
  matched: [],
  incidentId: null,
  status: 'new',
  departmentId: null,
  clusterId: null,
  clusterSize: 1,
  triagedAt: null,
  ...over,
});

describe('highlighting matched words', () => {
  it('splits text into plain and marked parts, longest word first', () => {
    expect(highlightParts('化工园区附近化工厂有刺鼻的臭味', ['化工', '化工园区', '臭味'])).toEqual([
      { text: '化工园区', mark: true },
      { text: '附近', mark: false },
      { text: '化工', mark: true },
      { text: '厂有刺鼻的', mark: false },
      { text: '臭味', mark: true },
    ]);
  });

  it('keeps markup-looking text as plain text and escapes regex characters in words', () => {
    const parts = highlightParts('<img src=x onerror=alert(1)> 价格(元)上涨', ['(元)']);
    expect(parts.map((p) => p.text).join('')).toBe('<img src=x onerror=alert(1)> 价格(元)上涨');
    expect(parts.filter((p) => p.mark).map((p) => p.text)).toEqual(['(元)']);
  });

  it('matches latin words regardless of case and copes with no words or no text', () => {
    expect(highlightParts('PM2.5 超标', ['pm2.5']).filter((p) => p.mark)).toEqual([{ text: 'PM2.5', mark: true }]);
    expect(highlightParts('原文', [])).toEqual([{ text: '原文', mark: false }]);
    expect(highlightParts('', ['x'])).toEqual([]);
  });

  it('collects every matched rule word once', () => {
    const words = matchedWords(
      item('1', {
        matched: [
          { topicId: '1', name: '空气', words: ['臭味', '刺鼻'] },
          { topicId: '2', name: '化工', words: ['臭味', '化工'] },
        ],
      }),
    );
    expect(words).toEqual(['臭味', '刺鼻', '化工']);
  });
});

describe('row details', () => {
  it('formats scores with a real minus sign and counts reposts', () => {
    expect(formatScore(-0.624)).toBe('−0.62');
    expect(formatScore(0.4)).toBe('+0.40');
    expect(formatScore(0.001)).toBe('0.00');
    expect(repostCount(item('1', { clusterSize: 13 }))).toBe(12);
    expect(repostCount(item('1'))).toBe(0);
  });

  it('links only plain web addresses', () => {
    expect(safeUrl('https://bbs.example.org/t/1')).toBe('https://bbs.example.org/t/1');
    expect(safeUrl('javascript:alert(1)')).toBeNull();
    expect(safeUrl('data:text/html,x')).toBeNull();
    expect(safeUrl('not a url')).toBeNull();
    expect(safeUrl(null)).toBeNull();
  });
});

describe('triage keys', () => {
  it('maps the shortcuts, reading letters from the physical key', () => {
    expect(keyAction({ key: 'j', code: 'KeyJ' })).toEqual({ kind: 'next' });
    expect(keyAction({ key: 'ArrowUp', code: 'ArrowUp' })).toEqual({ kind: 'prev' });
    expect(keyAction({ key: 'm', code: 'KeyM' })).toEqual({ kind: 'mark', status: 'rumor', bulk: false });
    expect(keyAction({ key: 'N', code: 'KeyN', shiftKey: true })).toEqual({ kind: 'mark', status: 'needs_response', bulk: true });
    // Caps Lock gives 'R' without Shift: still a single mark.
    expect(keyAction({ key: 'R', code: 'KeyR' })).toEqual({ kind: 'mark', status: 'relevant', bulk: false });
    expect(keyAction({ key: 'i', code: 'KeyI' })).toEqual({ kind: 'mark', status: 'irrelevant', bulk: false });
    expect(keyAction({ key: 'l', code: 'KeyL' })).toEqual({ kind: 'link' });
    expect(keyAction({ key: 'x', code: 'KeyX' })).toEqual({ kind: 'toggle' });
    expect(keyAction({ key: '?', code: 'Slash', shiftKey: true })).toEqual({ kind: 'help' });
    expect(keyAction({ key: '/', code: 'Slash' })).toEqual({ kind: 'search' });
    expect(keyAction({ key: 'Escape', code: 'Escape' })).toEqual({ kind: 'clearSelection' });
  });

  it('leaves browser and system shortcuts alone', () => {
    expect(keyAction({ key: 'r', code: 'KeyR', ctrlKey: true })).toBeNull();
    expect(keyAction({ key: 'j', code: 'KeyJ', metaKey: true })).toBeNull();
    expect(keyAction({ key: 'q', code: 'KeyQ' })).toBeNull();
    expect(keyAction({ key: 'Tab', code: 'Tab' })).toBeNull();
  });

  it('steps the cursor within the list, starting at the first item', () => {
    const ids = ['9', '8', '7'];
    expect(stepCursor(ids, null, 1)).toBe('9');
    expect(stepCursor(ids, null, -1)).toBe('9');
    expect(stepCursor(ids, '9', 1)).toBe('8');
    expect(stepCursor(ids, '7', 1)).toBe('7');
    expect(stepCursor(ids, '9', -1)).toBe('9');
    expect(stepCursor(ids, 'gone', 1)).toBe('9');
    expect(stepCursor([], null, 1)).toBeNull();
  });

  it('knows when the analyst is typing', () => {
    const el = (tagName: string, extra: Record<string, unknown> = {}) => ({ tagName, closest: () => null, isContentEditable: false, ...extra });
    expect(isTyping(el('INPUT', { type: 'search' }) as unknown as EventTarget)).toBe(true);
    expect(isTyping(el('INPUT', { type: 'checkbox' }) as unknown as EventTarget)).toBe(false);
    expect(isTyping(el('TEXTAREA') as unknown as EventTarget)).toBe(true);
    expect(isTyping(el('SELECT') as unknown as EventTarget)).toBe(true);
    expect(isTyping(el('DIV', { isContentEditable: true }) as unknown as EventTarget)).toBe(true);
    expect(isTyping(el('OL') as unknown as EventTarget)).toBe(false);
    expect(isTyping(null)).toBe(false);
  });
});

describe('the live list', () => {
  it('puts new items on top, updates known ones in place and drops nothing', () => {
    const current = [item('5'), item('4', { status: 'relevant', triagedAt: '2026-11-22T03:01:00.000Z' }), item('2')];
    const fetched = [item('7'), item('6'), item('5', { clusterSize: 3 }), item('4')];
    const { items, added } = mergeFresh(current, fetched);
    expect(items.map((x) => x.id)).toEqual(['7', '6', '5', '4', '2']);
    expect(added).toEqual(['7', '6']);
    expect(items[2].clusterSize).toBe(3);
    // The copy fetched before our triage answer does not roll the status back.
    expect(items[3].status).toBe('relevant');
  });

  it('returns the same list when nothing changed', () => {
    const current = [item('3'), item('2')];
    const r = mergeFresh(current, [item('3'), item('2')]);
    expect(r.items).toBe(current);
    expect(r.added).toEqual([]);
  });

  it('compares ids as numbers', () => {
    const { items } = mergeFresh([item('99')], [item('100')]);
    expect(items.map((x) => x.id)).toEqual(['100', '99']);
  });

  it('appends older pages without repeats and replaces triaged items', () => {
    expect(appendPage([item('5'), item('4')], [item('4'), item('3')]).map((x) => x.id)).toEqual(['5', '4', '3']);
    const replaced = replaceItems([item('5'), item('4')], [item('4', { status: 'rumor', triagedAt: '2026-11-22T03:05:00.000Z' })]);
    expect(replaced.map((x) => x.status)).toEqual(['new', 'rumor']);
  });

  it('prefers the copy triaged later', () => {
    const older = item('1', { status: 'relevant', triagedAt: '2026-11-22T03:00:00.000Z' });
    const newer = item('1', { status: 'rumor', triagedAt: '2026-11-22T03:10:00.000Z' });
    expect(newerItem(newer, older)).toBe(newer);
    expect(newerItem(older, newer)).toBe(newer);
  });

  it("applies another analyst's triage from the event", () => {
    const list = [item('3'), item('2'), item('1')];
    const out = applyTriagedPayload(list, { itemIds: ['2', '1'], status: 'rumor', incidentId: '12', topic: '水源安全', by: 'x' }, '2026-11-22T03:00:00.000Z');
    expect(out.map((x) => x.status)).toEqual(['new', 'rumor', 'rumor']);
    expect(out[1]).toMatchObject({ incidentId: '12', topics: ['水源安全'], triagedAt: '2026-11-22T03:00:00.000Z' });
    // An event older than what we hold changes nothing; a payload without items is ignored.
    const later = [item('1', { status: 'irrelevant', triagedAt: '2026-11-22T04:00:00.000Z' })];
    expect(applyTriagedPayload(later, { itemIds: ['1'], status: 'rumor' }, '2026-11-22T03:00:00.000Z')).toBe(later);
    expect(applyTriagedPayload(list, { status: 'rumor' }, '2026-11-22T03:00:00.000Z')).toBe(list);
  });

  it('builds the items query from the filters', () => {
    expect(itemsQuery(DEFAULT_FILTERS)).toBe('status=new&limit=50');
    expect(itemsQuery({ ...DEFAULT_FILTERS, status: '', clustered: true, q: ' 瞒报 ', topic: '停水', incidentId: '3', sentiment: 'negative' }, { before: '120', limit: 20 })).toBe(
      'sentiment=negative&topic=%E5%81%9C%E6%B0%B4&incidentId=3&q=%E7%9E%92%E6%8A%A5&clustered=1&before=120&limit=20',
    );
  });

  it("suggests the linked incident's lead department", () => {
    const lead = (id: string) => (id === '7' ? '4' : null);
    expect(defaultDepartment(item('1', { incidentId: '7' }), lead)).toBe('4');
    expect(defaultDepartment(item('1', { incidentId: '8', departmentId: '2' }), lead)).toBe('2');
    expect(defaultDepartment(item('1'), lead)).toBe('');
    expect(defaultDepartment(null, lead)).toBe('');
  });
});

describe('words for time and source health', () => {
  it('says how long ago or until, in either language', () => {
    const now = Date.parse('2026-11-22T03:00:00Z');
    expect(relativeTime('2026-11-22T03:05:00Z', now, 'zh-CN')).toBe('5分钟后');
    expect(relativeTime('2026-11-22T01:00:00Z', now, 'en-GB')).toBe('2 hours ago');
    expect(relativeTime('2026-11-22T03:00:10Z', now, 'en-GB')).toBe('now');
    expect(relativeTime(null, now, 'zh-CN')).toBe('');
  });

  it("recognises the poller's failure sentences", () => {
    expect(sourceErrorKind('refused: the feed address 127.0.0.1 is a loopback address')).toBe('refused');
    expect(sourceErrorKind('timed out: the feed server did not deliver a complete answer within 15 s; the connection was closed')).toBe('timeout');
    expect(sourceErrorKind('too large: the feed is bigger than the 5 MB limit')).toBe('too_large');
    expect(sourceErrorKind('HTTP 404 Not Found')).toBe('http');
    expect(httpStatusOf('HTTP 404 Not Found')).toBe('404');
    expect(sourceErrorKind('more than 5 redirects')).toBe('redirects');
    expect(sourceErrorKind('not a feed: the response is empty')).toBe('parse');
    expect(sourceErrorKind('could not reach example.org (connection timed out)')).toBe('network');
    expect(sourceErrorKind('could not resolve the feed host x.example (ENOTFOUND)')).toBe('network');
    expect(sourceErrorKind(null)).toBeNull();
  });

  it('splits keywords typed with either punctuation', () => {
    expect(splitWords('停水, 停电，断水、没水\n 停水')).toEqual(['停水', '停电', '断水', '没水']);
  });
});

describe('analysis arithmetic', () => {
  it('rounds the count axis to whole, friendly steps', () => {
    expect(niceScale(0)).toEqual({ max: 1, ticks: [0, 1] });
    expect(niceScale(3)).toEqual({ max: 3, ticks: [0, 1, 2, 3] });
    expect(niceScale(16)).toEqual({ max: 20, ticks: [0, 5, 10, 15, 20] });
    expect(niceScale(230).max).toBeGreaterThanOrEqual(230);
    for (const m of [1, 7, 16, 95, 1234]) expect(niceScale(m).ticks.every((v) => Number.isInteger(v))).toBe(true);
  });

  it('reads a falling negative share as good, volume as information', () => {
    expect(trend(0.62, 0.31, true)).toMatchObject({ direction: 'down', good: true });
    expect(trend(0.3, 0.5, true)).toMatchObject({ direction: 'up', good: false });
    expect(trend(0.3, 0.302, true)).toMatchObject({ direction: 'flat', good: null });
    expect(trend(40, 12, false, 0)).toMatchObject({ direction: 'down', good: null });
    expect(formatShare(0.384)).toBe('38%');
    expect(formatShare(0.052)).toBe('5.2%');
    expect(formatShare(0)).toBe('0%');
  });

  it('offers bucket sizes that make a readable chart', () => {
    expect(bucketChoices(24)).toEqual([10, 30, 60, 180]);
    expect(bucketChoices(48)).toEqual([10, 30, 60, 180, 360]);
    expect(bucketChoices(168)).toEqual([60, 180, 360, 720]);
    expect(labelStride(24, 8)).toBe(3);
    expect(labelStride(6, 8)).toBe(1);
  });

  it('finds the bucket of a time and the shares of a sentiment mix', () => {
    const series = ['2026-11-22T00:00:00.000Z', '2026-11-22T01:00:00.000Z'].map((t) => ({ t, total: 0, negative: 0, neutral: 0, positive: 0 }));
    expect(bucketIndexOf(series, 60, '2026-11-22T01:30:00Z')).toBe(1);
    expect(bucketIndexOf(series, 60, '2026-11-22T02:30:00Z')).toBe(-1);
    expect(mixShares({ negative: 3, neutral: 1 })).toEqual([
      { label: 'negative', count: 3, share: 0.75 },
      { label: 'neutral', count: 1, share: 0.25 },
      { label: 'positive', count: 0, share: 0 },
    ]);
    expect(mixShares(null).every((m) => m.share === 0)).toBe(true);
  });
});

describe('opinion routes and words', () => {
  it('parses and builds the opinion routes', () => {
    expect(parseHash('#/opinion')).toEqual({ name: 'opinion' });
    expect(parseHash('#/opinion/sources')).toEqual({ name: 'opinionSources' });
    expect(parseHash('#/opinion/analysis?incident=12')).toEqual({ name: 'opinionAnalysis', incidentId: '12', topic: null });
    expect(parseHash('#/opinion/analysis?topic=%E5%81%9C%E6%B0%B4')).toEqual({ name: 'opinionAnalysis', incidentId: null, topic: '停水' });
    expect(opinionAnalysisHref({ topic: '停水' })).toBe('#/opinion/analysis?topic=%E5%81%9C%E6%B0%B4');
    expect(routeHref({ name: 'opinionAnalysis', incidentId: null, topic: null })).toBe('#/opinion/analysis');
    for (const hash of ['#/opinion', '#/opinion/sources', '#/opinion/analysis?incident=3']) expect(routeHref(parseHash(hash))).toBe(hash);
  });

  it('labels every status and sentiment and words the surge notice', () => {
    setLang('zh');
    expect(['new', 'relevant', 'irrelevant', 'rumor', 'needs_response'].map((s) => t(`opStatus.${s}` as 'opStatus.new'))).toEqual([
      '新进',
      '相关',
      '无关',
      '谣言',
      '需回应',
    ]);
    expect(t('toast.burst', { label: '停水', count: 25 })).toBe('舆情突增：停水（25 条）');
    expect(t('op.row.reposts', { count: 12 })).toBe('转发 ×12');
    setLang('en');
    expect(t('toast.burst', { label: 'water', count: 25 })).toBe('Opinion surge: water (25 items)');
    setLang('zh');
    // Every opinion key exists in both languages (the i18n test checks placeholders).
    const zh = Object.keys(dictionaries.zh).filter((k) => k.startsWith('op.'));
    expect(zh.length).toBeGreaterThan(100);
    for (const k of zh) expect((dictionaries.en as Record<string, string>)[k], k).toBeTruthy();
  });
});
