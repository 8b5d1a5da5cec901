// The daily public-opinion briefing: exact figures for a scripted Beijing day, on demand and from the morning timer
// (which fires once, stores a `report.daily` event for analysts and leaders, and schedules the next morning).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { chemicalPlant, dbKind, startHarness, type Harness } from '../support/harness.ts';
import { sessionMiddleware } from '../../server/auth/routes.ts';
import { DomainError, type ErrorCode } from '../../server/errors.ts';
import type { AppEnv } from '../../server/http/types.ts';
import { Scheduler } from '../../server/scheduler/scheduler.ts';
import { timerHandlers } from '../../server/scheduler/handlers.ts';
import { reportRoutes } from '../../server/reports/routes.ts';
import { TIMER_DAILY_BRIEFING, ensureDailyBriefingTimer, onDailyBriefingTimer } from '../../server/reports/daily.ts';

const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  invalid_state: 422,
  rate_limited: 429,
};

function mountReports(h: Harness) {
  const app = new Hono<AppEnv>();
  app.use('/api/*', sessionMiddleware(h.beacon.ctx));
  app.route('/', reportRoutes(h.beacon.ctx));
  app.onError((err, c) => {
    if (err instanceof DomainError) return c.json({ error: { code: err.code, message: err.message, ...(err.field && { field: err.field }) } }, STATUS[err.code]);
    throw err;
  });
  const cookies = new Map<string, string>();
  return async (method: string, path: string, as?: string, body?: unknown) => {
    const headers: Record<string, string> = {};
    if (as) {
      if (!cookies.has(as)) cookies.set(as, await h.login(as));
      headers.cookie = cookies.get(as)!;
    }
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await app.request(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, text, body: (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text };
  };
}

let h: Harness;
let call: ReturnType<typeof mountReports>;
let scheduler: Scheduler;
let incidentId = '';
const item: Record<string, number> = {};
const CHECKLIST = { noStateSecrets: true, noPersonalPrivacy: true, figuresVerified: true };

const at = (iso: string) => h.clock.set(iso);
const post = async (path: string, as: string, body: unknown = {}) => {
  const res = await h.api('POST', path, { as, body });
  if (res.status >= 300) throw new Error(`${path} as ${as}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
};

type Sentiment = 'negative' | 'neutral' | 'positive';
async function addItem(key: string, sourceId: number, fetchedAt: string, sentiment: Sentiment, topics: string[], tokens: string[], linked: boolean, title = `条目 ${key}`) {
  const row = await h.beacon.ctx.db
    .insertInto('opinion_items')
    .values({
      source_id: sourceId,
      title,
      content: `${title} 内容`,
      url: `https://weibo.example/${key}`,
      fetched_at: fetchedAt,
      published_at: fetchedAt,
      language: 'zh',
      sentiment_label: sentiment,
      sentiment_score: sentiment === 'negative' ? -0.5 : sentiment === 'positive' ? 0.5 : 0,
      topics,
      matched: '[]',
      tokens,
      incident_id: linked ? Number(incidentId) : null,
      status: 'new',
      content_hash: key,
      simhash: '0',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  item[key] = row.id;
}

// Beijing day 2026-11-22 is [2026-11-21T16:00Z, 2026-11-22T16:00Z); the day before is [11-20T16:00Z, 11-21T16:00Z).
beforeAll(async () => {
  h = await startHarness({ start: '2026-11-22T01:00:00Z' });
  call = mountReports(h);
  scheduler = new Scheduler(h.beacon.ctx, { ...timerHandlers, [TIMER_DAILY_BRIEFING]: onDailyBriefingTimer });
  incidentId = (await post('/api/incidents', 'duty', chemicalPlant(h.city, '2026-11-22T00:30:00Z'))).incident.id;
  const source = await h.beacon.ctx.db
    .insertInto('opinion_sources')
    .values({ name: '微博', kind: 'manual', enabled: true, poll_seconds: 300, created_at: '2026-11-19T00:00:00Z' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const s = source.id;
  // An old item flagged three days earlier and never answered (its 48-hour clock missed).
  await addItem('i0', s, '2026-11-19T02:00:00Z', 'negative', ['交通'], ['道路'], false);
  // The day before: 5 items, 1 negative (20%). Its first instant is in, its last ms is in.
  await addItem('p1', s, '2026-11-20T16:00:00Z', 'neutral', ['交通'], ['道路'], false);
  await addItem('p2', s, '2026-11-21T02:00:00Z', 'negative', ['交通'], ['拥堵'], false);
  await addItem('p3', s, '2026-11-21T05:00:00Z', 'neutral', ['交通'], ['道路'], false);
  await addItem('p4', s, '2026-11-21T09:00:00Z', 'positive', [], [], false);
  await addItem('p5', s, '2026-11-21T15:59:59.999Z', 'neutral', [], [], false);
  // The day: 10 items, 4 negative (40%).
  await addItem('i1', s, '2026-11-21T16:00:00Z', 'neutral', ['交通'], ['道路', '拥堵'], false);
  await addItem('i2', s, '2026-11-22T00:40:00Z', 'negative', ['化工园区'], ['爆炸', '化工', '气味'], true);
  await addItem('i3', s, '2026-11-22T00:50:00Z', 'negative', ['化工园区'], ['爆炸', '气味'], true);
  await addItem('i4', s, '2026-11-22T01:10:00Z', 'negative', ['化工园区', '环境'], ['气味', '刺鼻'], true);
  await addItem('i5', s, '2026-11-22T01:20:00Z', 'neutral', ['化工园区'], ['爆炸'], true);
  await addItem('i6', s, '2026-11-22T02:05:00Z', 'neutral', ['化工园区'], ['爆炸', '救援'], true);
  await addItem('i7', s, '2026-11-22T03:00:00Z', 'negative', ['环境'], ['气味'], false, '网传<b>化工厂</b>毒气泄漏');
  await addItem('i8', s, '2026-11-22T05:00:00Z', 'neutral', ['交通'], ['拥堵'], false);
  await addItem('i9', s, '2026-11-22T08:00:00Z', 'positive', ['化工园区'], ['救援', '感谢'], true);
  await addItem('i10', s, '2026-11-22T15:59:59.999Z', 'neutral', ['交通'], ['道路'], false);
  // The next day's first instant: not in.
  await addItem('n1', s, '2026-11-22T16:00:00Z', 'negative', ['化工园区'], ['爆炸'], true);

  const burst = (bucketStart: string) => ({
    key: `incident:${incidentId}`,
    label: '城东化工园区储罐爆炸',
    incident_id: Number(incidentId),
    bucket_start: bucketStart,
    count: 3,
    z: 4.2,
    top_terms: JSON.stringify([{ term: '爆炸', count: 3 }]),
    top_sources: JSON.stringify([{ name: '微博', count: 3 }]),
    sentiment_mix: JSON.stringify({ negative: 2, neutral: 1, positive: 0 }),
    created_at: bucketStart,
  });
  await h.beacon.ctx.db.insertInto('opinion_bursts').values([burst('2026-11-22T01:00:00Z'), burst('2026-11-22T16:10:00Z')]).execute();

  // Flagging, through the analysts' triage.
  at('2026-11-19T03:00:00Z');
  await post(`/api/opinion/items/${item.i0}/triage`, 'cy.analyst', { status: 'needs_response', departmentId: h.city.depts.police });
  at('2026-11-22T03:30:00Z');
  await post(`/api/opinion/items/${item.i7}/triage`, 'cy.analyst', { status: 'rumor', incidentId });
  at('2026-11-22T04:00:00Z');
  await post(`/api/opinion/items/${item.i4}/triage`, 'cy.analyst', { status: 'needs_response', incidentId });
  // A clarification answering i4 in time.
  const rel = (await post(`/api/incidents/${incidentId}/releases`, 'spokes', { kind: 'clarification', title: '关于网传气味问题的说明', body: '经监测，空气质量正常。', opinionItemIds: [String(item.i4)] })).release;
  await post(`/api/releases/${rel.id}/submit`, 'spokes');
  await post(`/api/releases/${rel.id}/approve`, 'em.leader', { version: 1, checklist: CHECKLIST });
  at('2026-11-22T06:00:00Z');
  await post(`/api/releases/${rel.id}/publish`, 'spokes');
});
afterAll(async () => {
  await scheduler?.stop();
  await h?.close();
});

describe(`daily public-opinion briefing on ${dbKind}`, () => {
  it('gives the day\'s figures against the day before, topics, terms, bursts, and response status', async () => {
    at('2026-11-22T23:00:00Z');
    const res = await call('GET', '/api/reports/daily?date=2026-11-22', 'cy.analyst');
    expect(res.status).toBe(200);
    const b = res.body;
    expect(b).toMatchObject({ date: '2026-11-22', from: '2026-11-21T16:00:00.000Z', to: '2026-11-22T16:00:00.000Z', complete: true });
    expect([b.volume, b.negativeShare, b.sentiment]).toEqual([10, 0.4, { negative: 4, neutral: 5, positive: 1 }]);
    expect(b.previous).toEqual({ date: '2026-11-21', volume: 5, negativeShare: 0.2 });
    expect(b.change).toEqual({ volume: 5, volumePercent: 1, negativeShare: 0.2 });
    expect(b.series).toHaveLength(24);
    expect(b.series[0]).toEqual({ t: '2026-11-21T16:00:00.000Z', total: 1, negative: 0 });
    expect(b.series[8]).toEqual({ t: '2026-11-22T00:00:00.000Z', total: 2, negative: 2 });
    expect(b.series.reduce((n: number, s: any) => n + s.total, 0)).toBe(10);
    expect(b.topTopics).toEqual([
      { topic: '化工园区', count: 6, negativeShare: 0.5 },
      { topic: '交通', count: 3, negativeShare: 0 },
      { topic: '环境', count: 2, negativeShare: 1 },
    ]);
    expect(b.topTerms.slice(0, 2).map((t: any) => t.count)).toEqual([4, 4]);
    expect(b.topTerms.slice(0, 2).map((t: any) => t.term).sort()).toEqual(['气味', '爆炸'].sort());
    expect(b.topSources).toEqual([{ name: '微博', count: 10 }]);
    expect(b.bursts.map((x: any) => x.bucketStart)).toEqual(['2026-11-22T01:00:00.000Z']);

    expect(b.flagged.map((f: any) => [f.itemId, f.itemStatus, f.flaggedAt, f.dueAt, f.outcome])).toEqual([
      [String(item.i7), 'rumor', '2026-11-22T03:30:00.000Z', '2026-11-24T03:30:00.000Z', 'pending'],
      [String(item.i4), 'needs_response', '2026-11-22T04:00:00.000Z', '2026-11-24T04:00:00.000Z', 'met_on_time'],
    ]);
    expect(b.flagged[1].metAt).toBe('2026-11-22T06:00:00.000Z');
    expect(b.responses).toEqual({ flagged: 2, rumors: 1, metOnTime: 1, metLate: 0, pending: 1, missed: 0, waived: 0 });
    expect(b.awaitingResponse.map((f: any) => [f.itemId, f.outcome, f.department])).toEqual([
      [String(item.i0), 'missed_unmet', '市公安局'],
      [String(item.i7), 'pending', '市应急管理局'],
    ]);
    expect(b.incidents).toEqual([
      {
        id: incidentId,
        title: '城东化工园区储罐爆炸',
        severity: 'II',
        status: 'open',
        leadDepartment: '市应急管理局',
        volume: 7, // i2–i6, i9, and i7 once linked by triage
        negativeShare: 0.571,
        bursts: 1,
        flagged: 2,
        openClocks: 3, // press conference, follow-up, the rumor's response clock
      },
    ]);
  });

  it('as HTML is a printable page with the figures and escaped content', async () => {
    const res = await call('GET', '/api/reports/daily?date=2026-11-22&format=html', 'leader');
    expect(res.status).toBe(200);
    const html = res.text;
    expect(html).toContain('舆情日报');
    expect(html).toContain('2026年11月22日');
    expect(html).toContain('40.0%');
    expect(html).toContain('+20.0个百分点');
    expect(html).toContain('化工园区');
    expect(html).toContain('网传&lt;b&gt;化工厂&lt;/b&gt;毒气泄漏');
    expect(html).not.toContain('<b>化工厂');
    expect(html).toMatch(/<svg class="chart"/);
    expect(html).not.toMatch(/<script/);
  });

  it('defaults to today so far; refuses others, bad dates and CSV', async () => {
    at('2026-11-22T23:00:00Z'); // 07:00 on the 23rd in Beijing
    const today = await call('GET', '/api/reports/daily', 'leader');
    expect([today.body.date, today.body.complete]).toEqual(['2026-11-23', false]);
    expect((await call('GET', '/api/reports/daily?date=2026-11-22', 'spokes')).status).toBe(403);
    expect((await call('GET', '/api/reports/daily?date=2026-11-22', 'duty')).status).toBe(403);
    expect((await call('GET', '/api/reports/daily?date=2026-11-22')).status).toBe(401);
    for (const date of ['2026-02-30', '2026-11-22T00:00:00Z', 'yesterday']) {
      const bad = await call('GET', `/api/reports/daily?date=${date}`, 'leader');
      expect(bad.status).toBe(400);
      expect(bad.body.error.field).toBe('date');
    }
    expect((await call('GET', '/api/reports/daily?date=2026-11-22&format=csv', 'leader')).body.error.field).toBe('format');
  });

  it('is generated once at 07:30 Beijing time by the timer, stored for analysts and leaders, and rescheduled', async () => {
    const db = h.beacon.ctx.db;
    at('2026-11-22T23:00:00Z');
    const first = await ensureDailyBriefingTimer(db, h.clock.now(), '07:30');
    expect(first.toISOString()).toBe('2026-11-22T23:30:00.000Z');
    await ensureDailyBriefingTimer(db, h.clock.now(), '07:30'); // idempotent
    const pending = () => db.selectFrom('timers').select(['run_at']).where('kind', '=', TIMER_DAILY_BRIEFING).where('fired_at', 'is', null).execute();
    expect((await pending()).map((t) => t.run_at.toISOString())).toEqual(['2026-11-22T23:30:00.000Z']);
    const briefings = () => db.selectFrom('events').selectAll().where('type', '=', 'report.daily').orderBy('id').execute();

    at('2026-11-22T23:29:59Z');
    await scheduler.runDue();
    expect(await briefings()).toHaveLength(0);
    at('2026-11-22T23:30:00Z');
    await scheduler.runDue();
    await scheduler.runDue();
    const stored = await briefings();
    expect(stored).toHaveLength(1);
    expect(stored[0].is_public).toBe(false);
    const u = h.city.users;
    expect([...stored[0].user_ids].sort((a, b) => a - b)).toEqual([u.leader, u['em.leader'], u['he.leader'], u['po.analyst'], u['cy.analyst']].map(Number).sort((a, b) => a - b));
    const payload = stored[0].payload as any;
    expect(payload.date).toBe('2026-11-22');
    expect(payload.summary).toMatchObject({
      date: '2026-11-22',
      volume: 10,
      negativeShare: 0.4,
      volumeChange: 5,
      negativeShareChange: 0.2,
      topTopics: ['化工园区', '交通', '环境'],
      bursts: 1,
      rumors: 1,
      flagged: 2,
      awaitingResponse: 2,
      missedResponses: 1,
    });
    expect(payload.summary.headline).toContain('较前日增加5条');
    expect((await pending()).map((t) => t.run_at.toISOString())).toEqual(['2026-11-23T23:30:00.000Z']);

    // Analysts and leaders get it through the event feed; a spokesperson does not.
    const feed = async (who: string) => (await h.api('GET', '/api/events?after=0&limit=5000', { as: who })).body.events.filter((e: any) => e.type === 'report.daily');
    expect(await feed('po.analyst')).toHaveLength(1);
    expect(await feed('spokes')).toHaveLength(0);
  });

  it('lets an admin move the time of day; the pending timer moves; after an outage it reports the latest day once', async () => {
    at('2026-11-22T23:40:00Z');
    expect((await call('PUT', '/api/reports/daily/settings', 'leader', { at: '06:00' })).status).toBe(403);
    const bad = await call('PUT', '/api/reports/daily/settings', 'admin', { at: '25:00' });
    expect([bad.status, bad.body.error.field]).toEqual([400, 'at']);
    const saved = await call('PUT', '/api/reports/daily/settings', 'admin', { at: '06:00' });
    expect(saved.status).toBe(200);
    expect(saved.body.settings).toEqual({ at: '06:00', nextRunAt: '2026-11-23T22:00:00.000Z' });
    expect((await call('GET', '/api/reports/daily/settings', 'po.analyst')).body.settings).toEqual({ at: '06:00', nextRunAt: '2026-11-23T22:00:00.000Z' });
    const db = h.beacon.ctx.db;
    const pending = await db.selectFrom('timers').select('run_at').where('kind', '=', TIMER_DAILY_BRIEFING).where('fired_at', 'is', null).execute();
    expect(pending.map((t) => t.run_at.toISOString())).toEqual(['2026-11-23T22:00:00.000Z']);

    // Down from before the 24th's 06:00 until 11:00 on the 25th: one briefing, of the 24th, then the 26th at 06:00.
    at('2026-11-25T03:00:00Z');
    await scheduler.runDue();
    const stored = await db.selectFrom('events').select('payload').where('type', '=', 'report.daily').orderBy('id').execute();
    expect(stored.map((e) => (e.payload as any).date)).toEqual(['2026-11-22', '2026-11-24']);
    const next = await db.selectFrom('timers').select('run_at').where('kind', '=', TIMER_DAILY_BRIEFING).where('fired_at', 'is', null).execute();
    expect(next.map((t) => t.run_at.toISOString())).toEqual(['2026-11-25T22:00:00.000Z']);
  });
});
