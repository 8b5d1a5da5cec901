// The leaders' wall in Chromium at 1920×1080: it shows every open incident with its clocks; the connection is cut
// (browser offline, socket.io requests refused, the server drops the socket); meanwhile an incident is created, a
// clock waived and an incident closed over the API; the connection comes back and, without a reload, the wall
// shows the current state. Then the incident room: a task exchanged live between two departments, presence,
// a comment with an @mention picked from the autocomplete, the notification bell.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Beacon } from '../../server/beacon.ts';
import { chemicalPlant, PASSWORD, type City, type TestDb } from '../support/harness.ts';
import { hasChromium, skipReason, startConsoleWorld, stopConsoleWorld } from '../support/browser.ts';

if (!hasChromium) console.warn(skipReason);

describe.runIf(hasChromium)('the leaders’ wall in Chromium', () => {
  let db: TestDb;
  let beacon: Beacon;
  let city: City;
  let url: string;
  let browser: Browser;
  const cookies = new Map<string, string>();

  beforeAll(async () => {
    ({ db, beacon, city, url, browser } = await startConsoleWorld());
  }, 120_000);

  afterAll(() => stopConsoleWorld({ db, beacon, browser }));

  async function cookieOf(login: string): Promise<string> {
    const held = cookies.get(login);
    if (held) return held;
    const res = await beacon.app.request('/api/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login, password: PASSWORD }),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie')!.split(';')[0];
    cookies.set(login, cookie);
    return cookie;
  }

  async function call(as: string, method: string, path: string, body?: unknown): Promise<any> {
    const res = await beacon.app.request(path, {
      method,
      headers: { 'content-type': 'application/json', cookie: await cookieOf(as) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path} as ${as}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

  async function createIncident(title: string, occurredMinutesAgo: number, extra: Record<string, unknown> = {}) {
    const { incident } = await call(
      'duty',
      'POST',
      '/api/incidents',
      chemicalPlant(city, minutesAgo(occurredMinutesAgo), { title, leadDepartmentId: city.depts.emergency, ...extra }),
    );
    return incident as { id: string; deadlines: { id: string; kind: string; status: string }[] };
  }

  async function open(login: string, viewport = { width: 1366, height: 768 }): Promise<{ page: Page; context: BrowserContext }> {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    page.on('pageerror', (err) => console.error(`[${login}] page error:`, err));
    await page.goto(url);
    await page.getByTestId('login-user').fill(login);
    await page.getByTestId('login-password').fill(PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('connection-state').and(page.locator('[data-state="live"]')).waitFor({ timeout: 15_000 });
    // Anything that reloads the page drops this mark: "live" below means without a reload.
    await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
    return { page, context };
  }

  const notReloaded = (page: Page) => page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload === true);
  const go = (page: Page, hash: string) => page.evaluate((h) => (location.hash = h), hash);
  const wallIncident = (page: Page, id: string) => page.locator(`[data-testid="wall-incident"][data-incident-id="${id}"]`);
  const wallIds = (page: Page) =>
    page.locator('[data-testid="wall-incident"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-incident-id')).sort());

  /** A day of public opinion for the curve (items spread over the past 24 hours) and one current burst. */
  async function seedOpinion() {
    const lines = [
      '城东化工园区爆炸后空气里一直有刺鼻气味，居民很担心',
      '消防员连夜救援辛苦了，感谢他们',
      '网传爆炸死了几十人，官方为什么还不发布消息',
      '周边学校今天是否停课，家长很着急',
      '化工园区搬迁问题拖了好几年，一直没有解决，非常失望',
      '医院血库告急，市民自发去献血',
      '附近道路封闭，上班绕路堵了一个小时',
      '希望尽快公布伤亡情况和事故原因',
      '救援进展很快，伤员已经送医',
      '污染到底有多严重？水能不能喝？没人回应',
      '志愿者在安置点发放物资，秩序良好',
      '晚上还能听到警报声，睡不着，太可怕了',
    ];
    let n = 0;
    for (let round = 0; round < 4; round++) {
      for (const [i, line] of lines.entries()) {
        const res = await beacon.app.request('/api/opinion/items', {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie: await cookieOf('po.analyst') },
          body: JSON.stringify({ content: `${line}（${['东区', '西区', '南区', '北区'][round]}网友 ${i + 1}）`, externalId: `wall-${round}-${i}` }),
        });
        if (res.status === 201) n++;
      }
    }
    expect(n).toBeGreaterThan(20);
    // Fixture: spread them over the day so the curve has a shape (ingest stamps them all "now").
    await sql`update opinion_items set fetched_at = now() - ((id * 7) % 23) * interval '1 hour' - interval '5 minutes'`.execute(beacon.ctx.db);
    await sql`insert into opinion_bursts (key, label, incident_id, bucket_start, count, z, top_terms, top_sources, sentiment_mix, created_at)
      values ('topic:空气污染', '空气污染', null, now() - interval '50 minutes', 38, 4.2, '[]'::jsonb, '[]'::jsonb, '{"negative": 30, "neutral": 8}'::jsonb, now() - interval '40 minutes')`.execute(
      beacon.ctx.db,
    );
  }

  it('cut the connection, change things, restore it: the wall shows the current state without a reload', async () => {
    await seedOpinion();
    // toClose: no clocks (grade IV, no deaths), so a leader may close it. toWaive: both statutory clocks running.
    // late: logged 5 h 20 min after it happened, its first-release clock already missed.
    const toClose = await createIncident('滨江路燃气管道泄漏', 40, { severity: 'IV', casualties: { deaths: 0, injured: 0, missing: 0 } });
    const toWaive = await createIncident('城西高速多车相撞', 60, { severity: 'III', casualties: { deaths: 3, injured: 8, missing: 0 } });
    const late = await createIncident('城东化工园区储罐爆炸', 320);
    expect(late.deadlines.find((d) => d.kind === 'first_release')?.status).toBe('missed');
    // A task due in three seconds: it goes overdue on the wall, by the health commission.
    await call('duty', 'POST', `/api/incidents/${late.id}/tasks`, {
      departmentId: city.depts.health,
      title: '核实伤亡人数并报送',
      dueAt: new Date(Date.now() + 3000).toISOString(),
    });

    const { page, context } = await open('leader', { width: 1920, height: 1080 });
    await go(page, '#/wall');
    await page.getByTestId('wall').waitFor();
    await expect.poll(() => wallIds(page), { timeout: 10_000 }).toEqual([toClose.id, toWaive.id, late.id].sort());
    const conn = page.getByTestId('wall-connection');
    await expect.poll(() => conn.getAttribute('data-state')).toBe('live');
    // No navigation chrome on the wall.
    expect(await page.getByTestId('sign-out').count()).toBe(0);
    expect(await page.getByTestId('wall-exit').count()).toBe(1);

    const waiveTarget = toWaive.deadlines.find((d) => d.kind === 'first_release')!;
    const waivedClock = wallIncident(page, toWaive.id).locator(`[data-testid="wall-countdown"][data-deadline-id="${waiveTarget.id}"]`);
    expect(await waivedClock.getAttribute('data-status')).toBe('pending');
    expect(await waivedClock.getAttribute('data-kind')).toBe('first_release');
    // The clock counts down from server time: about 4 h left.
    expect(await waivedClock.innerText()).toMatch(/剩余\s*3:5\d:\d\d/);
    // What is overdue and by whom: the late incident's first release (the emergency bureau leads it), the task (health).
    const overdue = page.getByTestId('wall-overdue');
    await expect.poll(() => overdue.getAttribute('data-count'), { timeout: 15_000 }).toBe('2');
    expect(await overdue.innerText()).toContain('市应急管理局');
    expect(await overdue.innerText()).toContain('市卫生健康委员会');
    await page.getByTestId('wall-opinion').waitFor();
    await page.getByTestId('wall-burst').first().waitFor();

    // ---- cut the connection ----
    await page.route('**/socket.io/**', (route) => route.abort());
    await context.setOffline(true);
    await beacon.io.in(`user:${city.users.leader}`).disconnectSockets(true);
    await expect.poll(() => conn.getAttribute('data-state'), { timeout: 10_000 }).not.toBe('live');
    await page.getByTestId('wall-reconnecting').waitFor();
    expect(await page.getByTestId('wall-reconnecting').innerText()).toContain('重连中');
    await page.screenshot({ path: 'test-results/wall-reconnecting.png' });

    // ---- change things while it is cut ----
    // New: first release due in 8 minutes (critical).
    const created = await createIncident('南湖隧道货车起火', 292, { severity: 'II', casualties: { deaths: 0, injured: 2, missing: 0 } });
    await call('leader', 'POST', `/api/deadlines/${waiveTarget.id}/waive`, { reason: '已由省级统一发布，本级不再单独发布' });
    await call('leader', 'POST', `/api/incidents/${toClose.id}/close`);
    // The wall cannot know yet: still the old state.
    await page.waitForTimeout(1500);
    expect(await wallIds(page)).toEqual([toClose.id, toWaive.id, late.id].sort());
    expect(await waivedClock.getAttribute('data-status')).toBe('pending');

    // ---- restore ----
    await page.unroute('**/socket.io/**');
    await context.setOffline(false);
    await expect.poll(() => conn.getAttribute('data-state'), { timeout: 20_000 }).toBe('live');
    await expect.poll(() => wallIds(page), { timeout: 15_000 }).toEqual([toWaive.id, late.id, created.id].sort());
    await expect.poll(() => waivedClock.getAttribute('data-status'), { timeout: 10_000 }).toBe('waived');
    expect(await waivedClock.innerText()).toContain('已豁免');
    expect(await page.getByTestId('wall-reconnecting').count()).toBe(0);
    const critical = wallIncident(page, created.id).locator('[data-testid="wall-countdown"][data-kind="first_release"]');
    expect(await critical.getAttribute('data-state')).toBe('counting');
    expect(await critical.innerText()).toMatch(/剩余\s*0:0[6-8]:\d\d/);
    expect(await notReloaded(page)).toBe(true);

    // Live again: a change now arrives over the socket, no refetch needed.
    await call('leader', 'POST', `/api/incidents/${created.id}/tasks`, {
      departmentId: city.depts.police,
      title: '隧道两端交通管制',
      dueAt: new Date(Date.now() + 30 * 60_000).toISOString(),
    });
    await page.waitForTimeout(1200); // let the pulse and the countdowns settle on a whole second
    await page.screenshot({ path: 'test-results/wall.png' });
    expect(await notReloaded(page)).toBe(true);
    await context.close();
  }, 120_000);

  it('the incident room: a task exchanged live, presence, an @mention from the autocomplete, the bell', async () => {
    const incident = await createIncident('城北商场火灾', 70, { severity: 'II', casualties: { deaths: 0, injured: 5, missing: 0 } });
    const leader = await open('leader', { width: 1600, height: 1500 });
    const health = await open('he.duty');

    // The health commission still has the first test's task waiting.
    await expect.poll(() => health.page.getByTestId('tasks-count').getAttribute('data-count')).toBe('1');
    const inboxBefore = 1;

    await go(leader.page, `#/incidents/${incident.id}`);
    await leader.page.getByTestId('task-panel').waitFor();
    // The leader assigns a task to the health commission.
    await leader.page.getByTestId('task-assign-open').click();
    await leader.page.getByTestId('task-department').selectOption(city.depts.health);
    await leader.page.getByTestId('task-title').fill('核实伤员收治人数');
    await leader.page.getByTestId('task-detail').fill('请于一小时内报送各医院收治人数及伤情');
    await leader.page.getByTestId('task-assign').click();
    const leaderRow = leader.page.getByTestId('task-row').first();
    await expect.poll(() => leaderRow.getAttribute('data-status')).toBe('open');

    // The health commission's header count rises live; the inbox lists it; the member acknowledges it.
    await expect.poll(() => health.page.getByTestId('tasks-count').textContent(), { timeout: 10_000 }).toBe(String(inboxBefore + 1));
    await health.page.getByTestId('tasks-link').click();
    const inboxRow = health.page.getByTestId('task-row').filter({ hasText: '核实伤员收治人数' });
    await inboxRow.waitFor();
    expect(await inboxRow.getAttribute('data-status')).toBe('open');
    await inboxRow.getByRole('link', { name: '城北商场火灾' }).click();
    // Ack from the incident's own task panel (the inbox, still on screen for a moment, has ack buttons too).
    await health.page.getByTestId('incident-detail').waitFor();
    await health.page.getByTestId('task-panel').getByTestId('task-ack').click();
    await expect.poll(() => leaderRow.getAttribute('data-status'), { timeout: 10_000 }).toBe('acked');
    await expect.poll(() => health.page.getByTestId('tasks-count').textContent()).toBe(String(inboxBefore));
    expect(await leaderRow.getByTestId('task-ack-latency').innerText()).toMatch(/签收用时/);

    // Presence: both are looking at the incident.
    await expect.poll(() => leader.page.getByTestId('presence').getAttribute('data-count'), { timeout: 10_000 }).toBe('2');
    expect(await leader.page.getByTestId('presence').innerText()).toContain('he.duty');

    // The leader mentions the health commission, picked from the autocomplete.
    const before = Number(await health.page.getByTestId('notification-count').textContent());
    const input = leader.page.getByTestId('comment-input');
    await input.click();
    await input.pressSequentially('请@市卫');
    await leader.page.getByTestId('mention-option').filter({ hasText: '市卫生健康委员会' }).waitFor();
    await input.press('Enter');
    await input.pressSequentially('尽快报送，并安排专家参加发布会。<b>不是标签</b>');
    expect(await input.inputValue()).toBe('请@市卫生健康委员会 尽快报送，并安排专家参加发布会。<b>不是标签</b>');
    await leader.page.getByTestId('comment-submit').click();

    // It arrives live on the other side, the mention highlighted, the markup left as text.
    const comment = health.page.getByTestId('comment').last();
    await comment.waitFor({ timeout: 10_000 });
    expect(await comment.getByTestId('mention').innerText()).toBe('@市卫生健康委员会');
    expect(await comment.locator('b').count()).toBe(0);
    expect(await comment.innerText()).toContain('<b>不是标签</b>');
    await expect.poll(async () => Number(await health.page.getByTestId('notification-count').textContent()), { timeout: 10_000 }).toBe(before + 1);
    // The timeline has the task steps and the comment.
    for (const type of ['task.created', 'task.acked', 'comment.created']) {
      await leader.page.locator(`[data-testid="timeline-entry"][data-type="${type}"]`).waitFor({ timeout: 10_000 });
    }

    // The bell: the notification opens the incident and is marked read.
    await go(health.page, '#/tasks');
    await health.page.getByTestId('notification-bell').click();
    const item = health.page.getByTestId('notification-item').filter({ hasText: '提到了您的部门' }).first();
    await item.waitFor();
    expect(await item.getAttribute('data-read')).toBe('false');
    await health.page.screenshot({ path: 'test-results/notifications.png' });
    await item.click();
    await health.page.getByTestId('incident-detail').waitFor();
    expect(await health.page.evaluate(() => location.hash)).toBe(`#/incidents/${incident.id}`);
    await expect.poll(async () => Number(await health.page.getByTestId('notification-count').textContent())).toBe(before);

    await health.page.getByTestId('task-panel').getByTestId('task-start').click();
    await expect.poll(() => leaderRow.getAttribute('data-status'), { timeout: 10_000 }).toBe('in_progress');
    // A reply mentioning the leader by name: highlighted as "me" on the leader's screen.
    await call('he.duty', 'POST', `/api/incidents/${incident.id}/comments`, { body: '@leader 已收到，市一院收治 3 人、市二院 2 人，均无生命危险，30 分钟内书面报送。' });
    const reply = leader.page.getByTestId('comment').filter({ hasText: '30 分钟内书面报送' });
    await reply.waitFor({ timeout: 10_000 });
    expect(await reply.locator('[data-testid="mention"].me').innerText()).toBe('@leader');
    await leader.page.evaluate(() => window.scrollTo(0, 0));
    await leader.page.waitForTimeout(600);
    await leader.page.screenshot({ path: 'test-results/room.png' });

    expect(await notReloaded(leader.page)).toBe(true);
    expect(await notReloaded(health.page)).toBe(true);
    await leader.context.close();
    await health.context.close();
  }, 120_000);
});
