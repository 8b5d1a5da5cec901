// An analyst works the public-opinion console in Chromium: a pushed item appears in the triage queue without
// a reload, j then m marks it a rumor (department confirmed) and the 48-hour clock shows on the incident; the
// cluster view shows a story's reposts; the analysis page draws volume by sentiment with the releases marked
// and the response effect of each. A leader sees a surge notice. Screenshots at 1366×768 go to test-results/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { createBeacon, type Beacon } from '../../server/beacon.ts';
import { transact } from '../../server/db/transact.ts';
import { createUser } from '../../server/people/service.ts';
import { freshDb, seedCity, PASSWORD, type City, type TestDb } from '../support/harness.ts';
import { buildConsole, hasChromium, launchChromium, skipReason } from '../support/browser.ts';

if (!hasChromium) console.warn(skipReason);

const HOUR = 3_600_000;

// What people post in the hours after a crush at a stadium: complaints first, calmer after the first release.
const NEGATIVE = [
  '体育馆北门出口太窄了，散场的时候人挤人，根本没人疏导，太危险了',
  '体育馆现场一片混乱，保安不知道去哪了，孩子差点被挤倒，太可怕了',
  '为什么演唱会散场只开一个门？主办方和场馆管理太不负责任了',
  '踩踏发生快一个小时了，官方一点消息都没有，家属都急疯了',
  '我朋友在体育馆里面受伤了，打120一直打不通，救护车迟迟不来',
  '医院门口全是伤员家属，没人告诉我们人在哪个病房，太乱了',
  '体育馆踩踏这么大的事情到现在都没有通报，是想捂盖子吗',
  '体育馆应急预案形同虚设，疏散通道还堆着杂物，必须追责',
  '北门外马路上交通完全瘫痪，警察呢？车都堵死了',
  '散场时灯都关了，黑漆漆一片往外挤，管理太差劲了',
  '踩踏事件的新闻发布会什么时候开？老百姓等着一个说法',
  '我在体育馆现场，看到好几个人倒在地上，很担心他们的情况',
  '官方微博只转发了娱乐新闻，对踩踏只字不提，寒心',
  '体育馆去年就有人投诉过出口拥挤，一直没整改，现在出事了',
  '亲戚在市一院等消息，医院说不清楚伤员名单，家属很焦虑',
  '体育馆票卖超了吧？场内明显比座位多得多的人，谁批准的',
  '踩踏事件不能就这么不了了之，必须查清楚责任人',
  '看到体育馆踩踏的视频心都揪起来了，疏散太慢了，安保人员太少',
];
const NEUTRAL = [
  '城北体育馆周边道路目前仍在管制，请市民绕行',
  '有没有人知道体育馆附近的地铁站现在开放了吗',
  '市一院和市中医院在接收伤员，家属可以先去急诊登记',
  '体育馆今晚的演出取消了，门票据说会退',
  '北门外的临时停车场已经清空，公交恢复通行',
  '关于体育馆踩踏的情况，官方说稍后会开发布会',
  '请问伤员家属联系电话是多少，有没有统一的登记点',
  '警方在体育馆周边设置了警戒线，正在调查',
  '今天早上体育馆附近还有很多记者在采访',
  '市里成立了体育馆踩踏事件处置工作组，由公安局牵头',
];
const POSITIVE = [
  '感谢现场的医护人员和民警，连夜救治伤员，辛苦了',
  '官方通报很及时，伤员都得到了救治，心里踏实了一些',
  '踩踏事件发布会把伤亡和救治情况讲得很清楚，点赞',
  '志愿者给体育馆伤员家属送水送饭，这座城市还是很温暖的',
  '伤员大部分已经脱离危险，太好了，谢谢医生',
  '交警疏导得很好，北门外的交通已经恢复正常',
  '踩踏事件通报里说会彻查责任，希望说到做到，支持',
  '医院为踩踏伤员开通了绿色通道，家属登记很快，服务很好',
];
const OTHER = [
  '我们小区又停水了，第三次了，物业说是管道维修',
  '地铁2号线早高峰太挤了，能不能加开班次',
  '滨江公园的路灯坏了好几天，晚上散步很不安全',
];

describe.runIf(hasChromium)('public opinion in Chromium', () => {
  let db: TestDb;
  let beacon: Beacon;
  let city: City;
  let url: string;
  let browser: Browser;
  /** The server's clock runs `offset` ms from the real one, so the seeded history spreads over hours. */
  let offset = 0;
  let incidentId = '';
  let pushToken = '';
  const cookies = new Map<string, string>();

  async function call(as: string, method: string, path: string, body?: unknown): Promise<any> {
    let cookie = cookies.get(as);
    if (!cookie) {
      const res = await beacon.app.request('/api/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: as, password: PASSWORD }),
      });
      expect(res.status).toBe(200);
      cookie = res.headers.get('set-cookie')!.split(';')[0];
      cookies.set(as, cookie);
    }
    const res = await beacon.app.request(path, {
      method,
      headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 400) throw new Error(`${method} ${path} as ${as}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  async function push(token: string, items: { content: string; title?: string; externalId: string; url?: string }[]) {
    const res = await beacon.app.request(`/api/opinion/push/${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(items),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as { added: number; duplicates: number; ids: string[] };
  }

  async function publish(kind: string, title: string, body: string) {
    const { release } = await call('spokes', 'POST', `/api/incidents/${incidentId}/releases`, { kind, title, body });
    await call('spokes', 'POST', `/api/releases/${release.id}/submit`);
    await call('po.leader', 'POST', `/api/releases/${release.id}/approve`, {
      version: release.version,
      checklist: { noStateSecrets: true, noPersonalPrivacy: true, figuresVerified: true },
    });
    await call('spokes', 'POST', `/api/releases/${release.id}/publish`);
  }

  /** 22 hours of posts about the crush, with two releases; the last hours calmer. */
  async function seedHistory() {
    offset = -22 * HOUR;
    const occurredAt = new Date(Date.now() + offset - 20 * 60_000).toISOString();
    incidentId = (
      await call('duty', 'POST', '/api/incidents', {
        title: '城北体育馆散场踩踏事件',
        category: 'accident',
        severity: 'III',
        occurredAt,
        location: '城北体育馆北门',
        leadDepartmentId: city.depts.police,
        casualties: { deaths: 3, injured: 24, missing: 0 },
        keywords: ['体育馆', '踩踏', '北门', '伤员', '散场'],
      })
    ).incident.id;
    for (const topic of [
      { name: '现场秩序', keywords: ['踩踏', '拥挤', '疏导', '疏散', '出口'], excludes: ['演练'] },
      { name: '伤员救治', keywords: ['伤员', '医院', '救治', '受伤', '120'] },
      { name: '信息公开', keywords: ['通报', '发布会', '官方', '捂盖子'] },
      { name: '停水', keywords: ['停水'] },
    ]) {
      await call('po.analyst', 'POST', '/api/opinion/topics', topic);
    }
    const sources: Record<string, string> = {};
    for (const name of ['12345热线', '城市论坛', '微博监测']) {
      sources[name] = (await call('po.analyst', 'POST', '/api/opinion/sources', { name, kind: 'push' })).source.token;
    }
    pushToken = sources['12345热线'];
    const names = Object.keys(sources);
    // Items per hour, oldest first, and the share of negative posts in each hour.
    const volume = [3, 7, 12, 16, 13, 10, 8, 6, 5, 6, 4, 3, 3, 2, 3, 2, 2, 1, 2, 1, 1, 1];
    const negShare = [0.9, 0.85, 0.85, 0.8, 0.7, 0.6, 0.45, 0.4, 0.35, 0.35, 0.3, 0.3, 0.25, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.1, 0.1, 0.1];
    // A post seen again is a repost: the same words with a prefix, a tag or a remark.
    const REPOST = [(x: string) => x, (x: string) => `转发：${x}`, (x: string) => `${x}！！`, (x: string) => `#城北体育馆# ${x}`, (x: string) => `${x} 大家怎么看？`, (x: string) => `//转 ${x}`];
    const uses = new Map<string, number>();
    const variant = (text: string) => {
      const k = uses.get(text) ?? 0;
      uses.set(text, k + 1);
      return k < REPOST.length ? REPOST[k](text) : `${REPOST[k % REPOST.length](text)}（${k}）`;
    };
    let n = 0;
    const pick = (list: string[], i: number) => list[i % list.length];
    for (let h = 0; h < volume.length; h++) {
      offset = -(22 - h) * HOUR + 5 * 60_000;
      // The first release as complaints peak (within the 5-hour clock), a progress update later.
      if (h === 4) await publish('initial', '关于城北体育馆散场踩踏事件的情况通报', '11月21日22时许，城北体育馆演出散场时北门发生踩踏，造成3人死亡、24人受伤。伤员已送医救治。');
      if (h === 14) await publish('update', '关于城北体育馆踩踏事件伤员救治进展的通报', '截至目前，24名伤员中18人已出院，其余伤员生命体征平稳。事件原因正在调查。');
      const batch: Record<string, { content: string; externalId: string; url?: string }[]> = {};
      for (let i = 0; i < volume[h]; i++) {
        n++;
        const r = (i + 0.5) / volume[h];
        const text = r < negShare[h] ? pick(NEGATIVE, n) : r < negShare[h] + (1 - negShare[h]) * 0.55 ? pick(NEUTRAL, n) : pick(POSITIVE, n);
        const source = names[n % names.length];
        (batch[source] ??= []).push({ content: variant(text), externalId: `h${h}-${i}`, url: n % 3 === 0 ? `https://bbs.example.org/t/${n}` : undefined });
      }
      for (const [source, items] of Object.entries(batch)) await push(sources[source], items);
      if (h === 3) {
        // The surge the detector reported at the peak hour.
        await beacon.ctx.db
          .insertInto('opinion_bursts')
          .values({
            key: `incident:${incidentId}`,
            label: '城北体育馆散场踩踏事件',
            incident_id: Number(incidentId),
            bucket_start: new Date(Date.now() + offset - 5 * 60_000),
            count: 16,
            z: 4.7,
            top_terms: JSON.stringify([{ term: '体育馆', count: 12 }, { term: '踩踏', count: 9 }, { term: '北门', count: 6 }, { term: '伤员', count: 5 }, { term: '疏散', count: 4 }]),
            top_sources: JSON.stringify([{ name: '微博监测', count: 6 }, { name: '城市论坛', count: 5 }, { name: '12345热线', count: 5 }]),
            sentiment_mix: JSON.stringify({ negative: 13, neutral: 2, positive: 1 }),
            created_at: new Date(Date.now() + offset),
          } as never)
          .execute();
      }
    }
    offset = -40 * 60_000;
    // A rumor and its reposts, each pushed as it was seen.
    for (const [i, content] of [
      '网传体育馆踩踏死了二十多人，官方瞒报，大家赶紧转发',
      '网传体育馆踩踏死了二十多人，官方瞒报，大家赶紧转发！',
      '网传体育馆踩踏死了二十多人，官方瞒报，大家赶紧转发！！',
      '转：网传体育馆踩踏死了二十多人，官方瞒报，大家赶紧转发',
    ].entries()) {
      offset += 60_000;
      await push(sources['微博监测'], [{ content, externalId: `rumor-${i}` }]);
    }
    await push(sources['城市论坛'], OTHER.map((content, i) => ({ content, externalId: `other-${i}` })));
    // The night shift has triaged all but the newest items.
    offset = -20 * 60_000;
    const open = (await call('po.analyst', 'GET', '/api/opinion/items?status=new&limit=500')).items as { id: string; sentiment: { label: string } }[];
    const older = open.slice(24);
    const relevant = older.filter((x) => x.sentiment.label === 'negative').map((x) => x.id);
    const irrelevant = older.filter((x) => x.sentiment.label !== 'negative').map((x) => x.id);
    if (relevant.length) await call('po.analyst', 'POST', '/api/opinion/triage', { itemIds: relevant, status: 'relevant' });
    if (irrelevant.length) await call('po.analyst', 'POST', '/api/opinion/triage', { itemIds: irrelevant, status: 'irrelevant' });
    offset = 0;
  }

  beforeAll(async () => {
    const webDir = buildConsole();
    db = await freshDb();
    beacon = await createBeacon({
      handle: db.handle,
      log: pino({ level: 'silent' }),
      webDir,
      runScheduler: true,
      clock: { now: () => new Date(Date.now() + offset) },
    });
    city = await seedCity(beacon);
    // The seeded city has no leader in the police department: add one to approve its incident's releases.
    await createUser(beacon.ctx, null, { login: 'po.leader', name: 'po.leader', password: PASSWORD, departmentId: city.depts.police, roles: ['leader'] });
    await seedHistory();
    url = await beacon.listen(0);
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await beacon?.stop();
    await db?.handle.close();
    await db?.drop();
  });

  async function signIn(login: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    page.on('pageerror', (err) => console.error(`[${login}] page error:`, err));
    page.on('console', (msg) => {
      // (The sign-in page's session probe answers 401 and the bad CSV below 400, by design.)
      if ((msg.type() === 'error' || msg.type() === 'warning') && !/\b40[01]\b/.test(msg.text())) console.error(`[${login}] console:`, msg.text());
    });
    await page.goto(url);
    await page.getByTestId('login-user').fill(login);
    await page.getByTestId('login-password').fill(PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('connection-state').and(page.locator('[data-state="live"]')).waitFor({ timeout: 15_000 });
    await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
    return page;
  }
  const notReloaded = (page: Page) => page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload === true);
  const go = (page: Page, hash: string) => page.evaluate((h) => (location.hash = h), hash);
  const row = (page: Page, id: string) => page.locator(`[data-testid="opinion-item"][data-item-id="${id}"]`);

  it('an analyst sees a pushed item arrive live and marks it a rumor with the keyboard', async () => {
    const page = await signIn('po.analyst');
    const link = page.getByTestId('opinion-link');
    await link.waitFor();
    await expect.poll(async () => Number(await page.getByTestId('opinion-count').getAttribute('data-count'))).toBeGreaterThan(0);
    await link.click();
    await page.getByTestId('opinion-queue').waitFor();
    expect(await page.getByTestId('opinion-filter-status').inputValue()).toBe('new');
    await expect.poll(() => page.getByTestId('opinion-item').count()).toBeGreaterThan(10);
    const countBefore = Number(await page.getByTestId('opinion-count').getAttribute('data-count'));

    // A hotline record arrives while the analyst watches.
    const pushed = await push(pushToken, [
      { content: '体育馆北门外还有人说里面有人被困，现在到底什么情况？网上说死了很多人，官方为什么不说清楚', externalId: 'live-1' },
    ]);
    const id = pushed.ids[0];
    await row(page, id).waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('opinion-item').first().getAttribute('data-item-id')).toBe(id);
    expect(await row(page, id).getAttribute('data-status')).toBe('new');
    await expect.poll(async () => Number(await page.getByTestId('opinion-count').getAttribute('data-count'))).toBe(countBefore + 1);
    // Matched rule words are marked inside the text (plain text, never HTML).
    expect(await row(page, id).locator('mark').count()).toBeGreaterThan(0);

    // j takes the first item, m asks for the responsible department (the incident's lead by default).
    await page.keyboard.press('j');
    await expect.poll(() => row(page, id).getAttribute('aria-selected')).toBe('true');
    await page.getByTestId('opinion-detail').and(page.locator(`[data-item-id="${id}"]`)).waitFor();
    await page.keyboard.press('m');
    const dept = page.getByTestId('triage-dept');
    await dept.waitFor();
    expect(await dept.inputValue()).toBe(city.depts.police);
    await page.getByTestId('triage-topic').fill('伤亡谣言');
    await page.screenshot({ path: 'test-results/opinion-triage-dialog.png' });
    await page.getByTestId('triage-confirm').click();
    await expect.poll(() => row(page, id).getAttribute('data-status'), { timeout: 10_000 }).toBe('rumor');
    await page.getByTestId('clock-started').filter({ hasText: '48 小时回应时限已启动' }).waitFor({ timeout: 10_000 });
    const clock = page.getByTestId('response-clock').locator('[data-testid="countdown"][data-kind="opinion_response"]');
    await clock.waitFor({ timeout: 10_000 });
    expect(await clock.getAttribute('data-status')).toBe('pending');
    await page.screenshot({ path: 'test-results/opinion-queue-rumor.png' });

    // Fast triage: r marks relevant and moves on; x selects, Shift+I marks the selection irrelevant.
    const ids = await page.getByTestId('opinion-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-item-id')!));
    await page.keyboard.press('j');
    await page.keyboard.press('r');
    await expect.poll(() => row(page, ids[1]).getAttribute('data-status')).toBe('relevant');
    await expect.poll(() => row(page, ids[2]).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('x');
    await page.keyboard.press('j');
    await page.keyboard.press('x');
    await page.getByTestId('selection-bar').waitFor();
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('x');
    await page.keyboard.press('j');
    await page.screenshot({ path: 'test-results/opinion-queue.png' });
    await page.keyboard.press('Shift+KeyI');
    await expect.poll(() => row(page, ids[2]).getAttribute('data-status')).toBe('irrelevant');
    await expect.poll(() => row(page, ids[3]).getAttribute('data-status')).toBe('irrelevant');
    await expect.poll(() => row(page, ids[5]).getAttribute('data-status')).toBe('irrelevant');
    expect(await row(page, ids[4]).getAttribute('data-status')).toBe('new');

    // ? shows the shortcuts.
    await page.keyboard.press('?');
    await page.getByTestId('shortcut-help').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('shortcut-help').waitFor({ state: 'detached' });

    // The incident's page shows the opinion_response clock the rumor started.
    await go(page, `#/incidents/${incidentId}`);
    await page.locator('[data-testid="countdown"][data-kind="opinion_response"]').first().waitFor({ timeout: 10_000 });
    expect(await notReloaded(page)).toBe(true);
    await page.context().close();
  }, 120_000);

  it('the cluster view shows one row per story with its repost count', async () => {
    const page = await signIn('po.analyst');
    await go(page, '#/opinion');
    await page.getByTestId('opinion-queue').waitFor();
    const stories = (await call('po.analyst', 'GET', '/api/opinion/items?q=%E7%9E%92%E6%8A%A5')).items.length;
    expect(stories).toBeGreaterThan(1);
    await page.getByTestId('opinion-filter-status').selectOption('');
    await page.getByTestId('opinion-filter-q').fill('瞒报');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('opinion-item').count(), { timeout: 10_000 }).toBe(stories);
    await page.getByTestId('cluster-toggle').click();
    expect(await page.getByTestId('cluster-toggle').getAttribute('aria-pressed')).toBe('true');
    const reposts = page.getByTestId('opinion-item').getByTestId('repost-count');
    await reposts.first().waitFor({ timeout: 10_000 });
    expect(await reposts.first().innerText()).toMatch(/转发 ×[1-9]\d*/);
    await expect.poll(() => page.getByTestId('opinion-item').count()).toBeLessThan(stories);
    await page.getByTestId('opinion-filter-q').fill('');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('opinion-item').count()).toBeGreaterThan(10);
    await page.screenshot({ path: 'test-results/opinion-queue-clustered.png' });
    await page.context().close();
  }, 60_000);

  it('the analysis page charts volume by sentiment with the releases marked and their effect', async () => {
    const page = await signIn('po.analyst');
    await go(page, `#/opinion/analysis?incident=${incidentId}`);
    const chart = page.getByTestId('analysis-chart');
    await chart.waitFor();
    await expect.poll(async () => Number(await chart.getAttribute('data-total')), { timeout: 10_000 }).toBeGreaterThan(50);
    expect(Number(await chart.getAttribute('data-buckets'))).toBeGreaterThanOrEqual(24);
    expect(await chart.locator('svg rect.negative').count()).toBeGreaterThan(5);
    expect(await chart.locator('svg rect.positive').count()).toBeGreaterThan(2);
    expect(await chart.getByTestId('share-line').getAttribute('d')).toMatch(/^M[\d.]+,[\d.]+L/);
    expect(await chart.getByTestId('release-mark').count()).toBe(2);
    const effects = page.getByTestId('response-effect').getByTestId('effect-row');
    await expect.poll(() => effects.count()).toBe(2);
    // The first release came as complaints peaked: the negative share fell afterwards.
    expect(await effects.first().getAttribute('data-negative-trend')).toBe('down');
    expect(await page.getByTestId('top-terms').locator('li').count()).toBeGreaterThan(3);
    // The last 24 hours in hourly bars.
    await page.getByTestId('period-24').click();
    await expect.poll(async () => Number(await chart.getAttribute('data-buckets'))).toBe(24);
    expect(await chart.getByTestId('release-mark').count()).toBe(2);
    // Hovering a bar reads out its bucket.
    const box = (await chart.locator('svg').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.22, box.y + box.height * 0.7);
    await page.screenshot({ path: 'test-results/opinion-analysis.png' });
    await page.screenshot({ path: 'test-results/opinion-analysis-full.png', fullPage: true });
    // The same in English.
    await page.getByTestId('language-switch').click();
    await page.getByText('Response effect of releases').waitFor();
    await page.screenshot({ path: 'test-results/opinion-analysis-en.png' });
    await page.getByTestId('language-switch').click();
    await page.context().close();
  }, 60_000);

  it('the sources page shows health, polls a feed now and shows a new push address once', async () => {
    const page = await signIn('po.analyst');
    await go(page, '#/opinion/sources');
    await page.getByTestId('opinion-sources').waitFor();
    await expect.poll(() => page.getByTestId('source-row').count()).toBeGreaterThanOrEqual(3);
    // A feed on a loopback address is refused (this server does not allow private feeds): the reason is shown.
    await page.getByTestId('source-kind-feed').check();
    await page.getByTestId('source-name').fill('内网论坛');
    await page.getByTestId('source-url').fill('http://127.0.0.1:9/feed.xml');
    await page.getByTestId('source-add').click();
    const feedRow = page.getByTestId('source-row').filter({ hasText: '内网论坛' });
    await feedRow.waitFor();
    await feedRow.getByTestId('source-poll').click();
    await feedRow.getByTestId('poll-result').filter({ hasText: '抓取失败' }).waitFor({ timeout: 20_000 });
    expect(await feedRow.getAttribute('data-health')).toBe('bad');
    expect(await feedRow.getByTestId('source-error').innerText()).toContain('地址被拒绝');

    // Hotline records by CSV: a bad row is named by its line; a good file reports what it added.
    const csv = (text: string) => ({ name: 'hotline.csv', mimeType: 'text/csv', buffer: Buffer.from(text, 'utf8') });
    await page.getByTestId('import-file').setInputFiles(csv('工单号,来电时间,诉求内容\nHL-1,2026-11-22 10:30,体育馆北门附近的路灯不亮\nHL-2,2026-11-22 10:35,'));
    await page.getByTestId('import-submit').click();
    expect(await page.getByTestId('import-result').innerText()).toMatch(/第 3 行/);
    await page.getByTestId('import-file').setInputFiles(csv('工单号,来电时间,诉求内容\nHL-1,2026-11-22 10:30,体育馆北门附近的路灯不亮\nHL-2,2026-11-22 10:35,伤员家属想知道去哪家医院'));
    await page.getByTestId('import-submit').click();
    await page.getByTestId('import-result').filter({ hasText: '共 2 行：新增 2 条，重复 0 条' }).waitFor();

    await page.getByTestId('source-kind-push').check();
    await page.getByTestId('source-name').fill('市长信箱');
    await page.getByTestId('source-add').click();
    const pushUrl = await page.getByTestId('push-url').inputValue();
    expect(pushUrl).toMatch(/\/api\/opinion\/push\/[\w-]{20,}$/);
    await page.screenshot({ path: 'test-results/opinion-sources.png', fullPage: true });
    await page.context().close();
  }, 60_000);

  it('a leader gets a surge notice and a read-only analysis', async () => {
    const page = await signIn('po.leader');
    expect(await page.getByTestId('opinion-link').count()).toBe(0);
    await page.getByTestId('opinion-analysis-link').click();
    await page.getByTestId('analysis-chart').waitFor();
    // A surge as the burst detector reports it.
    const userIds = await leaders();
    await transact(beacon.ctx, async (_tx, record) => {
      record({
        type: 'opinion.burst',
        incidentId: Number(incidentId),
        userIds,
        payload: {
          burst: {
            id: '1',
            key: `incident:${incidentId}`,
            label: '城北体育馆散场踩踏事件',
            incidentId,
            bucketStart: new Date().toISOString(),
            count: 25,
            z: 6.2,
            topTerms: [{ term: '踩踏', count: 20 }],
            topSources: [{ name: '微博监测', count: 20 }],
            sentimentMix: { negative: 20, neutral: 4, positive: 1 },
            at: new Date().toISOString(),
          },
        },
      });
    });
    await page.getByTestId('toast').filter({ hasText: '舆情突增：城北体育馆散场踩踏事件（25 条）' }).waitFor({ timeout: 10_000 });
    expect(await notReloaded(page)).toBe(true);
    await page.context().close();
  }, 60_000);

  async function leaders(): Promise<number[]> {
    const rows = await beacon.ctx.db.selectFrom('users').select('id').where('login', '=', 'po.leader').execute();
    return rows.map((r) => r.id);
  }
});
