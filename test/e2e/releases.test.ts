// A spokesperson and a leader, in two browsers, take a release from draft to published and each sees the
// other's steps live: the review count rises, "approved" appears without a reload, the published release
// lands on the leader's incident timeline and the first-release clock reads met.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Beacon } from '../../server/beacon.ts';
import { chemicalPlant, PASSWORD, type City, type TestDb } from '../support/harness.ts';
import { hasChromium, skipReason, startConsoleWorld, stopConsoleWorld } from '../support/browser.ts';

if (!hasChromium) console.warn(skipReason);

describe.runIf(hasChromium)('releases in Chromium', () => {
  let db: TestDb;
  let beacon: Beacon;
  let city: City;
  let url: string;
  let browser: Browser;

  beforeAll(async () => {
    ({ db, beacon, city, url, browser } = await startConsoleWorld());
  }, 120_000);

  afterAll(() => stopConsoleWorld({ db, beacon, browser }));

  async function cookieOf(login: string): Promise<string> {
    const res = await beacon.app.request('/api/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login, password: PASSWORD }),
    });
    expect(res.status).toBe(200);
    return res.headers.get('set-cookie')!.split(';')[0];
  }

  async function createIncident(title: string, extra: Record<string, unknown> = {}): Promise<string> {
    const res = await beacon.app.request('/api/incidents', {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: await cookieOf('duty') },
      body: JSON.stringify(
        chemicalPlant(city, new Date(Date.now() - 60 * 60_000).toISOString(), {
          title,
          leadDepartmentId: city.depts.emergency,
          ...extra,
        }),
      ),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { incident: { id: string } }).incident.id;
  }

  async function signIn(login: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    page.on('pageerror', (err) => console.error(`[${login}] page error:`, err));
    await page.goto(url);
    await page.getByTestId('login-user').fill(login);
    await page.getByTestId('login-password').fill(PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('connection-state').and(page.locator('[data-state="live"]')).waitFor({ timeout: 15_000 });
    // Anything that reloads the page drops this mark: "live" below means without a reload.
    await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
    return page;
  }

  const notReloaded = (page: Page) => page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload === true);
  const go = (page: Page, hash: string) => page.evaluate((h) => (location.hash = h), hash);
  const status = (page: Page) => page.getByTestId('release-view').locator('header [data-testid="release-status"]');

  it('draft → submit → approve → publish, each step live in the other browser', async () => {
    const incidentId = await createIncident('城东化工园区储罐爆炸');
    const spokes = await signIn('spokes');
    const leader = await signIn('em.leader');

    // The leader's header shows the review queue with nothing waiting.
    await leader.getByTestId('review-link').waitFor();
    await expect.poll(() => leader.getByTestId('review-count').textContent()).toBe('0');

    // The leader watches the incident; the spokesperson drafts the first release from it.
    await go(leader, `#/incidents/${incidentId}`);
    await leader.getByTestId('timeline').waitFor();
    await go(spokes, `#/incidents/${incidentId}`);
    await spokes.getByTestId('new-release-button').click();
    await spokes.getByTestId('release-kind').waitFor();
    expect(await spokes.getByTestId('release-kind').inputValue()).toBe('initial');
    await spokes.getByTestId('release-title').fill('关于城东化工园区储罐爆炸事故的情况通报');
    await spokes
      .getByTestId('release-body')
      .fill(
        '11月22日2时10分许，城东化工园区一储罐发生爆炸，事故造成1人死亡、12人受伤，伤员已送医救治。\n' +
          '事故发生后，市委、市政府立即启动应急响应，消防、应急、卫健等部门赶赴现场处置，明火已于3时40分扑灭。\n' +
          '目前，周边空气质量监测未见异常。事故原因正在调查中，后续情况将及时发布。',
      );
    // The preview shows it as the public will see it: one paragraph per line.
    await expect.poll(() => spokes.getByTestId('release-preview').locator('.body p').count()).toBe(3);
    await spokes.getByTestId('release-save').click();
    await spokes.getByTestId('release-view').waitFor({ timeout: 10_000 });
    await expect.poll(() => status(spokes).getAttribute('data-status')).toBe('draft');
    await spokes.screenshot({ path: 'test-results/releases-editor.png' });

    await spokes.getByTestId('release-submit').click();
    await expect.poll(() => status(spokes).getAttribute('data-status')).toBe('in_review');

    // The leader's count goes up without a reload, with a notice; the timeline shows the submission.
    await expect.poll(() => leader.getByTestId('review-count').textContent(), { timeout: 10_000 }).toBe('1');
    await leader.getByTestId('toast').filter({ hasText: '新的待审稿件' }).waitFor({ timeout: 10_000 });
    await leader.locator('[data-testid="timeline-entry"][data-type="release.submitted"]').waitFor({ timeout: 10_000 });

    // The leader opens it from the queue; approving needs all three confidentiality checks.
    await leader.getByTestId('review-link').click();
    await leader.getByTestId('review-item').first().click();
    const approve = leader.getByTestId('approve-button');
    await approve.waitFor();
    expect(await approve.isDisabled()).toBe(true);
    await leader.getByTestId('check-noStateSecrets').check();
    await leader.getByTestId('check-noPersonalPrivacy').check();
    expect(await approve.isDisabled()).toBe(true);
    await leader.getByTestId('check-figuresVerified').check();
    expect(await approve.isDisabled()).toBe(false);
    expect(await leader.getByTestId('reject-button').isDisabled()).toBe(true); // sending back needs a comment
    await leader.getByTestId('approve-comment').fill('同意发布');
    await leader.screenshot({ path: 'test-results/releases-review.png' });
    await approve.click();
    await expect.poll(() => status(leader).getAttribute('data-status')).toBe('approved');
    await expect.poll(() => leader.getByTestId('review-count').textContent()).toBe('0');

    // The spokesperson sees "已批准" live, and publishes.
    await expect.poll(() => status(spokes).getAttribute('data-status'), { timeout: 10_000 }).toBe('approved');
    expect(await status(spokes).textContent()).toBe('已批准');
    await spokes.getByTestId('publish-now').waitFor();
    await spokes.screenshot({ path: 'test-results/releases-approved.png' });

    await go(leader, `#/incidents/${incidentId}`);
    await leader.getByTestId('timeline').waitFor();
    await spokes.getByTestId('publish-now').click();
    await expect.poll(() => status(spokes).getAttribute('data-status')).toBe('published');

    // The leader's incident page: the release published on the timeline, the first-release clock met.
    await leader.locator('[data-testid="timeline-entry"][data-type="release.published"]').waitFor({ timeout: 10_000 });
    const firstRelease = leader.locator('[data-testid="countdown"][data-kind="first_release"]').first();
    await expect.poll(() => firstRelease.getAttribute('data-status'), { timeout: 10_000 }).toBe('met');
    expect(await firstRelease.innerText()).toMatch(/提前 \d+:\d\d:\d\d/);
    const row = leader.locator('[data-testid="release-row"]').first();
    expect(await row.getAttribute('data-status')).toBe('published');
    const types = await leader.locator('[data-testid="timeline-entry"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-type')));
    expect(types.slice(0, 8)).toEqual(expect.arrayContaining(['release.published', 'deadline.met', 'release.approved', 'release.submitted']));
    await leader.screenshot({ path: 'test-results/releases-incident.png', fullPage: true });

    // The board shows the met clock with its margin too.
    await go(leader, '#/');
    const card = leader.getByTestId('incident-card').filter({ hasText: '城东化工园区储罐爆炸' });
    const boardClock = card.locator('[data-testid="countdown"][data-kind="first_release"]');
    await expect.poll(() => boardClock.getAttribute('data-state')).toBe('met');
    expect(await boardClock.innerText()).toMatch(/提前 \d+:\d\d:\d\d/);
    await leader.screenshot({ path: 'test-results/releases-board.png' });

    expect(await notReloaded(spokes)).toBe(true);
    expect(await notReloaded(leader)).toBe(true);
    await spokes.context().close();
    await leader.context().close();
  }, 120_000);

  it('a sent-back release shows the leader a redline; a scheduled one counts down and can be pulled back', async () => {
    const incidentId = await createIncident('城西高速多车相撞', { severity: 'III', casualties: { deaths: 3, injured: 8, missing: 0 } });
    const spokes = await signIn('spokes');
    const leader = await signIn('em.leader');

    await go(spokes, `#/incidents/${incidentId}`);
    await spokes.getByTestId('new-release-button').click();
    await spokes.getByTestId('release-title').fill('关于城西高速多车相撞事故的情况通报');
    await spokes.getByTestId('release-body').fill('今日上午，城西高速发生多车相撞事故，造成3人死亡、8人受伤。');
    await spokes.getByTestId('release-submit').click(); // save and submit in one step
    await expect.poll(() => status(spokes).getAttribute('data-status'), { timeout: 10_000 }).toBe('in_review');

    await expect.poll(() => leader.getByTestId('review-count').textContent(), { timeout: 10_000 }).toBe('1');
    await go(leader, '#/review');
    await leader.getByTestId('review-item').first().click();
    await leader.getByTestId('reject-comment').fill('伤亡数字请与卫健委核实，并补充救治情况');
    await leader.getByTestId('reject-button').click();
    await expect.poll(() => status(leader).getAttribute('data-status')).toBe('draft');

    // The spokesperson sees it come back with the comment, edits and resubmits.
    await expect.poll(() => status(spokes).getAttribute('data-status'), { timeout: 10_000 }).toBe('draft');
    await spokes.getByTestId('rejection').filter({ hasText: '伤亡数字请与卫健委核实' }).waitFor();
    const edited = '今日上午9时许，城西高速发生多车相撞事故，造成3人死亡、8人受伤，伤员已送市第一人民医院救治。';
    await spokes.getByTestId('release-body').fill(edited);
    await spokes.getByTestId('unsaved').waitFor();
    // Leaving without saving keeps the text in the browser; coming back offers it again.
    await spokes.waitForTimeout(700);
    const releaseHash = await spokes.evaluate(() => location.hash);
    await go(spokes, `#/incidents/${incidentId}`);
    await spokes.getByTestId('incident-detail').waitFor();
    await go(spokes, releaseHash);
    await spokes.getByTestId('restore-draft').click();
    expect(await spokes.getByTestId('release-body').inputValue()).toBe(edited);
    await spokes.getByTestId('release-submit').click();
    await expect.poll(() => status(spokes).getAttribute('data-status'), { timeout: 10_000 }).toBe('in_review');

    // The leader's open view follows; the redline shows what changed since the version sent back.
    await expect.poll(() => status(leader).getAttribute('data-status'), { timeout: 10_000 }).toBe('in_review');
    const redline = leader.getByTestId('redline');
    await redline.waitFor({ timeout: 10_000 });
    expect(await redline.locator('ins').allTextContents()).toEqual(expect.arrayContaining(['9时许', '，伤员已送市第一人民医院救治']));
    for (const check of ['noStateSecrets', 'noPersonalPrivacy', 'figuresVerified']) await leader.getByTestId(`check-${check}`).check();
    await leader.screenshot({ path: 'test-results/releases-redline.png' });
    await leader.getByTestId('approve-button').click();
    await expect.poll(() => status(spokes).getAttribute('data-status'), { timeout: 10_000 }).toBe('approved');

    // A time in the past is refused by the picker (the server would publish it at once).
    const at = spokes.getByTestId('schedule-at');
    const local = (ms: number) =>
      spokes.evaluate((t) => {
        const d = new Date(t);
        const p = (n: number) => String(n).padStart(2, '0');
        return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
      }, ms);
    await at.fill(await local(Date.now() - 10 * 60_000));
    expect(await spokes.getByTestId('schedule-button').isDisabled()).toBe(true);
    await at.fill(await local(Date.now() + 3 * 3_600_000));
    await spokes.getByTestId('schedule-button').click();
    await expect.poll(() => status(spokes).getAttribute('data-status'), { timeout: 10_000 }).toBe('scheduled');
    expect(await spokes.getByTestId('scheduled-countdown').innerText()).toMatch(/距发布 [23]:\d\d:\d\d/);
    await expect.poll(() => status(leader).getAttribute('data-status'), { timeout: 10_000 }).toBe('scheduled');
    await spokes.screenshot({ path: 'test-results/releases-scheduled.png' });
    await spokes.getByTestId('unschedule-button').click();
    await expect.poll(() => status(leader).getAttribute('data-status'), { timeout: 10_000 }).toBe('approved');

    expect(await notReloaded(spokes)).toBe(true);
    expect(await notReloaded(leader)).toBe(true);
    await spokes.context().close();
    await leader.context().close();
  }, 120_000);

  it('a press conference is planned with talking points tied to a release and held, meeting its clock live', async () => {
    const incidentId = await createIncident('城南水厂氯气泄漏');
    const spokes = await signIn('spokes');
    const leader = await signIn('em.leader');
    await go(leader, `#/incidents/${incidentId}`);
    await leader.getByTestId('timeline').waitFor();

    await go(spokes, `#/incidents/${incidentId}`);
    await spokes.getByTestId('new-release-button').click();
    await spokes.getByTestId('insert-facts').click(); // title and a first paragraph from the incident's facts
    expect(await spokes.getByTestId('release-title').inputValue()).toBe('关于城南水厂氯气泄漏的情况通报');
    expect(await spokes.getByTestId('release-body').inputValue()).toMatch(/发生城南水厂氯气泄漏，造成1人死亡、12人受伤。$/);
    await spokes.getByTestId('release-save').click();
    await spokes.getByTestId('release-view').waitFor();
    await go(spokes, `#/incidents/${incidentId}`);

    await spokes.getByTestId('plan-conference').click();
    await spokes.getByTestId('conference-venue').fill('市政府新闻发布厅');
    await spokes.getByTestId('talking-point').first().fill('伤员救治情况');
    await spokes.getByTestId('conference-form').locator('select').first().selectOption({ index: 1 });
    await spokes.screenshot({ path: 'test-results/releases-conference-planner.png', fullPage: true });
    await spokes.getByTestId('conference-submit').click();
    const card = spokes.getByTestId('conference').first();
    await expect.poll(() => card.getAttribute('data-status')).toBe('planned');
    expect(await card.innerText()).toContain('关于城南水厂氯气泄漏的情况通报'); // the talking point's release
    expect(await card.getByTestId('briefing-link').getAttribute('target')).toBe('_blank');
    await leader.locator('[data-testid="timeline-entry"][data-type="conference.planned"]').waitFor({ timeout: 10_000 });
    await leader.getByTestId('conference').first().waitFor();

    await card.getByTestId('conference-hold').click();
    await card.getByTestId('conference-summary').fill('通报伤亡与救治情况');
    await card.getByTestId('conference-hold-confirm').click();
    await expect.poll(() => card.getAttribute('data-status')).toBe('held');
    const clock = leader.locator('[data-testid="countdown"][data-kind="press_conference"]').first();
    await expect.poll(() => clock.getAttribute('data-status'), { timeout: 10_000 }).toBe('met');
    await leader.locator('[data-testid="timeline-entry"][data-type="conference.held"]').waitFor({ timeout: 10_000 });
    await spokes.screenshot({ path: 'test-results/releases-conference.png', fullPage: true });

    expect(await notReloaded(leader)).toBe(true);
    await spokes.context().close();
    await leader.context().close();
  }, 120_000);
});
