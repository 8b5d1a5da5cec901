// Pure helpers for the incident forms (new incident, edit facts): form values ⇄ API payloads.
import type { Category, Incident, Severity } from '../../../shared/domain.ts';
import type { z } from 'zod';

export interface IncidentFormValues {
  title: string;
  summary: string;
  category: Category | '';
  severity: Severity | '';
  /** `<input type="datetime-local">` value, browser local time: "YYYY-MM-DDTHH:mm". */
  occurredAtLocal: string;
  location: string;
  leadDepartmentId: string;
  /** '' = none. */
  spokespersonId: string;
  deaths: number | null;
  injured: number | null;
  missing: number | null;
  significantImpact: boolean;
  sensitive: boolean;
  keywordsText: string;
}

/** Fields an error can point at; anything deeper (keywords.3) is shown at its parent. */
export const FORM_FIELDS = [
  'title',
  'summary',
  'category',
  'severity',
  'occurredAt',
  'location',
  'leadDepartmentId',
  'spokespersonId',
  'casualties.deaths',
  'casualties.injured',
  'casualties.missing',
  'casualties',
  'significantImpact',
  'sensitive',
  'keywords',
] as const;
export type FormField = (typeof FORM_FIELDS)[number];

const pad = (n: number) => String(n).padStart(2, '0');

/** ms → "YYYY-MM-DDTHH:mm" in the browser's time zone. */
export function toDatetimeLocal(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** "YYYY-MM-DDTHH:mm[:ss]" (local) → ISO UTC, or null when not a valid time. */
export function fromDatetimeLocal(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m;
  const date = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0));
  if (Number.isNaN(date.getTime()) || date.getMonth() !== Number(mo) - 1) return null;
  return date.toISOString();
}

/** "暴雨, 内涝，转移安置" → ["暴雨", "内涝", "转移安置"]: commas (ASCII or full width), 、 and ; split. */
export function parseKeywords(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const part of text.split(/[,，、;；\n]/)) {
    const k = part.trim();
    if (k && !seen.has(k)) {
      seen.add(k);
      out.push(k);
    }
  }
  return out;
}

export function emptyForm(nowMs: number): IncidentFormValues {
  return {
    title: '',
    summary: '',
    category: '',
    severity: '',
    occurredAtLocal: toDatetimeLocal(nowMs),
    location: '',
    leadDepartmentId: '',
    spokespersonId: '',
    deaths: 0,
    injured: 0,
    missing: 0,
    significantImpact: false,
    sensitive: false,
    keywordsText: '',
  };
}

export function formFromIncident(incident: Incident): IncidentFormValues {
  return {
    title: incident.title,
    summary: incident.summary ?? '',
    category: incident.category,
    severity: incident.severity,
    occurredAtLocal: toDatetimeLocal(new Date(incident.occurredAt).getTime()),
    location: incident.location ?? '',
    leadDepartmentId: incident.leadDepartmentId,
    spokespersonId: incident.spokespersonId ?? '',
    deaths: incident.casualties?.deaths ?? 0,
    injured: incident.casualties?.injured ?? 0,
    missing: incident.casualties?.missing ?? 0,
    significantImpact: incident.significantImpact,
    sensitive: incident.sensitive,
    keywordsText: (incident.keywords ?? []).join(', '),
  };
}

/** An empty number box means 0; anything else is passed through for the schema to judge. */
function count(n: number | null | undefined): number {
  return n === null || n === undefined || (typeof n === 'number' && Number.isNaN(n)) ? 0 : Number(n);
}

/** The `POST /api/incidents` body (before schema validation). */
export function formToCreatePayload(v: IncidentFormValues): Record<string, unknown> {
  return {
    title: v.title,
    summary: v.summary,
    category: v.category,
    severity: v.severity,
    occurredAt: fromDatetimeLocal(v.occurredAtLocal) ?? v.occurredAtLocal,
    location: v.location,
    leadDepartmentId: v.leadDepartmentId,
    spokespersonId: v.spokespersonId === '' ? null : v.spokespersonId,
    casualties: { deaths: count(v.deaths), injured: count(v.injured), missing: count(v.missing) },
    significantImpact: v.significantImpact,
    sensitive: v.sensitive,
    keywords: parseKeywords(v.keywordsText),
  };
}

/**
 * The `PATCH /api/incidents/:id` body: only the fields the user changed relative to `original`,
 * plus `version`. Returns null when nothing changed. Fields are compared in form terms, so an
 * occurred-at with seconds is not "changed" just because the input shows minutes.
 */
export function formToPatch(original: Incident, edited: IncidentFormValues): Record<string, unknown> | null {
  const before = formFromIncident(original);
  const patch: Record<string, unknown> = {};
  const textFields = ['title', 'summary', 'category', 'severity', 'location', 'leadDepartmentId'] as const;
  for (const f of textFields) {
    if (edited[f].trim() !== before[f].trim()) patch[f] = edited[f];
  }
  if (edited.occurredAtLocal !== before.occurredAtLocal) {
    patch.occurredAt = fromDatetimeLocal(edited.occurredAtLocal) ?? edited.occurredAtLocal;
  }
  if (edited.spokespersonId !== before.spokespersonId) {
    patch.spokespersonId = edited.spokespersonId === '' ? null : edited.spokespersonId;
  }
  const casualties: Record<string, number> = {};
  for (const f of ['deaths', 'injured', 'missing'] as const) {
    if (count(edited[f]) !== count(before[f])) casualties[f] = count(edited[f]);
  }
  if (Object.keys(casualties).length > 0) patch.casualties = casualties;
  if (edited.significantImpact !== before.significantImpact) patch.significantImpact = edited.significantImpact;
  if (edited.sensitive !== before.sensitive) patch.sensitive = edited.sensitive;
  const kw = parseKeywords(edited.keywordsText);
  if (kw.join('\u0000') !== (original.keywords ?? []).join('\u0000')) patch.keywords = kw;
  if (Object.keys(patch).length === 0) return null;
  patch.version = original.version;
  return patch;
}

/** Map an error path ("keywords.2", "casualties.deaths") to the form field that shows it. */
export function fieldOf(path: string | null | undefined): FormField | null {
  if (!path) return null;
  if ((FORM_FIELDS as readonly string[]).includes(path)) return path as FormField;
  let best: FormField | null = null;
  for (const f of FORM_FIELDS) {
    if (path.startsWith(`${f}.`) && (!best || f.length > best.length)) best = f;
  }
  return best;
}

/** Every zod issue, keyed by form field (first message per field); unplaceable ones under ''. */
export function zodFieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const path = issue.path.map(String).join('.');
    const key = fieldOf(path) ?? '';
    if (!(key in out)) out[key] = issue.message;
  }
  return out;
}
