// The daily public-opinion briefing (舆情日报) for one Beijing calendar day: volume and negative share against the
// day before, top topics, terms and sources, bursts, the rumors and items flagged for response with the state of
// their 48-hour clocks, what still awaits a response, and a line per incident. Generated on demand (GET) and every
// morning by a scheduler timer, which stores it as a `report.daily` event for analysts and leaders.
import { sql } from 'kysely';
import { z } from 'zod';
import type { OpinionBurst } from '../../shared/opinion.ts';
import type { AppContext } from '../context.ts';
import { visibleIncidentIds } from '../incidents/service.ts';
import type { Tx } from '../audit/event-log.ts';
import type { Database } from '../db/connect.ts';
import type { RecordEvent } from '../db/transact.ts';
import { transact } from '../db/transact.ts';
import type { TimerRow } from '../scheduler/scheduler.ts';
import { requireRole, type Actor } from '../auth/actor.ts';
import { invalid } from '../errors.ts';
import { negativeShare } from '../opinion/analysis.ts';
import { toBurst } from '../opinion/bursts.ts';
import { opinionWatchers } from '../opinion/audience.ts';
import { classifyClock, type ClockOutcome } from './compliance.ts';
import { addLocalDays, isLocalDate, localDate, localDayWindow, nextLocalTime, parseLocalTime } from './format.ts';

export const TIMER_DAILY_BRIEFING = 'report.daily';
export const DAILY_EVENT = 'report.daily';
export const DAILY_SETTINGS_EVENT = 'report.settings';
const SETTINGS_KEY = 'reports.daily';

export const dailySettingsSchema = z.object({
  /** Local (Asia/Shanghai) time of day the briefing is generated, HH:MM. */
  at: z.string().refine((s) => parseLocalTime(s) !== null, 'must be a time of day HH:MM (00:00–23:59)'),
});
export type DailySettings = z.infer<typeof dailySettingsSchema>;
export const DEFAULT_DAILY_SETTINGS: DailySettings = { at: '07:30' };

type Reader = Pick<Tx, 'selectFrom'>;

export async function dailyBriefingSettings(db: Reader): Promise<DailySettings> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', SETTINGS_KEY).executeTakeFirst();
  const parsed = dailySettingsSchema.safeParse({ ...DEFAULT_DAILY_SETTINGS, ...(row?.value as object | undefined) });
  return parsed.success ? parsed.data : DEFAULT_DAILY_SETTINGS;
}

interface Counts {
  volume: number;
  negative: number;
  neutral: number;
  positive: number;
  negativeShare: number;
}

export interface FlaggedItem {
  deadlineId: string;
  itemId: string | null;
  title: string;
  itemStatus: string | null;
  url: string | null;
  incidentId: string | null;
  incidentTitle: string | null;
  department: string | null;
  flaggedAt: string;
  dueAt: string;
  metAt: string | null;
  clockStatus: string;
  outcome: ClockOutcome;
}

export interface DailyBriefing {
  date: string;
  from: string;
  to: string;
  generatedAt: string;
  /** false while the day is not over (an on-demand briefing of today so far). */
  complete: boolean;
  volume: number;
  negativeShare: number;
  sentiment: { negative: number; neutral: number; positive: number };
  previous: { date: string; volume: number; negativeShare: number };
  change: { volume: number; volumePercent: number | null; negativeShare: number };
  series: { t: string; total: number; negative: number }[];
  topTopics: { topic: string; count: number; negativeShare: number }[];
  topTerms: { term: string; count: number }[];
  topSources: { name: string; count: number }[];
  bursts: OpinionBurst[];
  /** Opinion flagged rumor / needs_response during the day, with the state of each 48-hour clock. */
  flagged: FlaggedItem[];
  responses: { flagged: number; rumors: number; metOnTime: number; metLate: number; pending: number; missed: number; waived: number };
  /** Every response clock still open at generation (flagged this day or earlier): what still needs an answer. */
  awaitingResponse: FlaggedItem[];
  incidents: {
    id: string;
    title: string;
    severity: string;
    status: string;
    leadDepartment: string;
    volume: number;
    negativeShare: number;
    bursts: number;
    flagged: number;
    openClocks: number;
  }[];
}

/** The short form stored in the `report.daily` event and shown in notifications. */
export interface DailySummary {
  date: string;
  volume: number;
  negativeShare: number;
  volumeChange: number;
  negativeShareChange: number;
  topTopics: string[];
  bursts: number;
  rumors: number;
  flagged: number;
  awaitingResponse: number;
  missedResponses: number;
  headline: string;
}

async function counts(db: Reader, from: Date, to: Date): Promise<Counts> {
  const rows = await db
    .selectFrom('opinion_items')
    .select(['sentiment_label', (eb) => eb.fn.countAll<number>().as('n')])
    .where('fetched_at', '>=', from)
    .where('fetched_at', '<', to)
    .groupBy('sentiment_label')
    .execute();
  const c = { negative: 0, neutral: 0, positive: 0 };
  for (const r of rows) c[r.sentiment_label] = (c[r.sentiment_label] ?? 0) + Number(r.n);
  const volume = c.negative + c.neutral + c.positive;
  return { volume, ...c, negativeShare: negativeShare(c.negative, volume) };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** Parses `?date=`: a real YYYY-MM-DD; absent means today in Beijing. */
export function parseBriefingDate(raw: string | undefined, now: Date): string {
  if (raw === undefined || raw === '') return localDate(now);
  if (!isLocalDate(raw)) throw invalid('date', 'must be a calendar date YYYY-MM-DD (Beijing time)');
  return raw;
}

export async function dailyBriefing(db: Reader, date: string, now: Date): Promise<DailyBriefing> {
  if (!isLocalDate(date)) throw invalid('date', 'must be a calendar date YYYY-MM-DD (Beijing time)');
  const { from, to } = localDayWindow(date);
  const prevDate = addLocalDays(date, -1);
  const prevWindow = localDayWindow(prevDate);
  const today = await counts(db, from, to);
  const previous = await counts(db, prevWindow.from, prevWindow.to);
  const inDay = (column: 'fetched_at' | 'opinion_items.fetched_at') => (eb: any) => eb(column, '>=', from).and(column, '<', to);

  const hourly = await db
    .selectFrom('opinion_items')
    .select([
      sql<number>`floor(extract(epoch from fetched_at) / 3600)`.as('bucket'),
      (eb) => eb.fn.countAll<number>().as('total'),
      sql<number>`count(*) filter (where sentiment_label = 'negative')`.as('negative'),
    ])
    .where(inDay('fetched_at'))
    .groupBy('bucket')
    .execute();
  const byHour = new Map(hourly.map((r) => [Number(r.bucket), r]));
  const series = Array.from({ length: 24 }, (_, i) => {
    const t = from.getTime() + i * 3_600_000;
    const r = byHour.get(t / 3_600_000);
    return { t: new Date(t).toISOString(), total: Number(r?.total ?? 0), negative: Number(r?.negative ?? 0) };
  });

  const topicRows = await db
    .selectFrom(
      sql<{ topic: string; sentiment_label: string }>`(select unnest(topics) as topic, sentiment_label from opinion_items where fetched_at >= ${from} and fetched_at < ${to})`.as('t'),
    )
    .select(['t.topic', (eb) => eb.fn.countAll<number>().as('n'), sql<number>`count(*) filter (where t.sentiment_label = 'negative')`.as('neg')])
    .groupBy('t.topic')
    .orderBy(sql`count(*)`, 'desc')
    .orderBy('t.topic')
    .limit(10)
    .execute();
  const termRows = await db
    .selectFrom(sql<{ term: string }>`(select unnest(tokens) as term from opinion_items where fetched_at >= ${from} and fetched_at < ${to})`.as('x'))
    .select(['x.term', (eb) => eb.fn.countAll<number>().as('n')])
    .where(sql<boolean>`length(x.term) > 1`)
    .groupBy('x.term')
    .orderBy(sql`count(*)`, 'desc')
    .orderBy('x.term')
    .limit(20)
    .execute();
  const sourceRows = await db
    .selectFrom('opinion_items')
    .innerJoin('opinion_sources', 'opinion_sources.id', 'opinion_items.source_id')
    .select(['opinion_sources.name', (eb) => eb.fn.countAll<number>().as('n')])
    .where(inDay('opinion_items.fetched_at'))
    .groupBy('opinion_sources.name')
    .orderBy(sql`count(*)`, 'desc')
    .orderBy('opinion_sources.name')
    .limit(10)
    .execute();
  const burstRows = await db
    .selectFrom('opinion_bursts')
    .selectAll()
    .where('bucket_start', '>=', from)
    .where('bucket_start', '<', to)
    .orderBy('bucket_start')
    .orderBy('id')
    .execute();
  const bursts = burstRows.map(toBurst);

  const clockQuery = () =>
    db
      .selectFrom('deadlines')
      .leftJoin('opinion_items', 'opinion_items.id', 'deadlines.opinion_item_id')
      .leftJoin('incidents', 'incidents.id', 'deadlines.incident_id')
      .leftJoin('departments', (j) => j.on(sql<boolean>`departments.id = coalesce(opinion_items.department_id, incidents.lead_department_id)`))
      .select([
        'deadlines.id',
        'deadlines.opinion_item_id',
        'deadlines.incident_id',
        'deadlines.created_at',
        'deadlines.due_at',
        'deadlines.met_at',
        'deadlines.status',
        'opinion_items.title as item_title',
        'opinion_items.content',
        'opinion_items.status as item_status',
        'opinion_items.url',
        'incidents.title as incident_title',
        'departments.name as department',
      ])
      .where('deadlines.kind', '=', 'opinion_response');
  const toFlagged = (r: Awaited<ReturnType<ReturnType<typeof clockQuery>['execute']>>[number]): FlaggedItem => ({
    deadlineId: String(r.id),
    itemId: r.opinion_item_id === null ? null : String(r.opinion_item_id),
    title: r.item_title || (r.content ?? '').slice(0, 80),
    itemStatus: r.item_status,
    url: r.url,
    incidentId: r.incident_id === null ? null : String(r.incident_id),
    incidentTitle: r.incident_title,
    department: r.department,
    flaggedAt: r.created_at.toISOString(),
    dueAt: r.due_at.toISOString(),
    metAt: r.met_at ? r.met_at.toISOString() : null,
    clockStatus: r.status,
    outcome: classifyClock({ dueAt: r.due_at, metAt: r.met_at, status: r.status }, now),
  });
  const flagged = (
    await clockQuery().where('deadlines.created_at', '>=', from).where('deadlines.created_at', '<', to).orderBy('deadlines.created_at').orderBy('deadlines.id').execute()
  ).map(toFlagged);
  const awaitingResponse = (
    await clockQuery()
      .where('deadlines.met_at', 'is', null)
      .where('deadlines.status', 'in', ['pending', 'missed'])
      .where('deadlines.created_at', '<', to)
      .orderBy('deadlines.due_at')
      .orderBy('deadlines.id')
      .limit(200)
      .execute()
  ).map(toFlagged);
  const tally = (o: ClockOutcome) => flagged.filter((f) => f.outcome === o).length;
  const responses = {
    flagged: flagged.length,
    rumors: flagged.filter((f) => f.itemStatus === 'rumor').length,
    metOnTime: tally('met_on_time'),
    metLate: tally('met_late'),
    pending: tally('pending'),
    missed: tally('missed_unmet'),
    waived: tally('waived'),
  };

  const incidentRows = await db
    .selectFrom('opinion_items')
    .innerJoin('incidents', 'incidents.id', 'opinion_items.incident_id')
    .innerJoin('departments', 'departments.id', 'incidents.lead_department_id')
    .select([
      'incidents.id',
      'incidents.title',
      'incidents.severity',
      'incidents.status',
      'departments.name',
      (eb) => eb.fn.countAll<number>().as('n'),
      sql<number>`count(*) filter (where opinion_items.sentiment_label = 'negative')`.as('neg'),
    ])
    .where(inDay('opinion_items.fetched_at'))
    .groupBy(['incidents.id', 'incidents.title', 'incidents.severity', 'incidents.status', 'departments.name'])
    .orderBy(sql`count(*)`, 'desc')
    .orderBy('incidents.id')
    .limit(30)
    .execute();
  const incidentIds = incidentRows.map((r) => r.id);
  const openClocks = incidentIds.length
    ? await db
        .selectFrom('deadlines')
        .select(['incident_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('incident_id', 'in', incidentIds)
        .where('met_at', 'is', null)
        .where('status', 'in', ['pending', 'missed'])
        .groupBy('incident_id')
        .execute()
    : [];
  const incidents = incidentRows.map((r) => ({
    id: String(r.id),
    title: r.title,
    severity: r.severity,
    status: r.status,
    leadDepartment: r.name,
    volume: Number(r.n),
    negativeShare: negativeShare(Number(r.neg), Number(r.n)),
    bursts: bursts.filter((b) => b.incidentId === String(r.id)).length,
    flagged: flagged.filter((f) => f.incidentId === String(r.id)).length,
    openClocks: Number(openClocks.find((o) => o.incident_id === r.id)?.n ?? 0),
  }));

  return {
    date,
    from: from.toISOString(),
    to: to.toISOString(),
    generatedAt: now.toISOString(),
    complete: now.getTime() >= to.getTime(),
    volume: today.volume,
    negativeShare: today.negativeShare,
    sentiment: { negative: today.negative, neutral: today.neutral, positive: today.positive },
    previous: { date: prevDate, volume: previous.volume, negativeShare: previous.negativeShare },
    change: {
      volume: today.volume - previous.volume,
      volumePercent: previous.volume === 0 ? null : round3((today.volume - previous.volume) / previous.volume),
      negativeShare: round3(today.negativeShare - previous.negativeShare),
    },
    series,
    topTopics: topicRows.map((r) => ({ topic: r.topic, count: Number(r.n), negativeShare: negativeShare(Number(r.neg), Number(r.n)) })),
    topTerms: termRows.map((r) => ({ term: r.term, count: Number(r.n) })),
    topSources: sourceRows.map((r) => ({ name: r.name, count: Number(r.n) })),
    bursts,
    flagged,
    responses,
    awaitingResponse,
    incidents,
  };
}

export function summarise(b: DailyBriefing): DailySummary {
  const missedResponses = b.awaitingResponse.filter((f) => f.outcome === 'missed_unmet').length;
  const dir = b.change.volume > 0 ? `增加${b.change.volume}条` : b.change.volume < 0 ? `减少${-b.change.volume}条` : '持平';
  const share = `${(Math.round(b.negativeShare * 1000) / 10).toFixed(1)}%`;
  const headline =
    `${b.date} 舆情 ${b.volume} 条，较前日${dir}；负面占比 ${share}` +
    (b.bursts.length ? `；突增 ${b.bursts.length} 次` : '') +
    (b.responses.rumors ? `；新标注谣言 ${b.responses.rumors} 条` : '') +
    (missedResponses ? `；${missedResponses} 条超时未回应` : '');
  return {
    date: b.date,
    volume: b.volume,
    negativeShare: b.negativeShare,
    volumeChange: b.change.volume,
    negativeShareChange: b.change.negativeShare,
    topTopics: b.topTopics.slice(0, 5).map((t) => t.topic),
    bursts: b.bursts.length,
    rumors: b.responses.rumors,
    flagged: b.responses.flagged,
    awaitingResponse: b.awaitingResponse.length,
    missedResponses,
    headline,
  };
}

/** On demand, for analysts and leaders. */
export async function dailyBriefingFor(ctx: AppContext, actor: Actor, date: string): Promise<DailyBriefing> {
  requireRole(actor, 'analyst', 'leader');
  const briefing = await dailyBriefing(ctx.db, date, ctx.clock.now());
  if (actor.coordinating) return briefing;
  // Opinion figures are the city's; what names an incident is shown only to those who may see it.
  const mentioned = [
    ...briefing.incidents.map((i) => Number(i.id)),
    ...[...briefing.flagged, ...briefing.awaitingResponse].map((f) => Number(f.incidentId)).filter(Boolean),
    ...briefing.bursts.map((b) => Number(b.incidentId)).filter(Boolean),
  ];
  const visible = new Set((await visibleIncidentIds(ctx, actor, [...new Set(mentioned)])).map(String));
  const hide = (f: FlaggedItem): FlaggedItem => (f.incidentId && !visible.has(f.incidentId) ? { ...f, incidentId: null, incidentTitle: null } : f);
  return {
    ...briefing,
    incidents: briefing.incidents.filter((i) => visible.has(i.id)),
    flagged: briefing.flagged.map(hide),
    awaitingResponse: briefing.awaitingResponse.map(hide),
    bursts: briefing.bursts.filter((b) => !b.incidentId || visible.has(b.incidentId)),
  };
}

async function pendingDailyTimers(db: Reader, exceptId?: number) {
  let q = db.selectFrom('timers').select(['id', 'run_at']).where('kind', '=', TIMER_DAILY_BRIEFING).where('fired_at', 'is', null);
  if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
  return q.execute();
}

/** When the next morning's briefing is due (null if no timer is set: the lead wires ensureDailyBriefingTimer at boot). */
export async function nextRunAt(db: Reader): Promise<string | null> {
  const timers = await pendingDailyTimers(db);
  if (timers.length === 0) return null;
  return new Date(Math.min(...timers.map((t) => t.run_at.getTime()))).toISOString();
}

/**
 * Makes sure the next morning's briefing has a timer (call at boot, and after changing the time of day). A timer
 * already due (the process was down at its time) is left alone so it fires; a future one at another time of day is
 * moved to the new time.
 */
export async function ensureDailyBriefingTimer(db: Database | Tx, now: Date, atLocalTime: string, opts: { exceptTimerId?: number } = {}): Promise<Date> {
  const next = nextLocalTime(now, atLocalTime);
  const pending = await pendingDailyTimers(db, opts.exceptTimerId);
  if (pending.some((t) => t.run_at.getTime() <= now.getTime() || t.run_at.getTime() === next.getTime())) {
    return pending.reduce((a, t) => (t.run_at < a ? t.run_at : a), pending[0].run_at);
  }
  const payload = JSON.stringify({ at: atLocalTime, date: addLocalDays(localDate(next), -1) });
  if (pending.length) {
    // One timer only: move the first, drop any others.
    await db.updateTable('timers').set({ run_at: next, payload }).where('id', '=', pending[0].id).execute();
    if (pending.length > 1) await db.deleteFrom('timers').where('id', 'in', pending.slice(1).map((t) => t.id)).execute();
  } else {
    await db.insertInto('timers').values({ kind: TIMER_DAILY_BRIEFING, ref_id: 0, run_at: next, payload, created_at: now }).execute();
  }
  return next;
}

/**
 * Timer: the morning briefing. Reports the last complete Beijing day before now (after an outage, the most recent
 * one, not a backlog), stores it as a `report.daily` event for analysts and leaders, and schedules tomorrow's.
 */
export async function onDailyBriefingTimer(ctx: AppContext, tx: Tx, record: RecordEvent, timer: Pick<TimerRow, 'id'>): Promise<void> {
  const now = ctx.clock.now();
  const date = addLocalDays(localDate(now), -1);
  const briefing = await dailyBriefing(tx, date, now);
  record({
    type: DAILY_EVENT,
    isPublic: false,
    userIds: await opinionWatchers(tx),
    payload: { date, summary: summarise(briefing), url: `/api/reports/daily?date=${date}&format=html` },
  });
  const settings = await dailyBriefingSettings(tx);
  await ensureDailyBriefingTimer(tx, now, settings.at, { exceptTimerId: timer.id });
}

/** Changes the time of day (admin); the pending timer moves with it. */
export async function saveDailyBriefingSettings(ctx: AppContext, actor: Actor, settings: DailySettings): Promise<DailySettings & { nextRunAt: string }> {
  requireRole(actor, 'admin');
  return transact(ctx, async (tx, record) => {
    const now = ctx.clock.now();
    const value = JSON.stringify(settings);
    await tx
      .insertInto('settings')
      .values({ key: SETTINGS_KEY, value, updated_at: now })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now }))
      .execute();
    const nextRunAt = await ensureDailyBriefingTimer(tx, now, settings.at);
    record({ type: DAILY_SETTINGS_EVENT, actorId: actor.id, userIds: await opinionWatchers(tx), payload: { daily: settings, by: actor.name } });
    return { ...settings, nextRunAt: nextRunAt.toISOString() };
  });
}
