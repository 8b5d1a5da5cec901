// Pure helpers for the reports: Beijing-time formatting and day windows, durations in Chinese, and the labels the
// printed pages and CSV files use. JSON keeps ISO UTC; only HTML and CSV show local time (with the zone stated).

/**
 * Asia/Shanghai has been UTC+8 all year since 1991 (no daylight saving), so local instants and day boundaries are a
 * fixed offset: no dependence on the ICU data the Node build happens to ship.
 */
export const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
export const ZONE_LABEL = '北京时间 UTC+8';
export const DAY_MS = 86_400_000;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function shifted(at: Date | string): Date {
  return new Date(new Date(at).getTime() + SHANGHAI_OFFSET_MS);
}

/** "2026-11-22 10:10:00" in Beijing time; '' for null. */
export function localDateTime(at: Date | string | null | undefined): string {
  if (at === null || at === undefined) return '';
  const d = shifted(at);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** "11-22 10:10" (short, for charts and dense tables). */
export function localShort(at: Date | string): string {
  const d = shifted(at);
  return `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** The Beijing calendar date of an instant, "YYYY-MM-DD". */
export function localDate(at: Date | string): string {
  const d = shifted(at);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** "2026年11月22日" */
export function chineseDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** Whether `s` is a real calendar date written YYYY-MM-DD. */
export function isLocalDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const [y, m, d] = s.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** The 24 hours of a Beijing calendar day as UTC instants: [from, to). */
export function localDayWindow(date: string): { from: Date; to: Date } {
  const [y, m, d] = date.split('-').map(Number);
  const from = new Date(Date.UTC(y, m - 1, d) - SHANGHAI_OFFSET_MS);
  return { from, to: new Date(from.getTime() + DAY_MS) };
}

/** The Beijing date `days` after `date` (negative: before). */
export function addLocalDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d) + days * DAY_MS);
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/** Parses "HH:MM" (00:00–23:59) to minutes after local midnight; null when malformed. */
export function parseLocalTime(s: string): number | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(s);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/** The first instant strictly after `now` at which Beijing wall-clock time reads `hhmm`. */
export function nextLocalTime(now: Date, hhmm: string): Date {
  const minutes = parseLocalTime(hhmm);
  if (minutes === null) throw new RangeError(`not a time of day: ${hhmm}`);
  const today = localDayWindow(localDate(now)).from.getTime() + minutes * 60_000;
  return new Date(today > now.getTime() ? today : today + DAY_MS);
}

/** A span in Chinese: 4小时45分30秒, 50分, 2天3小时; negative spans get a leading "−". */
export function chineseDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  const sign = seconds < 0 ? '−' : '';
  let s = Math.round(Math.abs(seconds));
  if (s === 0) return '0秒';
  const d = Math.floor(s / 86_400);
  s -= d * 86_400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const parts = [d && `${d}天`, h && `${h}小时`, m && `${m}分`, s && `${s}秒`].filter(Boolean);
  return sign + parts.join('');
}

/** A deadline margin in words: 提前14分30秒 / 超时50分 / 准时. */
export function marginWords(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds === 0) return '准时';
  return seconds > 0 ? `提前${chineseDuration(seconds)}` : `超时${chineseDuration(-seconds)}`;
}

/** 0.667 → "66.7%". */
export function percent(share: number | null): string {
  if (share === null || !Number.isFinite(share)) return '—';
  return `${(Math.round(share * 1000) / 10).toFixed(1)}%`;
}

/** A change in share as percentage points: +12.5个百分点. */
export function percentPoints(delta: number | null): string {
  if (delta === null || !Number.isFinite(delta)) return '—';
  const v = Math.round(delta * 1000) / 10;
  return `${v > 0 ? '+' : v < 0 ? '−' : '±'}${Math.abs(v).toFixed(1)}个百分点`;
}

export const SEVERITY_LABEL: Record<string, string> = { I: 'I级（特别重大）', II: 'II级（重大）', III: 'III级（较大）', IV: 'IV级（一般）' };
export const CATEGORY_LABEL: Record<string, string> = {
  natural_disaster: '自然灾害',
  accident: '事故灾难',
  public_health: '公共卫生事件',
  social_security: '社会安全事件',
};
export const CLOCK_LABEL: Record<string, string> = {
  first_release: '首次权威发布',
  press_conference: '新闻发布会',
  follow_up: '持续发布',
  opinion_response: '舆情回应',
};
export const CLOCK_STATUS_LABEL: Record<string, string> = { pending: '计时中', met: '按时完成', missed: '超时', waived: '已豁免' };
export const RELEASE_KIND_LABEL: Record<string, string> = { initial: '首次发布', update: '进展通报', clarification: '澄清说明', correction: '更正' };
export const RELEASE_STATUS_LABEL: Record<string, string> = {
  draft: '草稿',
  in_review: '审核中',
  approved: '已审核',
  scheduled: '定时待发',
  published: '已发布',
  retracted: '已撤回',
};
export const CONFERENCE_STATUS_LABEL: Record<string, string> = { planned: '筹备中', held: '已召开', cancelled: '已取消' };
export const OPINION_STATUS_LABEL: Record<string, string> = {
  new: '未研判',
  relevant: '相关',
  irrelevant: '无关',
  rumor: '谣言',
  needs_response: '需回应',
};
export const SENTIMENT_LABEL: Record<string, string> = { negative: '负面', neutral: '中性', positive: '正面' };

export const label = (table: Record<string, string>, key: string | null | undefined) => (key ? (table[key] ?? key) : '');
