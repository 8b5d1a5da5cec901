// Reports read the state and the event log (they change nothing): the after-action report of one incident and the
// compliance report over a period. Arithmetic lives in compliance.ts; rendering in html.ts and csv-reports.ts.
import { sql } from 'kysely';
import type { Incident } from '../../shared/domain.ts';
import type { AppContext } from '../context.ts';
import { requireRole, type Actor } from '../auth/actor.ts';
import { invalid, notFound } from '../errors.ts';
import { visibleTo } from '../incidents/visibility.ts';
import { toIncident } from '../incidents/mapper.ts';
import { deadlinesOf } from '../deadlines/service.ts';
import { negativeShare } from '../opinion/analysis.ts';
import { describeEvent } from './timeline.ts';
import {
  ackSeconds,
  computeCompliance,
  marginSeconds,
  onTime,
  taskOverdue,
  type Breach,
  type ComplianceClockRow,
  type DepartmentStats,
} from './compliance.ts';

const HOUR = 3_600_000;
const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** The window either side of a release over which its response effect is measured. */
export const EFFECT_WINDOW_HOURS = 6;
/** At most this many hourly buckets in an incident's opinion curve (30 days). */
export const MAX_SERIES_BUCKETS = 24 * 30;

export interface ReportDeadline {
  id: string;
  kind: string;
  opinionItemId: string | null;
  dueAt: string;
  metAt: string | null;
  status: string;
  /** dueAt − metAt in seconds: positive = early, negative = late; null while unmet. */
  marginSeconds: number | null;
  onTime: boolean | null;
  waivedAt: string | null;
  waivedReason: string | null;
}

export interface ReportRelease {
  id: string;
  kind: string;
  title: string;
  status: string;
  submittedAt: string | null;
  approvedAt: string | null;
  publishedAt: string | null;
  retractedAt: string | null;
  /** Seconds from the incident's occurredAt to publication. */
  sinceOccurredSeconds: number | null;
  approvals: { by: string; department: string; at: string; asCoordinating: boolean }[];
}

export interface ReportTask {
  id: string;
  title: string;
  department: string;
  status: string;
  createdAt: string;
  ackedAt: string | null;
  ackSeconds: number | null;
  doneAt: string | null;
  dueAt: string | null;
  overdue: boolean;
}

export interface OpinionBucket {
  t: string;
  total: number;
  negative: number;
  negativeShare: number;
}

export interface ReleaseEffect {
  releaseId: string;
  kind: string;
  title: string;
  publishedAt: string;
  windowHours: number;
  before: { volume: number; negativeShare: number };
  after: { volume: number; negativeShare: number };
  /** Whether the whole after-window has passed (otherwise the figures are so far). */
  afterComplete: boolean;
}

export interface IncidentReport {
  generatedAt: string;
  incident: Incident & { leadDepartmentName: string; spokespersonName: string | null; createdByName: string | null };
  /** Seconds from occurredAt to the first published release; null when none. */
  firstReleaseSeconds: number | null;
  timeline: { at: string; type: string; by: string | null; text: string }[];
  deadlines: ReportDeadline[];
  releases: ReportRelease[];
  conferences: { id: string; status: string; scheduledAt: string; heldAt: string | null; venue: string; summary: string; cancelReason: string | null }[];
  tasks: ReportTask[];
  opinion: {
    bucketMinutes: 60;
    from: string;
    to: string;
    truncated: boolean;
    total: number;
    negative: number;
    negativeShare: number;
    series: OpinionBucket[];
    releaseEffects: ReleaseEffect[];
  };
}

async function departmentNames(ctx: AppContext): Promise<Map<number, string>> {
  const rows = await ctx.db.selectFrom('departments').select(['id', 'name']).orderBy('id').execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** The after-action report of an incident; 404 for anyone who may not see it. */
export async function incidentReport(ctx: AppContext, actor: Actor, id: number): Promise<IncidentReport> {
  const row = await ctx.db.selectFrom('incidents').selectAll().where('id', '=', id).where(visibleTo(actor)).executeTakeFirst();
  if (!row) throw notFound('incident');
  const now = ctx.clock.now();
  const depts = await departmentNames(ctx);
  const deadlineRows = (await deadlinesOf(ctx.db, [id])).sort((a, b) => a.due_at.getTime() - b.due_at.getTime() || a.id - b.id);
  const incident = toIncident(row, deadlineRows);
  const people = await ctx.db
    .selectFrom('users')
    .select(['id', 'name'])
    .where('id', 'in', [row.created_by, ...(row.spokesperson_id === null ? [] : [row.spokesperson_id])])
    .execute();
  const personName = (uid: number | null) => (uid === null ? null : (people.find((p) => p.id === uid)?.name ?? null));

  const events = await ctx.db
    .selectFrom('events')
    .leftJoin('users', 'users.id', 'events.actor_id')
    .select(['events.id', 'events.type', 'events.at', 'events.payload', 'users.name'])
    .where('events.incident_id', '=', id)
    .orderBy('events.id')
    .limit(5000)
    .execute();
  const timeline = events.map((e) => {
    const payload = e.payload as Record<string, unknown>;
    const by = e.name ?? (typeof payload.by === 'string' ? payload.by : null);
    return { at: e.at.toISOString(), type: e.type, by, text: describeEvent(e.type, payload) };
  });

  const deadlines: ReportDeadline[] = deadlineRows.map((d) => ({
    id: String(d.id),
    kind: d.kind,
    opinionItemId: d.opinion_item_id === null ? null : String(d.opinion_item_id),
    dueAt: d.due_at.toISOString(),
    metAt: iso(d.met_at),
    status: d.status,
    marginSeconds: marginSeconds(d.due_at, d.met_at),
    onTime: onTime({ dueAt: d.due_at, metAt: d.met_at, status: d.status }),
    waivedAt: iso(d.waived_at),
    waivedReason: d.waive_reason,
  }));

  const releaseRows = await ctx.db.selectFrom('releases').selectAll().where('incident_id', '=', id).orderBy('id').execute();
  const reviews = releaseRows.length
    ? await ctx.db
        .selectFrom('release_reviews')
        .innerJoin('users', 'users.id', 'release_reviews.reviewer_id')
        .select(['release_reviews.release_id', 'release_reviews.version', 'release_reviews.department_id', 'release_reviews.as_coordinating', 'release_reviews.at', 'users.name'])
        .where('release_reviews.release_id', 'in', releaseRows.map((r) => r.id))
        .where('release_reviews.decision', '=', 'approved')
        .orderBy('release_reviews.id')
        .execute()
    : [];
  const submitted = new Map<string, Date[]>();
  for (const e of events) {
    if (e.type !== 'release.submitted') continue;
    const rid = String((e.payload as { release?: { id?: unknown } }).release?.id ?? '');
    submitted.set(rid, [...(submitted.get(rid) ?? []), e.at]);
  }
  const releases: ReportRelease[] = releaseRows.map((r) => {
    // The approvals that count are those of the version that went out (a rejected, re-edited draft starts over).
    const approvals = reviews.filter((v) => v.release_id === r.id && v.version === r.version);
    const approvedAt = approvals.length ? new Date(Math.max(...approvals.map((a) => a.at.getTime()))) : null;
    // The submission that led to the approval: the last one before it (or the last one at all).
    const subs = submitted.get(String(r.id)) ?? [];
    const before = approvedAt ? subs.filter((s) => s.getTime() <= approvedAt.getTime()) : subs;
    return {
      id: String(r.id),
      kind: r.kind,
      title: r.title,
      status: r.status,
      submittedAt: iso(before[before.length - 1]),
      approvedAt: iso(approvedAt),
      publishedAt: iso(r.published_at),
      retractedAt: iso(r.retracted_at),
      sinceOccurredSeconds: r.published_at ? Math.round((r.published_at.getTime() - row.occurred_at.getTime()) / 1000) : null,
      approvals: approvals.map((a) => ({ by: a.name, department: depts.get(a.department_id) ?? '', at: a.at.toISOString(), asCoordinating: a.as_coordinating })),
    };
  });
  const published = releaseRows.filter((r) => r.published_at).sort((a, b) => a.published_at!.getTime() - b.published_at!.getTime());
  const firstReleaseSeconds = published.length ? Math.round((published[0].published_at!.getTime() - row.occurred_at.getTime()) / 1000) : null;

  const conferenceRows = await ctx.db.selectFrom('conferences').selectAll().where('incident_id', '=', id).orderBy('scheduled_at').orderBy('id').execute();
  const conferences = conferenceRows.map((c) => ({
    id: String(c.id),
    status: c.status,
    scheduledAt: c.scheduled_at.toISOString(),
    heldAt: iso(c.held_at),
    venue: c.venue,
    summary: c.summary,
    cancelReason: c.cancel_reason,
  }));

  const taskRows = await ctx.db
    .selectFrom('tasks')
    .select(['id', 'title', 'department_id', 'status', 'created_at', 'acked_at', 'done_at', 'due_at'])
    .where('incident_id', '=', id)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const tasks: ReportTask[] = taskRows.map((t) => ({
    id: String(t.id),
    title: t.title,
    department: depts.get(t.department_id) ?? '',
    status: t.status,
    createdAt: t.created_at.toISOString(),
    ackedAt: iso(t.acked_at),
    ackSeconds: ackSeconds(t.created_at, t.acked_at),
    doneAt: iso(t.done_at),
    dueAt: iso(t.due_at),
    overdue: taskOverdue({ dueAt: t.due_at, doneAt: t.done_at }, now),
  }));

  return {
    generatedAt: now.toISOString(),
    incident: {
      ...incident,
      leadDepartmentName: depts.get(row.lead_department_id) ?? '',
      spokespersonName: personName(row.spokesperson_id),
      createdByName: personName(row.created_by),
    },
    firstReleaseSeconds,
    timeline,
    deadlines,
    releases,
    conferences,
    tasks,
    opinion: await incidentOpinion(ctx, row, now),
  };
}

async function incidentOpinion(
  ctx: AppContext,
  incident: { id: number; occurred_at: Date; closed_at: Date | null },
  now: Date,
): Promise<IncidentReport['opinion']> {
  const span = await ctx.db
    .selectFrom('opinion_items')
    .select((eb) => [eb.fn.min('fetched_at').as('first'), eb.fn.max('fetched_at').as('last')])
    .where('incident_id', '=', incident.id)
    .executeTakeFirst();
  const first = span?.first ? new Date(span.first as Date) : null;
  const last = span?.last ? new Date(span.last as Date) : null;
  const startRef = first && first < incident.occurred_at ? first : incident.occurred_at;
  const endRef = incident.closed_at ? (last && last > incident.closed_at ? last : incident.closed_at) : now;
  const from = Math.floor(startRef.getTime() / HOUR) * HOUR;
  let to = Math.floor(endRef.getTime() / HOUR) * HOUR + HOUR;
  const truncated = (to - from) / HOUR > MAX_SERIES_BUCKETS;
  if (truncated) to = from + MAX_SERIES_BUCKETS * HOUR;

  const rows = await ctx.db
    .selectFrom('opinion_items')
    .select([
      sql<number>`floor(extract(epoch from fetched_at) * 1000 / ${HOUR})`.as('bucket'),
      (eb) => eb.fn.countAll<number>().as('total'),
      sql<number>`count(*) filter (where sentiment_label = 'negative')`.as('negative'),
    ])
    .where('incident_id', '=', incident.id)
    .where('fetched_at', '>=', new Date(from))
    .where('fetched_at', '<', new Date(to))
    .groupBy('bucket')
    .execute();
  const byBucket = new Map(rows.map((r) => [Number(r.bucket), { total: Number(r.total), negative: Number(r.negative) }]));
  const series: OpinionBucket[] = [];
  let total = 0;
  let negative = 0;
  for (let t = from; t < to; t += HOUR) {
    const b = byBucket.get(t / HOUR) ?? { total: 0, negative: 0 };
    total += b.total;
    negative += b.negative;
    series.push({ t: new Date(t).toISOString(), total: b.total, negative: b.negative, negativeShare: negativeShare(b.negative, b.total) });
  }

  return {
    bucketMinutes: 60,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    truncated,
    total,
    negative,
    negativeShare: negativeShare(negative, total),
    series,
    releaseEffects: await releaseEffects(ctx, incident.id, now),
  };
}

/**
 * Each published release's response effect: the incident's opinion volume and negative share in the window before
 * publication, [at − w, at), against the window after, [at, min(at + w, now]). The same windows and rounding as the
 * opinion analysis (server/opinion/analysis.ts `windowStats`, not exported there, and `negativeShare`, reused).
 */
async function releaseEffects(ctx: AppContext, incidentId: number, now: Date): Promise<ReleaseEffect[]> {
  const w = EFFECT_WINDOW_HOURS * HOUR;
  const releases = await ctx.db
    .selectFrom('releases')
    .select(['id', 'kind', 'title', 'published_at'])
    .where('incident_id', '=', incidentId)
    .where('published_at', 'is not', null)
    .orderBy('published_at')
    .orderBy('id')
    .execute();
  const out: ReleaseEffect[] = [];
  for (const r of releases) {
    const at = r.published_at!;
    const beforeFrom = new Date(at.getTime() - w);
    const afterTo = new Date(Math.min(at.getTime() + w, now.getTime() + 1));
    const row = await ctx.db
      .selectFrom('opinion_items')
      .select([
        sql<number>`count(*) filter (where fetched_at < ${at})`.as('before_total'),
        sql<number>`count(*) filter (where fetched_at < ${at} and sentiment_label = 'negative')`.as('before_negative'),
        sql<number>`count(*) filter (where fetched_at >= ${at})`.as('after_total'),
        sql<number>`count(*) filter (where fetched_at >= ${at} and sentiment_label = 'negative')`.as('after_negative'),
      ])
      .where('incident_id', '=', incidentId)
      .where('fetched_at', '>=', beforeFrom)
      .where('fetched_at', '<', afterTo)
      .executeTakeFirstOrThrow();
    const n = (v: unknown) => Number(v ?? 0);
    out.push({
      releaseId: String(r.id),
      kind: r.kind,
      title: r.title,
      publishedAt: at.toISOString(),
      windowHours: EFFECT_WINDOW_HOURS,
      before: { volume: n(row.before_total), negativeShare: negativeShare(n(row.before_negative), n(row.before_total)) },
      after: { volume: n(row.after_total), negativeShare: negativeShare(n(row.after_negative), n(row.after_total)) },
      afterComplete: at.getTime() + w <= now.getTime(),
    });
  }
  return out;
}

// ————— compliance —————

export interface ComplianceReport {
  generatedAt: string;
  from: string;
  to: string;
  /** 'all' for a leader of a coordinating department; otherwise the leader's own department only. */
  scope: 'all' | 'department';
  departments: DepartmentStats[];
  totals: Omit<DepartmentStats, 'departmentId' | 'departmentName'>;
  breaches: Breach[];
}

/** Reads `from` and `to` (ISO-8601); 400 naming the field when missing or invalid, or when from ≥ to. */
export function parsePeriod(query: { from?: string; to?: string }): { from: Date; to: Date } {
  const read = (field: 'from' | 'to') => {
    const raw = query[field];
    if (raw === undefined || raw.trim() === '') throw invalid(field, 'is required (an ISO-8601 time, e.g. 2026-11-01T00:00:00+08:00)');
    // A date-time with a zone, or a bare date (taken as UTC midnight by Date); nothing looser.
    if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/.test(raw.trim())) {
      throw invalid(field, 'must be an ISO-8601 time with a zone, e.g. 2026-11-01T00:00:00+08:00');
    }
    const at = new Date(raw.trim());
    if (Number.isNaN(at.getTime())) throw invalid(field, 'is not a valid time');
    return at;
  };
  const from = read('from');
  const to = read('to');
  if (from.getTime() >= to.getTime()) throw invalid('to', 'must be after from');
  return { from, to };
}

export async function complianceReport(ctx: AppContext, actor: Actor, period: { from: Date; to: Date }): Promise<ComplianceReport> {
  requireRole(actor, 'leader');
  const { from, to } = period;
  if (from.getTime() >= to.getTime()) throw invalid('to', 'must be after from');
  const now = ctx.clock.now();
  const scopeAll = actor.coordinating;

  const clockRows = await ctx.db
    .selectFrom('deadlines')
    .leftJoin('incidents', 'incidents.id', 'deadlines.incident_id')
    .leftJoin('opinion_items', 'opinion_items.id', 'deadlines.opinion_item_id')
    .select([
      'deadlines.id',
      'deadlines.kind',
      'deadlines.due_at',
      'deadlines.met_at',
      'deadlines.status',
      'deadlines.incident_id',
      'deadlines.opinion_item_id',
      'incidents.title',
      'incidents.lead_department_id',
      'opinion_items.department_id as item_department_id',
    ])
    .where('deadlines.due_at', '>=', from)
    .where('deadlines.due_at', '<', to)
    .execute();
  const clocks: ComplianceClockRow[] = clockRows.map((r) => ({
    deadlineId: r.id,
    kind: r.kind,
    dueAt: r.due_at,
    metAt: r.met_at,
    status: r.status,
    incidentId: r.incident_id,
    incidentTitle: r.title,
    opinionItemId: r.opinion_item_id,
    // An opinion clock is answered by the department the analyst assigned (else the incident's lead), as triage
    // notifies; every other clock belongs to the incident's lead department.
    departmentId: r.kind === 'opinion_response' ? (r.item_department_id ?? r.lead_department_id) : r.lead_department_id,
  }));

  const firstRows = await ctx.db
    .selectFrom('releases')
    .innerJoin('incidents', 'incidents.id', 'releases.incident_id')
    .select(['incidents.id', 'incidents.lead_department_id', 'incidents.occurred_at', sql<Date>`min(releases.published_at)`.as('first')])
    .where('releases.published_at', 'is not', null)
    .groupBy(['incidents.id', 'incidents.lead_department_id', 'incidents.occurred_at'])
    .having(sql<Date>`min(releases.published_at)`, '>=', from)
    .having(sql<Date>`min(releases.published_at)`, '<', to)
    .execute();
  const firstReleases = firstRows.map((r) => ({
    incidentId: r.id,
    departmentId: r.lead_department_id,
    occurredAt: r.occurred_at,
    firstPublishedAt: new Date(r.first),
  }));

  const allDepts = await ctx.db.selectFrom('departments').select(['id', 'name']).orderBy('id').execute();
  const mine = (d: number | null) => scopeAll || d === actor.departmentId;
  const stats = computeCompliance({
    from,
    to,
    now,
    departments: allDepts.filter((d) => mine(d.id)),
    clocks: clocks.filter((c) => mine(c.departmentId)),
    firstReleases: firstReleases.filter((r) => mine(r.departmentId)),
  });
  return {
    generatedAt: now.toISOString(),
    from: from.toISOString(),
    to: to.toISOString(),
    scope: scopeAll ? 'all' : 'department',
    ...stats,
  };
}
