// Dates and labels for the public site: local time in the city's zone, the grade and kind names in Chinese.
import type { Category, ReleaseKind, Severity } from '../../shared/domain.ts';

export const PUBLIC_TIME_ZONE = 'Asia/Shanghai';

const partsFormatters = new Map<string, Intl.DateTimeFormat>();
function partsIn(date: Date, timeZone: string) {
  let f = partsFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsFormatters.set(timeZone, f);
  }
  const p: Record<string, string> = {};
  for (const { type, value } of f.formatToParts(date)) p[type] = value;
  return { year: p.year, month: p.month, day: p.day, hour: p.hour, minute: p.minute, second: p.second };
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * `2026-11-22T15:10:00+08:00`: local wall time with its UTC offset, whole seconds, never `Z`.
 * This is the form CAP 1.2 requires (its xsd pattern is `\d\d\d\d-\d\d-\d\dT\d\d:\d\d:\d\d[-,+]\d\d:\d\d`),
 * and valid RFC 3339 for Atom too.
 */
export function zonedIso(date: Date, timeZone = PUBLIC_TIME_ZONE): string {
  const whole = new Date(Math.floor(date.getTime() / 1000) * 1000);
  const p = partsIn(whole, timeZone);
  const asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  const offsetMin = Math.round((asUtc - whole.getTime()) / 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** `2026年11月22日 15:10（北京时间）` for people; the zone is always named. */
export function chineseDateTime(date: Date, timeZone = PUBLIC_TIME_ZONE): string {
  const p = partsIn(date, timeZone);
  const zone = timeZone === 'Asia/Shanghai' ? '北京时间' : timeZone;
  return `${+p.year}年${+p.month}月${+p.day}日 ${p.hour}:${p.minute}（${zone}）`;
}

/** RFC 822 date for RSS 2.0 (`Sun, 22 Nov 2026 07:10:00 GMT`). */
export function rfc822(date: Date): string {
  return date.toUTCString();
}

export const SEVERITY_LABELS: Record<Severity, string> = {
  I: 'I级 特别重大',
  II: 'II级 重大',
  III: 'III级 较大',
  IV: 'IV级 一般',
};

export const KIND_LABELS: Record<ReleaseKind, string> = {
  initial: '首次发布',
  update: '进展通报',
  clarification: '澄清说明',
  correction: '更正',
};

/** The four classes of emergencies in the Emergency Response Law. */
export const CATEGORY_LABELS: Record<Category, string> = {
  natural_disaster: '自然灾害',
  accident: '事故灾难',
  public_health: '公共卫生事件',
  social_security: '社会安全事件',
};

export function severityLabel(severity: string): string {
  return SEVERITY_LABELS[severity as Severity] ?? severity;
}
export function kindLabel(kind: string): string {
  return KIND_LABELS[kind as ReleaseKind] ?? kind;
}
export function categoryLabel(category: string): string {
  return CATEGORY_LABELS[category as Category] ?? category;
}
