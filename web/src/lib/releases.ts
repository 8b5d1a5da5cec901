// Pure release helpers for the console: the public preview's paragraphs, which version the reviewer's
// redline starts from, merging live copies, and the schedule picker's rules.
import type {
  BeaconEvent,
  Conference,
  Release,
  ReleaseDetail,
  ReleaseKind,
  ReleaseRevision,
  ReleaseStatus,
  ReviewCheck,
} from '../../../shared/domain.ts';
import { REVIEW_CHECKS } from '../../../shared/domain.ts';
import { fromDatetimeLocal, toDatetimeLocal } from './incidentForm.ts';

/** The editor's fields. */
export interface ReleaseFormValues {
  kind: ReleaseKind;
  /** '' when none (only a correction names one). */
  correctsReleaseId: string;
  title: string;
  body: string;
}

/**
 * A plain-text body as the public site shows it: each non-empty line is one paragraph
 * (the same rule as server/public/escape.ts `paragraphs`).
 */
export function paragraphs(text: string): string[] {
  return text
    .split(/\r\n|\r|\n|\u2028|\u2029/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

/** Visible characters of a body (what the spokesperson sees as its length). */
export function charCount(text: string): number {
  return [...text.replace(/\s+/g, '')].length;
}

/**
 * The revision the reviewer's redline starts from: the latest version a leader reviewed (approved or
 * rejected) before the current one. Null when nobody has reviewed an earlier version (first submission).
 */
export function redlineBase(detail: Pick<ReleaseDetail, 'version' | 'reviews' | 'revisions'>): ReleaseRevision | null {
  const earlier = detail.reviews.filter((r) => r.version < detail.version).map((r) => r.version);
  if (earlier.length === 0) return null;
  const version = Math.max(...earlier);
  return detail.revisions.find((r) => r.version === version) ?? null;
}

/** The last rejection of the release, if it has been sent back (shown to the spokesperson in the editor). */
export function lastRejection(detail: Pick<ReleaseDetail, 'reviews'>) {
  const rejected = detail.reviews.filter((r) => r.decision === 'rejected');
  return rejected.length ? rejected[rejected.length - 1] : null;
}

/** Whether copy `incoming` is at least as recent as `existing` (status steps do not bump `version`). */
export function isAsNew(incoming: Release, existing: Release): boolean {
  if (incoming.version !== existing.version) return incoming.version > existing.version;
  return incoming.updatedAt >= existing.updatedAt;
}

/** Replace or add one release in a list, never rolling a newer copy back. */
export function upsertRelease<T extends Release>(list: readonly T[], release: Release): T[] {
  const i = list.findIndex((r) => r.id === release.id);
  if (i < 0) return [...list, release as T];
  if (!isAsNew(release, list[i])) return [...list];
  return list.map((r, j) => (j === i ? ({ ...r, ...release } as T) : r));
}

export function upsertConference(list: readonly Conference[], conference: Conference): Conference[] {
  const i = list.findIndex((c) => c.id === conference.id);
  if (i < 0) return [...list, conference];
  if (conference.version < list[i].version) return [...list];
  return list.map((c, j) => (j === i ? conference : c));
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

export function payloadRelease(e: BeaconEvent): Release | null {
  const r = e.payload?.release;
  return isObject(r) && typeof r.id === 'string' && typeof r.status === 'string' ? (r as unknown as Release) : null;
}

export function payloadConference(e: BeaconEvent): Conference | null {
  const c = e.payload?.conference;
  return isObject(c) && typeof c.id === 'string' && typeof c.status === 'string' ? (c as unknown as Conference) : null;
}

/** Newest first (by creation). */
export function sortReleases<T extends Release>(list: readonly T[]): T[] {
  return [...list].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || Number(b.id) - Number(a.id));
}

/** Releases a correction may name: published or retracted ones of the incident. */
export function correctable<T extends Release>(list: readonly T[]): T[] {
  return sortReleases(list.filter((r) => r.status === 'published' || r.status === 'retracted'));
}

export type ChecklistState = Record<ReviewCheck, boolean>;

export function emptyChecklist(): ChecklistState {
  return { noStateSecrets: false, noPersonalPrivacy: false, figuresVerified: false };
}

export function checklistComplete(checks: ChecklistState): boolean {
  return REVIEW_CHECKS.every((k) => checks[k] === true);
}

/** How far ahead a scheduled publication must be (the server publishes anything ≤ 1 s ahead at once). */
export const MIN_SCHEDULE_LEAD_MS = 60_000;

/** A sensible default for the schedule picker: 30 minutes from now, rounded up to the next 5 minutes. */
export function defaultScheduleLocal(now: number): string {
  const step = 5 * 60_000;
  return toDatetimeLocal(Math.ceil((now + 30 * 60_000) / step) * step);
}

export type ScheduleCheck = { ok: true; at: string; ms: number } | { ok: false; error: 'time' | 'past' };

/** Turns the picker's local value into the ISO UTC `at`, refusing anything not safely in the future. */
export function checkSchedule(local: string, now: number): ScheduleCheck {
  const at = fromDatetimeLocal(local);
  if (!at) return { ok: false, error: 'time' };
  const ms = new Date(at).getTime() - now;
  if (ms < MIN_SCHEDULE_LEAD_MS) return { ok: false, error: 'past' };
  return { ok: true, at, ms };
}

/** Statuses in workflow order (for badges and filters). */
export const STATUS_ORDER: readonly ReleaseStatus[] = ['draft', 'in_review', 'approved', 'scheduled', 'published', 'retracted'];

/** First message per field path ("title", "talkingPoints.0.text") of a failed zod parse; '' for the body. */
export function zodIssues(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const path = issue.path.map(String).join('.');
    if (!(path in out)) out[path] = issue.message;
  }
  return out;
}
