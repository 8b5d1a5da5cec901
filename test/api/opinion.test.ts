import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chemicalPlant, dbKind, startHarness, type Harness } from '../support/harness.ts';

let h: Harness;
let feedServer: Server;
let feedUrl = '';
let feedBody = '';
let feedHits = 0;

const rss = (items: { guid: string; title: string; body: string }[]) => `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>本地论坛</title><link>http://example.org/</link><description>d</description>
${items.map((i) => `<item><guid>${i.guid}</guid><title>${i.title}</title><link>http://example.org/p/${i.guid}?utm_source=x</link><description>${i.body}</description><pubDate>Sun, 22 Nov 2026 02:30:00 GMT</pubDate></item>`).join('\n')}
</channel></rss>`;

beforeAll(async () => {
  h = await startHarness({ start: '2026-11-22T03:00:00Z' });
  feedServer = createServer((req, res) => {
    feedHits++;
    const etag = `"${Buffer.from(feedBody).length}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag }).end(feedBody);
  });
  await new Promise<void>((r) => feedServer.listen(0, '127.0.0.1', () => r()));
  feedUrl = `http://127.0.0.1:${(feedServer.address() as AddressInfo).port}/feed.xml`;
});
afterAll(async () => {
  feedServer?.close();
  await h?.close();
});

describe(`opinion sources and ingest on ${dbKind}`, () => {
  it('a push source takes items with its own token only, and dedupes by externalId', async () => {
    const created = await h.api('POST', '/api/opinion/sources', { as: 'po.analyst', body: { name: '12345热线', kind: 'push' } });
    expect(created.status).toBe(201);
    const token = created.body.source.token;
    expect(token).toMatch(/^[\w-]{20,}$/);
    expect((await h.api('POST', '/api/opinion/push/not-a-real-token-at-all', { body: { content: 'x' } })).status).toBe(401);
    const pushed = await h.api('POST', `/api/opinion/push/${token}`, {
      body: [
        { externalId: 'GD-001', content: '城东化工园区爆炸后空气里一股刺鼻的臭味，孩子咳嗽，政府为什么不通报？', publishedAt: '2026-11-22T02:40:00Z' },
        { externalId: 'GD-002', content: '地铁2号线停运了，没有任何通知，太不负责任了' },
      ],
    });
    expect(pushed.status).toBe(201);
    expect(pushed.body.added).toBe(2);
    const again = await h.api('POST', `/api/opinion/push/${token}`, { body: { externalId: 'GD-001', content: '城东化工园区爆炸后空气里一股刺鼻的臭味' } });
    expect(again.body).toMatchObject({ added: 0, duplicates: 1 });
    const bad = await h.api('POST', `/api/opinion/push/${token}`, { body: { content: '' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('content');
    // The token is the analyst's to see, not the leader's.
    const asLeader = await h.api('GET', '/api/opinion/sources', { as: 'leader' });
    expect(asLeader.body.items.find((s: any) => s.name === '12345热线').token).toBeNull();
  });

  it('items carry sentiment, matched rule words, and link to incidents by their keywords', async () => {
    const inc = (await h.api('POST', '/api/incidents', { as: 'duty', body: chemicalPlant(h.city, '2026-11-22T02:10:00Z', { keywords: ['化工园区', '爆炸'] }) })).body.incident;
    const topic = await h.api('POST', '/api/opinion/topics', { as: 'po.analyst', body: { name: '空气污染', keywords: ['臭味', '刺鼻', '空气'], excludes: ['空气清新'] } });
    expect(topic.status).toBe(201);
    const manual = await h.api('POST', '/api/opinion/items', {
      as: 'po.analyst',
      body: { content: '化工园区附近刺鼻的臭味越来越重，居民非常担心，没有人来管' },
    });
    expect(manual.status).toBe(201);
    const item = manual.body.item;
    expect(item.sentiment.label).toBe('negative');
    expect(item.incidentId).toBe(inc.id);
    expect(item.matched).toEqual([expect.objectContaining({ name: '空气污染', words: expect.arrayContaining(['臭味', '刺鼻']) })]);
    expect(item.topics).toContain('空气污染');
    const filtered = await h.api('GET', `/api/opinion/items?incidentId=${inc.id}&sentiment=negative`, { as: 'po.analyst' });
    expect(filtered.body.items.map((i: any) => i.id)).toContain(item.id);
    expect((await h.api('GET', '/api/opinion/items', { as: 'duty' })).status).toBe(403);
  });

  it('polls a feed: parses, dedupes on repeat, and a 304 adds nothing', async () => {
    feedBody = rss([
      { guid: 'a1', title: '滨江区内涝严重', body: '滨江区多条道路积水，车辆被淹，市民出行非常困难' },
      { guid: 'a2', title: '感谢消防员', body: '消防员连夜救援，感谢他们的辛苦付出' },
    ]);
    const created = await h.api('POST', '/api/opinion/sources', { as: 'po.analyst', body: { name: '本地论坛', kind: 'feed', url: feedUrl, pollSeconds: 300 } });
    expect(created.status).toBe(201);
    const id = created.body.source.id;
    // The harness refuses private addresses unless configured; this server allows them for tests.
    h.beacon.poller['opts'].allowPrivate = true;
    const first = await h.api('POST', `/api/opinion/sources/${id}/poll`, { as: 'po.analyst' });
    expect(first.body).toMatchObject({ added: 2, error: null });
    expect(first.body.source.lastSuccessAt).toBe('2026-11-22T03:00:00.000Z');
    const second = await h.api('POST', `/api/opinion/sources/${id}/poll`, { as: 'po.analyst' });
    expect(second.body).toMatchObject({ added: 0, notModified: true });
    feedBody = rss([
      { guid: 'a1', title: '滨江区内涝严重', body: '滨江区多条道路积水，车辆被淹，市民出行非常困难' },
      { guid: 'a3', title: '地铁恢复', body: '地铁2号线已经恢复运营，秩序良好' },
    ]);
    const third = await h.api('POST', `/api/opinion/sources/${id}/poll`, { as: 'po.analyst' });
    expect(third.body).toMatchObject({ added: 1, duplicates: 1 });
  });

  it('a feed on a private address is refused unless configured, with the reason recorded on the source', async () => {
    h.beacon.poller['opts'].allowPrivate = false;
    const created = await h.api('POST', '/api/opinion/sources', { as: 'po.analyst', body: { name: '内网源', kind: 'feed', url: 'http://127.0.0.1:9/feed' } });
    const polled = await h.api('POST', `/api/opinion/sources/${created.body.source.id}/poll`, { as: 'po.analyst' });
    expect(polled.body.added).toBe(0);
    expect(polled.body.source.failures).toBe(1);
    expect(polled.body.source.lastError).toMatch(/private|loopback|refused/i);
    expect(new Date(polled.body.source.nextPollAt).getTime()).toBeGreaterThan(Date.parse('2026-11-22T03:00:00Z'));
    h.beacon.poller['opts'].allowPrivate = true;
  });

  it('imports hotline records from CSV, naming a bad line', async () => {
    const csv = '工单号,来电时间,诉求内容\nHL-1,2026-11-22 10:30,小区停水两天了没人管\nHL-2,2026-11-22 10:35,化工厂爆炸的烟会不会有毒？';
    const res = await h.beacon.app.request('/api/opinion/import', { method: 'POST', headers: { cookie: await h.login('po.analyst'), 'content-type': 'text/csv' }, body: csv });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ rows: 2, added: 2 });
    const bad = await h.beacon.app.request('/api/opinion/import', { method: 'POST', headers: { cookie: await h.login('po.analyst'), 'content-type': 'text/csv' }, body: '工单号,诉求内容\nHL-3,' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.field).toBe('line 2.content');
  });

  it('near-duplicate reposts form one cluster with a repost count', async () => {
    const base = '网传城东化工园区爆炸死了几十人，政府瞒报，大家赶紧转发';
    for (const [i, text] of [base, `${base} http://t.cn/A6xyz`, `转发微博 //@城东居民: ${base}`].entries()) {
      await h.api('POST', '/api/opinion/items', { as: 'po.analyst', body: { content: text, externalId: `rumor-${i}` } });
    }
    const clustered = await h.api('GET', '/api/opinion/items?clustered=1&q=瞒报', { as: 'po.analyst' });
    expect(clustered.body.items).toHaveLength(1);
    expect(clustered.body.items[0].clusterSize).toBe(3);
  });
});

describe(`triage on ${dbKind}`, () => {
  it('marking rumor starts the 48-hour clock and notifies the department; a linked clarification meets it', async () => {
    const inc = (await h.api('POST', '/api/incidents', { as: 'duty', body: chemicalPlant(h.city, '2026-11-22T02:10:00Z') })).body.incident;
    const item = (await h.api('POST', '/api/opinion/items', { as: 'po.analyst', body: { content: '听说爆炸后水源被污染了，千万别喝自来水', externalId: 'r-water' } })).body.item;
    expect((await h.api('POST', `/api/opinion/items/${item.id}/triage`, { as: 'duty', body: { status: 'rumor' } })).status).toBe(403);
    const bad = await h.api('POST', `/api/opinion/items/${item.id}/triage`, { as: 'po.analyst', body: { status: 'fake' } });
    expect(bad.body.error.field).toBe('status');
    h.clock.set('2026-11-22T04:00:00Z');
    // An analyst outside the incident's departments may not link to it.
    const invisible = await h.api('POST', `/api/opinion/items/${item.id}/triage`, { as: 'po.analyst', body: { status: 'rumor', incidentId: inc.id } });
    expect(invisible.status).toBe(400);
    expect(invisible.body.error.field).toBe('incidentId');
    const triaged = await h.api('POST', `/api/opinion/items/${item.id}/triage`, {
      as: 'cy.analyst',
      body: { status: 'rumor', incidentId: inc.id, departmentId: h.city.depts.emergency, topic: '水源安全' },
    });
    expect(triaged.status).toBe(200);
    expect(triaged.body.item).toMatchObject({ status: 'rumor', incidentId: inc.id, departmentId: h.city.depts.emergency });
    const detail = (await h.api('GET', `/api/incidents/${inc.id}`, { as: 'em.leader' })).body.incident;
    const clock = detail.deadlines.find((d: any) => d.kind === 'opinion_response');
    expect(clock).toMatchObject({ status: 'pending', dueAt: '2026-11-24T04:00:00.000Z', opinionItemId: item.id });
    const events = (await h.api('GET', '/api/events?after=0&limit=5000', { as: 'em.leader' })).body.events;
    expect(events.some((e: any) => e.type === 'deadline.created' && e.payload.opinionItemId === item.id)).toBe(true);

    const rel = (await h.api('POST', `/api/incidents/${inc.id}/releases`, { as: 'spokes', body: { kind: 'clarification', title: '关于网传自来水污染的澄清', body: '经检测，城区供水水质达标。', opinionItemIds: [item.id] } })).body.release;
    await h.api('POST', `/api/releases/${rel.id}/submit`, { as: 'spokes' });
    await h.api('POST', `/api/releases/${rel.id}/approve`, { as: 'em.leader', body: { version: 1, checklist: { noStateSecrets: true, noPersonalPrivacy: true, figuresVerified: true } } });
    h.clock.set('2026-11-22T06:00:00Z');
    await h.api('POST', `/api/releases/${rel.id}/publish`, { as: 'spokes' });
    const after = (await h.api('GET', `/api/incidents/${inc.id}`, { as: 'em.leader' })).body.incident;
    expect(after.deadlines.find((d: any) => d.kind === 'opinion_response')).toMatchObject({ status: 'met', metAt: '2026-11-22T06:00:00.000Z' });
  });

  it('bulk triage marks several items at once', async () => {
    const list = (await h.api('GET', '/api/opinion/items?status=new&limit=3', { as: 'po.analyst' })).body.items;
    const res = await h.api('POST', '/api/opinion/triage', { as: 'po.analyst', body: { itemIds: list.map((i: any) => i.id), status: 'irrelevant' } });
    expect(res.status).toBe(200);
    expect(res.body.items.every((i: any) => i.status === 'irrelevant')).toBe(true);
  });
});

describe(`bursts on ${dbKind}`, () => {
  it('a steady trickle on a topic and then a surge raise exactly one burst', async () => {
    await h.api('PUT', '/api/opinion/settings', { as: 'po.analyst', body: { bucketMinutes: 10 } });
    await h.api('POST', '/api/opinion/topics', { as: 'po.analyst', body: { name: '停水', keywords: ['停水'] } });
    const events: any[] = [];
    h.beacon.ctx.bus.on((rows) => events.push(...rows.filter((r) => r.type === 'opinion.burst')));
    let n = 0;
    const post = async (count: number) => {
      for (let i = 0; i < count; i++) {
        n++;
        await h.api('POST', '/api/opinion/items', { as: 'po.analyst', body: { content: `第${n}条：我们小区又停水了，第${n}次反映`, externalId: `water-${n}` } });
      }
    };
    let t = Date.parse('2026-11-22T08:00:00Z');
    for (let bucket = 0; bucket < 12; bucket++) {
      h.clock.set(new Date(t + 60_000));
      await post(2 + (bucket % 2)); // 2 or 3 a bucket
      t += 10 * 60_000;
      h.clock.set(new Date(t + 1000));
      await h.beacon.scheduler.runDue();
    }
    expect(events.filter((e) => e.payload.burst.key === 'topic:停水')).toHaveLength(0);
    for (let bucket = 0; bucket < 3; bucket++) {
      h.clock.set(new Date(t + 60_000));
      await post(25);
      t += 10 * 60_000;
      h.clock.set(new Date(t + 1000));
      await h.beacon.scheduler.runDue();
    }
    const bursts = events.filter((e) => e.payload.burst.key === 'topic:停水');
    expect(bursts).toHaveLength(1);
    expect(bursts[0].payload.burst.count).toBe(25);
    expect(bursts[0].payload.burst.topTerms.map((x: any) => x.term)).toContain('停水');
    const dash = await h.api('GET', '/api/dashboard', { as: 'leader' });
    expect(dash.body.opinion.bursts.some((b: any) => b.key === 'topic:停水')).toBe(true);
    expect(dash.body.opinion.volume).toBeGreaterThan(0);
  }, 180_000);
});

describe(`analysis on ${dbKind}`, () => {
  it('gives the volume series, top terms, top sources and the response effect of each release', async () => {
    const inc = (await h.api('POST', '/api/incidents', { as: 'duty', body: chemicalPlant(h.city, '2026-11-22T02:10:00Z', { keywords: ['储罐'] }) })).body.incident;
    h.clock.set('2026-11-23T01:00:00Z');
    for (let i = 0; i < 4; i++) {
      await h.api('POST', '/api/opinion/items', { as: 'cy.analyst', body: { content: `储罐爆炸现场情况不明，非常担心，政府为什么不说话${i}`, externalId: `eff-a-${i}`, incidentId: inc.id } });
    }
    const rel = (await h.api('POST', `/api/incidents/${inc.id}/releases`, { as: 'spokes', body: { kind: 'initial', title: '情况通报', body: '储罐爆炸已得到控制。' } })).body.release;
    await h.api('POST', `/api/releases/${rel.id}/submit`, { as: 'spokes' });
    await h.api('POST', `/api/releases/${rel.id}/approve`, { as: 'em.leader', body: { version: 1, checklist: { noStateSecrets: true, noPersonalPrivacy: true, figuresVerified: true } } });
    h.clock.set('2026-11-23T02:00:00Z');
    await h.api('POST', `/api/releases/${rel.id}/publish`, { as: 'spokes' });
    h.clock.set('2026-11-23T03:00:00Z');
    await h.api('POST', '/api/opinion/items', { as: 'cy.analyst', body: { content: '储罐事故通报很及时，感谢救援人员', externalId: 'eff-b-0', incidentId: inc.id } });
    h.clock.set('2026-11-23T09:00:00Z');
    const res = await h.api('GET', `/api/opinion/analysis?incidentId=${inc.id}&hours=24&bucketMinutes=60&windowHours=6`, { as: 'leader' });
    expect(res.status).toBe(200);
    expect(res.body.series.reduce((n: number, b: any) => n + b.total, 0)).toBe(5);
    expect(res.body.topTerms.map((t: any) => t.term)).toContain('储罐');
    expect(res.body.topSources[0]).toMatchObject({ count: 5 });
    expect(res.body.releaseEffects).toEqual([
      expect.objectContaining({ releaseId: rel.id, before: { volume: 4, negativeShare: 1 }, after: { volume: 1, negativeShare: 0 }, afterComplete: true }),
    ]);
    expect((await h.api('GET', '/api/opinion/analysis', { as: 'duty' })).status).toBe(403);
  });
});
