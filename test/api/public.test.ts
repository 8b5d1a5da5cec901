// The public site end to end on a harness database: what anyone can read without signing in, and nothing more.
import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicRoutes } from '../../server/public/routes.ts';
import { dbKind, startHarness, type Harness } from '../support/harness.ts';
import {
  feedparse,
  feedparserPython,
  feedparserSkipReason,
  hasXmllint,
  insertIncident,
  insertRelease,
  texts,
  xmllint,
  xmllintSkipReason,
} from '../support/public-tools.ts';

if (!hasXmllint) console.warn(xmllintSkipReason);
if (!feedparserPython) console.warn(feedparserSkipReason);

const ORIGIN = 'http://beacon.example.gov.cn';
const SENDER = 'beacon@beacon.example.gov.cn';
const SCRIPT = '<script>alert(1)</script>';

let h: Harness;
let site: ReturnType<typeof publicRoutes>;
const ids = {} as Record<
  'plant' | 'flood' | 'secret' | 'r1' | 'r2' | 'draft' | 'scheduled' | 'inReview' | 'approved' | 'fix' | 'b1' | 'b2' | 'secretDraft',
  number
>;

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await site.request(`${ORIGIN}${path}`, { headers });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

beforeAll(async () => {
  h = await startHarness();
  site = publicRoutes(h.beacon.ctx);
  const db = h.beacon.ctx.db;
  const by = h.city.users.spokes;
  const dept = h.city.depts.emergency;

  ids.plant = await insertIncident(db, dept, h.city.users.duty, {
    title: '城东化工园区储罐爆炸',
    category: 'accident',
    severity: 'II',
    location: '城东化工园区',
  });
  ids.flood = await insertIncident(db, dept, h.city.users.duty, {
    title: '“11·22”暴雨洪涝',
    category: 'natural_disaster',
    severity: 'I',
    location: '',
    keywords: ['暴雨', '内涝'],
  });
  ids.secret = await insertIncident(db, dept, h.city.users.duty, { title: '尚未公开的事件甲', severity: 'III' });

  // The chemical plant: initial, then an update (with a script in its body), a correction of that update,
  // and releases in every unpublished state.
  ids.r1 = await insertRelease(db, by, {
    incidentId: ids.plant,
    kind: 'initial',
    title: '关于城东化工园区储罐爆炸的情况通报',
    body: '11月22日10时10分许，城东化工园区一储罐发生爆炸。\n\n事故已造成1人死亡、12人受伤。\n伤员已送医救治。',
    status: 'published',
    publishedAt: '2026-11-22T06:40:00Z',
  });
  ids.r2 = await insertRelease(db, by, {
    incidentId: ids.plant,
    kind: 'update',
    title: '城东化工园区爆炸事故进展通报 & 第2号',
    body: `现场明火已于14时扑灭。\n网传视频 ${SCRIPT} 系旧闻 & "谣言"。`,
    status: 'published',
    publishedAt: '2026-11-22T09:00:00Z',
  });
  ids.draft = await insertRelease(db, by, { incidentId: ids.plant, title: '草稿：伤亡人数待核实', status: 'draft' });
  ids.scheduled = await insertRelease(db, by, {
    incidentId: ids.plant,
    title: '定时：明日新闻发布会安排',
    status: 'scheduled',
    publishAt: '2026-11-23T01:00:00Z',
  });
  ids.inReview = await insertRelease(db, by, { incidentId: ids.plant, title: '审核中：周边道路管制', status: 'in_review' });
  ids.approved = await insertRelease(db, by, { incidentId: ids.plant, title: '已批准未发布：环境监测', status: 'approved' });
  ids.fix = await insertRelease(db, by, {
    incidentId: ids.plant,
    kind: 'correction',
    title: '关于第2号通报的更正',
    body: '第2号通报中“14时”应为“15时”，特此更正。',
    status: 'published',
    publishedAt: '2026-11-22T10:00:00Z',
    correctsReleaseId: ids.r2,
  });

  // The flood: the first release was retracted; a later update stands.
  ids.b1 = await insertRelease(db, by, {
    incidentId: ids.flood,
    kind: 'initial',
    title: '关于暴雨洪涝灾害的首次通报',
    body: '此段正文已撤回，不得再公开。',
    status: 'retracted',
    publishedAt: '2026-11-22T05:00:00Z',
    retractedAt: '2026-11-22T08:00:00Z',
    retractReason: '受灾人数统计口径有误',
  });
  ids.b2 = await insertRelease(db, by, {
    incidentId: ids.flood,
    kind: 'update',
    title: '暴雨洪涝灾害最新情况',
    body: '全市转移安置群众3200人。',
    status: 'published',
    publishedAt: '2026-11-22T08:30:00Z',
  });

  // An incident with nothing published must not appear anywhere.
  ids.secretDraft = await insertRelease(db, by, { incidentId: ids.secret, title: '事件甲的草稿', status: 'draft' });
});
afterAll(() => h?.close());

const UNPUBLISHED_TITLES = ['草稿：伤亡人数待核实', '定时：明日新闻发布会安排', '审核中：周边道路管制', '已批准未发布：环境监测', '事件甲的草稿', '尚未公开的事件甲'];
const PUBLIC_COUNT = 5; // r1, r2, fix, b1, b2

describe(`public site pages on ${dbKind}`, () => {
  it('GET /public lists published releases by incident, newest incident first, in Chinese, without sign-in', async () => {
    const res = await get('/public');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = res.text;
    expect(html).toMatch(/^<!doctype html>\s*<html lang="zh-CN">/);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain('权威发布');
    expect(html).not.toMatch(/<script|<link rel="stylesheet"|src="http/);
    for (const feed of ['/public/feed.rss', '/public/feed.atom', '/public/cap.atom']) expect(html).toContain(`href="${feed}"`);
    // Grouped by incident: the plant (newest release 10:00Z) before the flood (08:30Z), each with grade and place.
    const plant = html.indexOf('城东化工园区储罐爆炸</h2>');
    const flood = html.indexOf('“11·22”暴雨洪涝</h2>');
    expect(plant).toBeGreaterThan(0);
    expect(flood).toBeGreaterThan(plant);
    expect(html).toContain('II级 重大');
    expect(html).toContain('I级 特别重大');
    expect(html).toContain('地点：城东化工园区');
    // Newest first inside the incident, each linking to its page.
    const order = [ids.fix, ids.r2, ids.r1].map((id) => html.indexOf(`href="/public/releases/${id}"`));
    expect(order.every((i) => i > plant && i < flood)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(html).toContain(`href="/public/releases/${ids.b1}"`);
    expect(html).toContain('已撤回');
    for (const title of UNPUBLISHED_TITLES) expect(html).not.toContain(title);
    for (const id of [ids.draft, ids.scheduled, ids.inReview, ids.approved, ids.secretDraft]) {
      expect(html).not.toContain(`/public/releases/${id}"`);
    }
    expect(html).not.toContain(SCRIPT);
  });

  it('a release page shows kind, local time with the zone, paragraphs, the incident and its neighbours', async () => {
    const res = await get(`/public/releases/${ids.r1}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = res.text;
    expect(html).toContain('<h1>关于城东化工园区储罐爆炸的情况通报</h1>');
    expect(html).toContain('首次发布');
    expect(html).toContain('<time datetime="2026-11-22T14:40:00+08:00">2026年11月22日 14:40（北京时间）</time>');
    expect(texts(html, 'p').filter((p) => /储罐发生爆炸|1人死亡|送医救治/.test(p))).toEqual([
      '11月22日10时10分许，城东化工园区一储罐发生爆炸。',
      '事故已造成1人死亡、12人受伤。',
      '伤员已送医救治。',
    ]);
    expect(html).toContain('城东化工园区储罐爆炸');
    expect(html).toContain('事故灾难');
    // The first release: no previous one, the next is the update; the thread lists only public releases.
    expect(html).not.toContain('rel="prev"');
    expect(html).toContain(`rel="next" href="/public/releases/${ids.r2}"`);
    expect(html).toContain('本事件全部发布（3条）');
    for (const title of UNPUBLISHED_TITLES) expect(html).not.toContain(title);
    expect(html).toContain(`href="/public/releases/${ids.r1}/cap.xml"`);
  });

  it('escapes every HTML character of a body and a title (a script stays text)', async () => {
    const html = (await get(`/public/releases/${ids.r2}`)).text;
    expect(html).not.toContain('<script');
    expect(html).toContain('网传视频 &lt;script&gt;alert(1)&lt;/script&gt; 系旧闻 &amp; &quot;谣言&quot;。');
    expect(html).toContain('<h1>城东化工园区爆炸事故进展通报 &amp; 第2号</h1>');
    expect(html).toContain(`rel="prev" href="/public/releases/${ids.r1}"`);
    expect(html).toContain(`rel="next" href="/public/releases/${ids.fix}"`);
    // It was corrected: the page says so and links the correction.
    expect(html).toMatch(new RegExp(`已被更正，请以《<a href="/public/releases/${ids.fix}">关于第2号通报的更正</a>》为准`));
    expect(html).toContain('进展通报');
  });

  it('a correction links the release it corrects', async () => {
    const html = (await get(`/public/releases/${ids.fix}`)).text;
    expect(html).toContain('更正');
    expect(html).toMatch(new RegExp(`本条为对《<a href="/public/releases/${ids.r2}">城东化工园区爆炸事故进展通报 &amp; 第2号</a>》`));
  });

  it('a retracted release shows 已撤回 with the reason and withholds the body', async () => {
    const res = await get(`/public/releases/${ids.b1}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('<strong>已撤回</strong>');
    expect(res.text).toContain('撤回原因：受灾人数统计口径有误');
    expect(res.text).toContain('2026年11月22日 16:00（北京时间）');
    expect(res.text).not.toContain('此段正文已撤回');
    // The later update of the same incident still links back to it, marked.
    const later = (await get(`/public/releases/${ids.b2}`)).text;
    expect(later).toContain(`rel="prev" href="/public/releases/${ids.b1}"`);
  });

  it('nothing unpublished is reachable: drafts, scheduled, in review and approved releases are 404, page and CAP', async () => {
    for (const id of [ids.draft, ids.scheduled, ids.inReview, ids.approved, ids.secretDraft]) {
      const page = await get(`/public/releases/${id}`);
      expect(page.status, `release ${id}`).toBe(404);
      expect(page.text).not.toMatch(/草稿|定时|审核中|已批准未发布/);
      expect(page.headers.get('cache-control')).toBe('no-store');
      const cap = await get(`/public/releases/${id}/cap.xml`);
      expect(cap.status, `cap of ${id}`).toBe(404);
      expect(cap.text).not.toContain('alert');
    }
    for (const path of ['/public/releases/999999', '/public/releases/abc', '/public/releases/0', '/public/releases/99999999999', '/public/releases/1.5/cap.xml', '/public/nope']) {
      expect((await get(path)).status, path).toBe(404);
    }
  });
});

describe(`public feeds on ${dbKind}`, () => {
  const parser = new Parser();
  const publicTitles = () => [
    '关于第2号通报的更正',
    '城东化工园区爆炸事故进展通报 & 第2号',
    '暴雨洪涝灾害最新情况',
    '关于城东化工园区储罐爆炸的情况通报',
    '【已撤回】关于暴雨洪涝灾害的首次通报',
  ];
  const publicLinks = () => [ids.fix, ids.r2, ids.b2, ids.r1, ids.b1].map((id) => `${ORIGIN}/public/releases/${id}`);

  for (const [path, type] of [
    ['/public/feed.rss', 'application/rss+xml; charset=utf-8'],
    ['/public/feed.atom', 'application/atom+xml; charset=utf-8'],
  ] as const) {
    it(`${path} parses with rss-parser: newest first, absolute links, nothing unpublished, scripts escaped`, async () => {
      const res = await get(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(type);
      const feed = await parser.parseString(res.text);
      expect(feed.items).toHaveLength(PUBLIC_COUNT);
      expect(feed.items.map((i) => i.title)).toEqual(publicTitles());
      expect(feed.items.map((i) => i.link)).toEqual(publicLinks());
      for (const title of UNPUBLISHED_TITLES) expect(res.text).not.toContain(title);
      expect(res.text).not.toContain('此段正文已撤回');
      expect(res.text).not.toContain('<script');
      const update = feed.items.find((i) => i.link!.endsWith(`/releases/${ids.r2}`))!;
      expect(update.content).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(update.content).not.toContain('<script');
      const retracted = feed.items.find((i) => i.link!.endsWith(`/releases/${ids.b1}`))!;
      expect(retracted.content).toContain('撤回原因：受灾人数统计口径有误');
    });

    it(`${path} parses with Debian's python3-feedparser without errors`, async (t) => {
      if (!feedparserPython) t.skip(feedparserSkipReason);
      const parsed = feedparse((await get(path)).text);
      expect(parsed.error).toBe('');
      expect(parsed.bozo).toBe(0);
      expect(parsed.entries).toHaveLength(PUBLIC_COUNT);
      expect(parsed.entries.map((e) => e.title)).toEqual(publicTitles());
      expect(parsed.entries.map((e) => e.link)).toEqual(publicLinks());
    });
  }

  it('each public release has a CAP 1.2 document valid against the OASIS schema', async (t) => {
    if (!hasXmllint) t.skip(xmllintSkipReason);
    for (const id of [ids.r1, ids.r2, ids.fix, ids.b1, ids.b2]) {
      const res = await get(`/public/releases/${id}/cap.xml`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/cap+xml; charset=utf-8');
      const check = xmllint(res.text, { schema: true });
      expect(check.output, `cap of release ${id}`).toContain('validates');
      expect(check.ok).toBe(true);
    }
  });

  it('CAP: the first release is an Alert, later ones Updates referencing the earlier alerts, oldest first', async () => {
    const first = (await get(`/public/releases/${ids.r1}/cap.xml`)).text;
    expect(texts(first, 'identifier')).toEqual([`beacon-release-${ids.r1}`]);
    expect(texts(first, 'sender')).toEqual([SENDER]);
    expect(texts(first, 'sent')).toEqual(['2026-11-22T14:40:00+08:00']);
    expect(texts(first, 'msgType')).toEqual(['Alert']);
    expect(texts(first, 'references')).toEqual([]);
    expect(texts(first, 'incidents')).toEqual([`beacon-incident-${ids.plant}`]);
    expect(texts(first, 'language')).toEqual(['zh-CN']);
    expect(texts(first, 'category')).toEqual(['Safety']);
    expect(texts(first, 'event')).toEqual(['城东化工园区储罐爆炸']);
    expect(texts(first, 'urgency')).toEqual(['Immediate']);
    expect(texts(first, 'severity')).toEqual(['Severe']);
    expect(texts(first, 'certainty')).toEqual(['Observed']);
    expect(texts(first, 'headline')).toEqual(['关于城东化工园区储罐爆炸的情况通报']);
    expect(texts(first, 'web')).toEqual([`${ORIGIN}/public/releases/${ids.r1}`]);
    expect(texts(first, 'areaDesc')).toEqual(['城东化工园区']);

    const update = (await get(`/public/releases/${ids.r2}/cap.xml`)).text;
    expect(texts(update, 'msgType')).toEqual(['Update']);
    expect(texts(update, 'references')).toEqual([`${SENDER},beacon-release-${ids.r1},2026-11-22T14:40:00+08:00`]);
    expect(update).not.toContain('<script');
    expect(texts(update, 'description')).toEqual([`现场明火已于14时扑灭。\n网传视频 ${SCRIPT} 系旧闻 & "谣言"。`]);
    expect(texts(update, 'headline')).toEqual(['城东化工园区爆炸事故进展通报 & 第2号']);

    const correction = (await get(`/public/releases/${ids.fix}/cap.xml`)).text;
    expect(texts(correction, 'msgType')).toEqual(['Update']);
    expect(texts(correction, 'references')).toEqual([
      `${SENDER},beacon-release-${ids.r1},2026-11-22T14:40:00+08:00 ${SENDER},beacon-release-${ids.r2},2026-11-22T17:00:00+08:00`,
    ]);
  });

  it('CAP: a retracted release is a Cancel referencing its own alert; the flood maps to Met, Extreme, the city', async () => {
    const cancel = (await get(`/public/releases/${ids.b1}/cap.xml`)).text;
    expect(texts(cancel, 'identifier')).toEqual([`beacon-release-${ids.b1}-cancel`]);
    expect(texts(cancel, 'msgType')).toEqual(['Cancel']);
    expect(texts(cancel, 'sent')).toEqual(['2026-11-22T16:00:00+08:00']);
    expect(texts(cancel, 'references')).toEqual([`${SENDER},beacon-release-${ids.b1},2026-11-22T13:00:00+08:00`]);
    expect(texts(cancel, 'note')).toEqual(['撤回原因：受灾人数统计口径有误']);
    expect(cancel).not.toContain('此段正文已撤回');
    expect(texts(cancel, 'category')).toEqual(['Met']);
    expect(texts(cancel, 'severity')).toEqual(['Extreme']);
    expect(texts(cancel, 'areaDesc')).toEqual(['全市']);

    const later = (await get(`/public/releases/${ids.b2}/cap.xml`)).text;
    expect(texts(later, 'msgType')).toEqual(['Update']);
    expect(texts(later, 'references')).toEqual([`${SENDER},beacon-release-${ids.b1},2026-11-22T13:00:00+08:00`]);
  });

  it('the CAP Atom index is well-formed and each entry links a CAP document that validates', async (t) => {
    const res = await get('/public/cap.atom');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    const hrefs = [...res.text.matchAll(/<link rel="alternate" type="application\/cap\+xml" href="([^"]+)"\/>/g)].map((m) => m[1]);
    expect(hrefs).toEqual([ids.fix, ids.r2, ids.b2, ids.r1, ids.b1].map((id) => `${ORIGIN}/public/releases/${id}/cap.xml`));
    expect(texts(res.text, 'cap:msgType')).toEqual(['Update', 'Update', 'Update', 'Alert', 'Cancel']);
    for (const title of UNPUBLISHED_TITLES) expect(res.text).not.toContain(title);
    const feed = await new Parser().parseString(res.text);
    expect(feed.items).toHaveLength(PUBLIC_COUNT);
    if (!hasXmllint) t.skip(xmllintSkipReason);
    const wellFormed = xmllint(res.text);
    expect(wellFormed.output).toBe('');
    expect(wellFormed.ok).toBe(true);
    for (const href of hrefs) {
      const cap = await site.request(href);
      expect(cap.status).toBe(200);
      const check = xmllint(await cap.text(), { schema: true });
      expect(check.ok, `${href}: ${check.output}`).toBe(true);
    }
  });
});

describe(`public conditional GET on ${dbKind}`, () => {
  const paths = () => [
    '/public',
    `/public/releases/${ids.r1}`,
    '/public/feed.rss',
    '/public/feed.atom',
    '/public/cap.atom',
    `/public/releases/${ids.r1}/cap.xml`,
  ];

  it('every page and feed has a strong ETag, Last-Modified and public caching; a repeat with If-None-Match is 304', async () => {
    for (const path of paths()) {
      const first = await get(path);
      expect(first.status, path).toBe(200);
      const etag = first.headers.get('etag')!;
      expect(etag, path).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
      expect(first.headers.get('cache-control')).toBe('public, max-age=60');
      const lastModified = first.headers.get('last-modified')!;
      expect(new Date(lastModified).getTime()).toBeGreaterThan(Date.parse('2026-11-22T00:00:00Z'));
      const again = await get(path);
      expect(again.headers.get('etag'), `${path} stable`).toBe(etag);

      const cached = await get(path, { 'if-none-match': etag });
      expect(cached.status, path).toBe(304);
      expect(cached.text).toBe('');
      expect(cached.headers.get('etag')).toBe(etag);
      expect(cached.headers.get('cache-control')).toBe('public, max-age=60');
      expect((await get(path, { 'if-none-match': `"other", W/${etag}` })).status).toBe(304);
      expect((await get(path, { 'if-none-match': '"stale"' })).status).toBe(200);
      expect((await get(path, { 'if-modified-since': lastModified })).status).toBe(304);
      expect((await get(path, { 'if-modified-since': 'Sun, 22 Nov 2026 00:00:00 GMT' })).status).toBe(200);
    }
  });

  it('a new publication changes the ETag of the listings and makes the release reachable', async () => {
    const before = new Map<string, string>();
    for (const path of paths()) before.set(path, (await get(path)).headers.get('etag')!);
    expect((await get(`/public/releases/${ids.approved}`)).status).toBe(404);

    await h.beacon.ctx.db
      .updateTable('releases')
      .set({ status: 'published', published_at: '2026-11-22T11:00:00Z', updated_at: '2026-11-22T11:00:00Z' })
      .where('id', '=', ids.approved)
      .execute();

    for (const path of paths()) {
      const now = await get(path, { 'if-none-match': before.get(path)! });
      if (path.endsWith('/cap.xml')) {
        // The first alert's CAP document does not change when a later release appears.
        expect(now.status, path).toBe(304);
      } else {
        expect(now.status, path).toBe(200);
        expect(now.headers.get('etag'), path).not.toBe(before.get(path));
      }
    }
    const page = await get(`/public/releases/${ids.approved}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('已批准未发布：环境监测');
    const rss = await new Parser().parseString((await get('/public/feed.rss')).text);
    expect(rss.items[0].title).toBe('已批准未发布：环境监测');
    expect(rss.items).toHaveLength(PUBLIC_COUNT + 1);
  });

  it('HEAD answers like GET without a body', async () => {
    const res = await site.request(`${ORIGIN}/public/feed.atom`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toMatch(/^"/);
    expect(await res.text()).toBe('');
  });
});
