// A scripted incident day with known timings: the after-action report and the compliance report must give exactly
// the expected numbers (margins to the second, counts, medians, the breach list), as JSON, HTML and CSV.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { parse as parseCsv } from 'csv-parse/sync';
import { chemicalPlant, dbKind, startHarness, type Harness } from '../support/harness.ts';
import { sessionMiddleware } from '../../server/auth/routes.ts';
import { DomainError, type ErrorCode } from '../../server/errors.ts';
import type { AppEnv } from '../../server/http/types.ts';
import { reportRoutes } from '../../server/reports/routes.ts';

const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  invalid_state: 422,
  rate_limited: 429,
};

/** The report routes mounted as app.ts mounts a feature: session middleware first, errors mapped. */
function mountReports(h: Harness) {
  const app = new Hono<AppEnv>();
  app.use('/api/*', sessionMiddleware(h.beacon.ctx));
  app.route('/', reportRoutes(h.beacon.ctx));
  app.onError((err, c) => {
    if (err instanceof DomainError) return c.json({ error: { code: err.code, message: err.message, ...(err.field && { field: err.field }) } }, STATUS[err.code]);
    throw err;
  });
  const cookies = new Map<string, string>();
  return async (path: string, as?: string) => {
    const headers: Record<string, string> = {};
    if (as) {
      if (!cookies.has(as)) cookies.set(as, await h.login(as));
      headers.cookie = cookies.get(as)!;
    }
    const res = await app.request(path, { headers });
    // Keep a byte-order mark visible (Response.text() would drop it).
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
    let body: any = text;
    if ((res.headers.get('content-type') ?? '').includes('json')) body = JSON.parse(text);
    return { status: res.status, body, text, headers: res.headers };
  };
}

let h: Harness;
let get: ReturnType<typeof mountReports>;
const CHECKLIST = { noStateSecrets: true, noPersonalPrivacy: true, figuresVerified: true };
const ids = { A: '', B: '', C: '', D: '' };

const at = (iso: string) => h.clock.set(iso);
const post = async (path: string, as: string, body: unknown = {}) => {
  const res = await h.api('POST', path, { as, body });
  if (res.status >= 300) throw new Error(`${path} as ${as}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
};

async function logIncident(occurredAt: string, extra: Record<string, unknown>) {
  return (await post('/api/incidents', 'duty', chemicalPlant(h.city, occurredAt, extra))).incident.id as string;
}
async function draftAndSubmit(incidentId: string, title: string) {
  const rel = (await post(`/api/incidents/${incidentId}/releases`, 'spokes', { kind: 'initial', title, body: `${title}。正文。` })).release;
  await post(`/api/releases/${rel.id}/submit`, 'spokes');
  return rel.id as string;
}

async function insertTask(incidentId: string, t: { dept: number; title: string; created: string; acked?: string; done?: string; due?: string }) {
  await h.beacon.ctx.db
    .insertInto('tasks')
    .values({
      incident_id: Number(incidentId),
      department_id: t.dept,
      title: t.title,
      detail: '',
      status: t.done ? 'done' : t.acked ? 'acked' : 'open',
      due_at: t.due ?? null,
      created_by: Number(h.city.users.duty),
      created_at: t.created,
      acked_at: t.acked ?? null,
      done_at: t.done ?? null,
      version: 1,
    })
    .execute();
}

async function insertOpinion(incidentId: string, items: [fetchedAt: string, sentiment: 'negative' | 'neutral' | 'positive'][]) {
  const db = h.beacon.ctx.db;
  const source = await db
    .insertInto('opinion_sources')
    .values({ name: `12345热线-${incidentId}`, kind: 'manual', enabled: true, poll_seconds: 300, created_at: '2026-11-22T00:00:00Z' })
    .returning('id')
    .executeTakeFirstOrThrow();
  let n = 0;
  for (const [fetchedAt, sentiment] of items) {
    n++;
    await db
      .insertInto('opinion_items')
      .values({
        source_id: source.id,
        title: `来电 ${n}`,
        content: `市民反映化工园区爆炸情况 ${n}`,
        fetched_at: fetchedAt,
        published_at: fetchedAt,
        language: 'zh',
        sentiment_label: sentiment,
        sentiment_score: sentiment === 'negative' ? -0.6 : sentiment === 'positive' ? 0.6 : 0,
        topics: ['化工园区'],
        matched: '[]',
        tokens: ['化工', '爆炸'],
        incident_id: Number(incidentId),
        status: 'relevant',
        content_hash: `${incidentId}-${n}`,
        simhash: '0',
      })
      .execute();
  }
}

// The script. All instants UTC; Beijing is +8 h.
//   A 市应急管理局  occurred 02:10:00, logged 02:40:00; first release published 06:55:30 (due 07:10:00: +870 s);
//                  press conference held next day 03:00:00 (due 02:10:00: −3000 s, missed with metAt);
//                  follow-up due next day 06:55:30 (pending at report time).
//   D 市应急管理局  occurred 03:00:00; first release 06:00:00 (3 h, due 08:00: +7200 s); conference held next day 01:00.
//   B 市卫生健康委  occurred 04:00:00; no release ever (first_release missed, unmet); no conference (missed, unmet).
//   C 市公安局      occurred 04:20:00; first_release waived by a leader; conference held next day 02:00 (+8400 s).
// Reports are read at 2026-11-23T05:00:00Z.
beforeAll(async () => {
  h = await startHarness({ start: '2026-11-22T02:40:00Z' });
  get = mountReports(h);
  const { depts } = h.city;

  at('2026-11-22T02:40:00Z');
  ids.A = await logIncident('2026-11-22T02:10:00Z', {});
  at('2026-11-22T03:05:00Z');
  ids.D = await logIncident('2026-11-22T03:00:00Z', { title: '城西物流仓库火灾', location: '城西物流园', keywords: ['仓库', '火灾'] });
  at('2026-11-22T04:10:00Z');
  ids.B = await logIncident('2026-11-22T04:00:00Z', {
    title: '某小区集体食物中毒 <script>alert(1)</script>',
    category: 'public_health',
    leadDepartmentId: depts.health,
    keywords: ['中毒'],
  });
  at('2026-11-22T04:30:00Z');
  ids.C = await logIncident('2026-11-22T04:20:00Z', { title: '地铁站踩踏', category: 'social_security', leadDepartmentId: depts.police, keywords: ['踩踏'] });
  at('2026-11-22T04:40:00Z');
  const cFirst = (await h.api('GET', `/api/incidents/${ids.C}`, { as: 'leader' })).body.incident.deadlines.find((d: any) => d.kind === 'first_release');
  await post(`/api/deadlines/${cFirst.id}/waive`, 'leader', { reason: '由省级部门统一发布' });

  at('2026-11-22T05:00:00Z');
  const relA = await draftAndSubmit(ids.A, '关于城东化工园区储罐爆炸事故的情况通报');
  at('2026-11-22T05:10:00Z');
  const relD = await draftAndSubmit(ids.D, '关于城西物流仓库火灾的情况通报');
  at('2026-11-22T05:50:00Z');
  await post(`/api/releases/${relD}/approve`, 'em.leader', { version: 1, checklist: CHECKLIST });
  at('2026-11-22T06:00:00Z');
  await post(`/api/releases/${relD}/publish`, 'spokes');
  at('2026-11-22T06:40:00Z');
  await post(`/api/releases/${relA}/approve`, 'em.leader', { version: 1, checklist: CHECKLIST, comment: '同意' });
  at('2026-11-22T06:55:30Z');
  await post(`/api/releases/${relA}/publish`, 'spokes');

  at('2026-11-22T09:00:00Z');
  await h.beacon.scheduler.runDue(); // B's first release falls due unmet
  at('2026-11-22T10:00:00Z');
  const confA = (await post(`/api/incidents/${ids.A}/conferences`, 'spokes', { scheduledAt: '2026-11-23T01:30:00Z', venue: '市政府新闻发布厅' })).conference;
  const confD = (await post(`/api/incidents/${ids.D}/conferences`, 'spokes', { scheduledAt: '2026-11-23T01:00:00Z', venue: '城西区政府会议室' })).conference;
  const confC = (await post(`/api/incidents/${ids.C}/conferences`, 'spokes', { scheduledAt: '2026-11-23T02:00:00Z', venue: '市公安局' })).conference;

  at('2026-11-23T01:00:00Z');
  await post(`/api/conferences/${confD.id}/hold`, 'spokes', { summary: '通报火灾处置情况' });
  at('2026-11-23T02:00:00Z');
  await post(`/api/conferences/${confC.id}/hold`, 'spokes', {});
  at('2026-11-23T02:30:00Z');
  await h.beacon.scheduler.runDue(); // A's press conference clock (due 02:10) is missed
  at('2026-11-23T03:00:00Z');
  await post(`/api/conferences/${confA.id}/hold`, 'spokes', { summary: '通报伤亡与救治' });

  await insertTask(ids.A, { dept: Number(depts.health), title: '核实伤亡人数', created: '2026-11-22T03:00:00Z', acked: '2026-11-22T03:12:30Z', done: '2026-11-22T05:00:00Z', due: '2026-11-22T04:30:00Z' });
  await insertTask(ids.A, { dept: Number(depts.publicity), title: '=HYPERLINK("http://evil.example","准备发布会口径")', created: '2026-11-22T03:30:00Z', acked: '2026-11-22T03:31:05Z', done: '2026-11-22T20:00:00Z', due: '2026-11-23T01:00:00Z' });
  await insertTask(ids.A, { dept: Number(depts.health), title: '回应网传"封路"说法', created: '2026-11-22T08:00:00Z', due: '2026-11-22T10:00:00Z' });

  await insertOpinion(ids.A, [
    // before the release (window 00:55:30–06:55:30): 6 items, 4 negative
    ['2026-11-22T03:20:00Z', 'negative'],
    ['2026-11-22T03:40:00Z', 'negative'],
    ['2026-11-22T04:10:00Z', 'negative'],
    ['2026-11-22T05:30:00Z', 'neutral'],
    ['2026-11-22T06:20:00Z', 'negative'],
    ['2026-11-22T06:50:00Z', 'positive'],
    // after (06:55:30–12:55:30): 4 items, 1 negative
    ['2026-11-22T07:30:00Z', 'negative'],
    ['2026-11-22T08:15:00Z', 'neutral'],
    ['2026-11-22T09:40:00Z', 'neutral'],
    ['2026-11-22T12:00:00Z', 'positive'],
    // outside both windows
    ['2026-11-22T13:30:00Z', 'neutral'],
  ]);

  at('2026-11-23T05:00:00Z');
  await h.beacon.scheduler.runDue();
});
afterAll(() => h?.close());

describe(`after-action report on ${dbKind}`, () => {
  it('gives each clock its due, met and margin to the second', async () => {
    const res = await get(`/api/reports/incidents/${ids.A}`, 'em.leader');
    expect(res.status).toBe(200);
    const r = res.body;
    expect(r.generatedAt).toBe('2026-11-23T05:00:00.000Z');
    expect(r.incident).toMatchObject({ id: ids.A, occurredAt: '2026-11-22T02:10:00.000Z', reportedAt: '2026-11-22T02:40:00.000Z', leadDepartmentName: '市应急管理局' });
    expect(r.firstReleaseSeconds).toBe(4 * 3600 + 45 * 60 + 30); // 17130
    const byKind = Object.fromEntries(r.deadlines.map((d: any) => [d.kind, d]));
    expect(r.deadlines.map((d: any) => d.kind)).toEqual(['first_release', 'press_conference', 'follow_up']);
    expect(byKind.first_release).toMatchObject({
      dueAt: '2026-11-22T07:10:00.000Z',
      metAt: '2026-11-22T06:55:30.000Z',
      status: 'met',
      marginSeconds: 870,
      onTime: true,
      waivedReason: null,
    });
    expect(byKind.press_conference).toMatchObject({
      dueAt: '2026-11-23T02:10:00.000Z',
      metAt: '2026-11-23T03:00:00.000Z',
      status: 'missed',
      marginSeconds: -3000,
      onTime: false,
    });
    expect(byKind.follow_up).toMatchObject({ dueAt: '2026-11-23T06:55:30.000Z', metAt: null, status: 'pending', marginSeconds: null, onTime: null });
  });

  it('lists releases with submission, approvals and publication; conferences; tasks with acknowledgement times', async () => {
    const r = (await get(`/api/reports/incidents/${ids.A}`, 'em.leader')).body;
    expect(r.releases).toHaveLength(1);
    expect(r.releases[0]).toMatchObject({
      kind: 'initial',
      status: 'published',
      submittedAt: '2026-11-22T05:00:00.000Z',
      approvedAt: '2026-11-22T06:40:00.000Z',
      publishedAt: '2026-11-22T06:55:30.000Z',
      sinceOccurredSeconds: 17130,
      approvals: [{ by: 'em.leader', department: '市应急管理局', at: '2026-11-22T06:40:00.000Z', asCoordinating: false }],
    });
    expect(r.conferences).toEqual([
      expect.objectContaining({ status: 'held', scheduledAt: '2026-11-23T01:30:00.000Z', heldAt: '2026-11-23T03:00:00.000Z', venue: '市政府新闻发布厅', summary: '通报伤亡与救治' }),
    ]);
    expect(r.tasks.map((t: any) => [t.department, t.ackSeconds, t.overdue])).toEqual([
      ['市卫生健康委员会', 750, true], // done 05:00, due 04:30
      ['市委宣传部', 65, false],
      ['市卫生健康委员会', null, true], // never acknowledged, due 10:00
    ]);
    expect(r.tasks[0]).toMatchObject({ createdAt: '2026-11-22T03:00:00.000Z', ackedAt: '2026-11-22T03:12:30.000Z', doneAt: '2026-11-22T05:00:00.000Z', dueAt: '2026-11-22T04:30:00.000Z' });
  });

  it('shows the opinion curve by hour and the release effect over 6 h either side', async () => {
    const { opinion } = (await get(`/api/reports/incidents/${ids.A}`, 'em.leader')).body;
    expect(opinion.from).toBe('2026-11-22T02:00:00.000Z');
    expect(opinion.to).toBe('2026-11-23T06:00:00.000Z');
    expect(opinion.series).toHaveLength(28);
    expect(opinion.series[1]).toEqual({ t: '2026-11-22T03:00:00.000Z', total: 2, negative: 2, negativeShare: 1 });
    expect(opinion.series[4]).toEqual({ t: '2026-11-22T06:00:00.000Z', total: 2, negative: 1, negativeShare: 0.5 });
    expect([opinion.total, opinion.negative, opinion.negativeShare]).toEqual([11, 5, 0.455]);
    expect(opinion.releaseEffects).toHaveLength(1);
    expect(opinion.releaseEffects[0]).toMatchObject({
      publishedAt: '2026-11-22T06:55:30.000Z',
      windowHours: 6,
      before: { volume: 6, negativeShare: 0.667 },
      after: { volume: 4, negativeShare: 0.25 },
      afterComplete: true,
    });
  });

  it('merges the incident timeline in order, with who did what', async () => {
    const { timeline } = (await get(`/api/reports/incidents/${ids.A}`, 'em.leader')).body;
    const ats = timeline.map((t: any) => t.at);
    expect([...ats].sort()).toEqual(ats);
    expect(timeline[0]).toMatchObject({ at: '2026-11-22T02:40:00.000Z', type: 'incident.created', by: 'duty' });
    expect(timeline[0].text).toContain('城东化工园区储罐爆炸');
    expect(timeline).toContainEqual({ at: '2026-11-22T06:55:30.000Z', type: 'release.published', by: 'spokes', text: '正式发布：首次发布「关于城东化工园区储罐爆炸事故的情况通报」' });
    expect(timeline).toContainEqual({ at: '2026-11-23T03:00:00.000Z', type: 'deadline.met', by: null, text: '时限完成：新闻发布会（超时完成）' });
    expect(timeline.filter((t: any) => t.type === 'deadline.missed').map((t: any) => t.at)).toEqual(['2026-11-23T02:30:00.000Z']);
  });

  it('is a printable Chinese page with the key figures, the curve as inline SVG, and nothing unescaped', async () => {
    const res = await get(`/api/reports/incidents/${ids.A}?format=html`, 'em.leader');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = res.text;
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('@page{size:A4');
    expect(html).toContain('突发事件信息发布事后评估报告');
    expect(html).toContain('4小时45分30秒'); // time to first release
    expect(html).toContain('提前14分30秒');
    expect(html).toContain('+870秒');
    expect(html).toContain('超时50分');
    expect(html).toContain('-3000秒');
    expect(html).toContain('2026-11-22 14:55:30'); // published, Beijing time
    expect(html).toContain('北京时间 UTC+8');
    expect(html).toContain('用时 12分30秒'); // task acknowledgement
    expect(html).toContain('66.7%');
    expect(html).toContain('25.0%');
    expect(html).toMatch(/<svg class="chart"[^>]*>.*<rect /s);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\ssrc=|\shref=|@import|url\(/);
    expect(html).toContain('=HYPERLINK(&quot;http://evil.example&quot;,&quot;准备发布会口径&quot;)');
    expect(html).toContain('回应网传&quot;封路&quot;说法');
  });

  it('is a CSV with a BOM, one row per record and a section column, quoted correctly', async () => {
    const res = await get(`/api/reports/incidents/${ids.A}?format=csv`, 'em.leader');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toContain(`filename="incident-${ids.A}-report.csv"`);
    expect(res.headers.get('content-disposition')).toContain("filename*=UTF-8''");
    expect(res.text.charCodeAt(0)).toBe(0xfeff);
    const rows: Record<string, string>[] = parseCsv(res.text, { bom: true, columns: true });
    const section = (name: string) => rows.filter((r) => r['分节'] === name);
    expect(section('事件')).toHaveLength(1);
    expect(section('事件')[0]).toMatchObject({ 名称: '城东化工园区储罐爆炸', 部门: '市应急管理局', '开始时间（北京时间）': '2026-11-22 10:10:00', 秒数: '17130' });
    expect(section('时限').map((r) => [r['类别'], r['截止时间（北京时间）'], r['完成时间（北京时间）'], r['秒数'], r['是否按时']])).toEqual([
      ['first_release', '2026-11-22 15:10:00', '2026-11-22 14:55:30', '870', '是'],
      ['press_conference', '2026-11-23 10:10:00', '2026-11-23 11:00:00', '-3000', '否'],
      ['follow_up', '2026-11-23 14:55:30', '', '', ''],
    ]);
    expect(section('发布')).toHaveLength(1);
    expect(section('发布')[0]).toMatchObject({ '审核通过时间（北京时间）': '2026-11-22 14:40:00', '完成时间（北京时间）': '2026-11-22 14:55:30', 秒数: '17130' });
    expect(section('发布会')).toHaveLength(1);
    expect(section('任务').map((r) => [r['名称'], r['签收用时秒数'], r['是否按时']])).toEqual([
      ['核实伤亡人数', '750', '否'],
      // a formula-like title is neutralised with a leading apostrophe; quotes survive the CSV quoting
      [`'=HYPERLINK("http://evil.example","准备发布会口径")`, '65', '是'],
      ['回应网传"封路"说法', '', '否'],
    ]);
    expect(section('发布效果')[0]).toMatchObject({ 发布前声量: '6', 发布前负面占比: '0.667', 发布后声量: '4', 发布后负面占比: '0.25' });
    expect(section('舆情曲线')).toHaveLength(28);
    expect(section('舆情曲线')[1]).toMatchObject({ '开始时间（北京时间）': '2026-11-22 11:00:00', 声量: '2', 负面条数: '2' });
    expect(section('时间线').length).toBeGreaterThan(10);
  });

  it('is 404 for a department with no part in the incident, 401 signed out, 400 for an unknown format', async () => {
    expect((await get(`/api/reports/incidents/${ids.A}`, 'po.analyst')).status).toBe(404);
    expect((await get(`/api/reports/incidents/${ids.A}?format=csv`, 'po.analyst')).status).toBe(404);
    expect((await get(`/api/reports/incidents/999999`, 'leader')).status).toBe(404);
    expect((await get(`/api/reports/incidents/${ids.A}`)).status).toBe(401);
    const bad = await get(`/api/reports/incidents/${ids.A}?format=pdf`, 'em.leader');
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('format');
    // A department holding a task on the incident may read it; the coordinating office sees every incident.
    expect((await get(`/api/reports/incidents/${ids.A}`, 'he.leader')).status).toBe(200);
    expect((await get(`/api/reports/incidents/${ids.B}`, 'leader')).status).toBe(200);
  });
});

describe(`compliance report on ${dbKind}`, () => {
  const PERIOD = 'from=2026-11-22T00:00:00Z&to=2026-11-24T00:00:00Z';

  it('counts clocks per responsible department, the median time to first release and every breach', async () => {
    const res = await get(`/api/reports/compliance?${PERIOD}`, 'leader');
    expect(res.status).toBe(200);
    const r = res.body;
    expect(r).toMatchObject({ from: '2026-11-22T00:00:00.000Z', to: '2026-11-24T00:00:00.000Z', generatedAt: '2026-11-23T05:00:00.000Z', scope: 'all' });
    const dept = Object.fromEntries(r.departments.map((d: any) => [d.departmentName, d]));
    expect(Object.keys(dept)).toEqual(['市政府办公室', '市委宣传部', '市应急管理局', '市卫生健康委员会', '市公安局']);
    expect(dept['市应急管理局']).toMatchObject({
      due: 6, // A and D: first release, conference, follow-up
      metOnTime: 3,
      metLate: 1,
      missedUnmet: 0,
      waived: 0,
      pending: 2,
      onTimeRate: 0.75,
      firstReleases: 2,
      medianSecondsToFirstRelease: 13965, // median of 17130 (4h45m30s) and 10800 (3h00m00s)
    });
    expect(dept['市卫生健康委员会']).toMatchObject({ due: 2, metOnTime: 0, metLate: 0, missedUnmet: 2, waived: 0, pending: 0, onTimeRate: 0, firstReleases: 0, medianSecondsToFirstRelease: null });
    expect(dept['市公安局']).toMatchObject({ due: 2, metOnTime: 1, metLate: 0, missedUnmet: 0, waived: 1, pending: 0, onTimeRate: 1, firstReleases: 0, medianSecondsToFirstRelease: null });
    expect(dept['市政府办公室']).toMatchObject({ due: 0, onTimeRate: null, medianSecondsToFirstRelease: null });
    expect(r.totals).toEqual({ due: 10, metOnTime: 4, metLate: 1, missedUnmet: 2, waived: 1, pending: 2, onTimeRate: 0.571, firstReleases: 2, medianSecondsToFirstRelease: 13965 });
    expect(r.breaches.map((b: any) => [b.incidentId, b.kind, b.dueAt, b.metAt, b.lateBySeconds, b.stillUnmet, b.departmentName])).toEqual([
      [ids.B, 'first_release', '2026-11-22T09:00:00.000Z', null, 20 * 3600, true, '市卫生健康委员会'],
      [ids.A, 'press_conference', '2026-11-23T02:10:00.000Z', '2026-11-23T03:00:00.000Z', 3000, false, '市应急管理局'],
      [ids.B, 'press_conference', '2026-11-23T04:00:00.000Z', null, 3600, true, '市卫生健康委员会'],
    ]);
    expect(r.breaches[1].incidentTitle).toBe('城东化工园区储罐爆炸');
  });

  it('takes the period as [from, to): a clock due at `to` and a first release before `from` are out', async () => {
    const a = (await get('/api/reports/compliance?from=2026-11-22T06:00:00Z&to=2026-11-22T07:10:00Z', 'leader')).body;
    const emA = a.departments.find((d: any) => d.departmentName === '市应急管理局');
    expect([emA.due, emA.firstReleases, emA.medianSecondsToFirstRelease]).toEqual([0, 2, 13965]);
    const b = (await get('/api/reports/compliance?from=2026-11-22T06:00:00.001Z&to=2026-11-22T07:10:00.001Z', 'leader')).body;
    const emB = b.departments.find((d: any) => d.departmentName === '市应急管理局');
    expect([emB.due, emB.metOnTime, emB.firstReleases, emB.medianSecondsToFirstRelease]).toEqual([1, 1, 1, 17130]);
    // Local offsets are accepted: Beijing midnight is 16:00 UTC the day before.
    const c = (await get(`/api/reports/compliance?from=${encodeURIComponent('2026-11-22T08:00:00+08:00')}&to=${encodeURIComponent('2026-11-23T00:00:00+08:00')}`, 'leader')).body;
    expect(c.from).toBe('2026-11-22T00:00:00.000Z');
    expect(c.totals.due).toBe(4); // the four first-release clocks (07:10, 08:00, 09:00, 09:20)
  });

  it('gives a non-coordinating leader their own department only', async () => {
    const r = (await get(`/api/reports/compliance?${PERIOD}`, 'he.leader')).body;
    expect(r.scope).toBe('department');
    expect(r.departments.map((d: any) => d.departmentName)).toEqual(['市卫生健康委员会']);
    expect(r.breaches).toHaveLength(2);
    expect(r.totals.due).toBe(2);
  });

  it('is for leaders only, and names from/to when they are missing, invalid or out of order', async () => {
    expect((await get(`/api/reports/compliance?${PERIOD}`, 'spokes')).status).toBe(403);
    expect((await get(`/api/reports/compliance?${PERIOD}`, 'po.analyst')).status).toBe(403);
    expect((await get(`/api/reports/compliance?${PERIOD}`)).status).toBe(401);
    const cases: [string, string][] = [
      ['to=2026-11-24T00:00:00Z', 'from'],
      ['from=2026-11-22T00:00:00Z', 'to'],
      ['from=yesterday&to=2026-11-24T00:00:00Z', 'from'],
      ['from=2026-11-22T00:00:00Z&to=2026-13-40T00:00:00Z', 'to'],
      ['from=2026-11-24T00:00:00Z&to=2026-11-22T00:00:00Z', 'to'],
      ['from=2026-11-22T00:00:00Z&to=2026-11-22T00:00:00Z', 'to'],
    ];
    for (const [query, field] of cases) {
      const res = await get(`/api/reports/compliance?${query}`, 'leader');
      expect(res.status, query).toBe(400);
      expect(res.body.error.field, query).toBe(field);
    }
  });

  it('as HTML shows the figures and the breach list, escaped', async () => {
    const res = await get(`/api/reports/compliance?${PERIOD}&format=html`, 'leader');
    expect(res.status).toBe(200);
    const html = res.text;
    expect(html).toContain('信息发布时限执行情况通报');
    expect(html).toContain('3小时52分45秒'); // median 13965 s
    expect(html).toContain('超时通报名单');
    expect(html).toContain('某小区集体食物中毒 &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script');
    expect(html).toContain('20小时');
    expect(html).toContain('72000秒');
    expect(html).toContain('57.1%');
  });

  it('as CSV has one row per department, a total and one row per breach', async () => {
    const res = await get(`/api/reports/compliance?${PERIOD}&format=csv`, 'leader');
    expect(res.status).toBe(200);
    expect(res.text.startsWith('\uFEFF')).toBe(true);
    const rows: Record<string, string>[] = parseCsv(res.text, { bom: true, columns: true });
    const em = rows.find((r) => r['分节'] === '部门统计' && r['责任部门'] === '市应急管理局')!;
    expect([em['到期时限数'], em['按时完成'], em['超时完成'], em['超时未完成'], em['已豁免'], em['计时中'], em['首发用时中位数秒']]).toEqual(['6', '3', '1', '0', '0', '2', '13965']);
    expect(rows.filter((r) => r['分节'] === '部门统计')).toHaveLength(5);
    expect(rows.filter((r) => r['分节'] === '合计')[0]['到期时限数']).toBe('10');
    expect(rows.filter((r) => r['分节'] === '超时通报').map((r) => [r['事件'], r['时限'], r['完成时间（北京时间）'], r['超时秒数'], r['仍未完成']])).toEqual([
      ['某小区集体食物中毒 <script>alert(1)</script>', '首次权威发布', '', '72000', '是'],
      ['城东化工园区储罐爆炸', '新闻发布会', '2026-11-23 11:00:00', '3000', '否'],
      ['某小区集体食物中毒 <script>alert(1)</script>', '新闻发布会', '', '3600', '是'],
    ]);
  });
});
