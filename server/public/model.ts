// What the public site knows about releases and incidents. The service builds these from the database and
// guarantees they are public (published or retracted, with a publication time); renderers only read them.
import type { Category, ReleaseKind, Severity } from '../../shared/domain.ts';

export interface PublicIncident {
  id: number;
  title: string;
  category: Category;
  severity: Severity;
  location: string;
  keywords: string[];
  status: 'open' | 'closed';
  updatedAt: Date;
}

/** A release as far as the public may see it. A retracted release carries no body (it is withheld). */
export interface PublicRelease {
  id: number;
  incidentId: number;
  kind: ReleaseKind;
  title: string;
  /** The plain-text body; always '' when retracted. */
  body: string;
  status: 'published' | 'retracted';
  publishedAt: Date;
  retractedAt: Date | null;
  retractReason: string | null;
  correctsReleaseId: number | null;
}

export interface ListedRelease extends PublicRelease {
  incident: PublicIncident;
}

/** A short reference to another public release (the thread of an incident, a corrected release). */
export interface ReleaseRef {
  id: number;
  incidentId: number;
  kind: ReleaseKind;
  title: string;
  status: 'published' | 'retracted';
  publishedAt: Date;
  retractedAt: Date | null;
}

/** One release with its context: the incident, every public release of that incident, corrections both ways. */
export interface ReleaseContext {
  release: PublicRelease;
  incident: PublicIncident;
  /** All public releases of the incident, oldest first (includes `release`). */
  thread: ReleaseRef[];
  /** The release this one corrects, when that one is public. */
  corrects: ReleaseRef | null;
  /** Public releases that correct this one. */
  correctedBy: ReleaseRef[];
}

/** The most recent change to what a listing or page shows (for Last-Modified). */
export function lastChange(dates: (Date | null | undefined)[]): Date | null {
  let max: Date | null = null;
  for (const d of dates) if (d && (!max || d.getTime() > max.getTime())) max = d;
  return max;
}

export function releaseChanges(r: { publishedAt: Date; retractedAt: Date | null }): Date[] {
  return r.retractedAt ? [r.publishedAt, r.retractedAt] : [r.publishedAt];
}

/** Oldest first: by publication time, then id. */
export function byPublication(a: { publishedAt: Date; id: number }, b: { publishedAt: Date; id: number }): number {
  return a.publishedAt.getTime() - b.publishedAt.getTime() || a.id - b.id;
}
