// A duty officer signs in, logs an incident that happened 4 h 59 min ago, and watches its 5-hour clock count
// down; a leader in a second browser sees it appear without a reload.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Beacon } from '../../server/beacon.ts';
import { PASSWORD, type City, type TestDb } from '../support/harness.ts';
import { hasChromium, skipReason, startConsoleWorld, stopConsoleWorld } from '../support/browser.ts';

if (!hasChromium) console.warn(skipReason);

describe.runIf(hasChromium)('console in Chromium', () => {
  let db: TestDb;
  let beacon: Beacon;
  let city: City;
  let url: string;
  let browser: Browser;

  beforeAll(async () => {
    ({ db, beacon, city, url, browser } = await startConsoleWorld());
  }, 120_000);

  afterAll(() => stopConsoleWorld({ db, beacon, browser }));

  async function signIn(login: string) {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    await page.goto(url);
    await page.getByTestId('login-user').fill(login);
    await page.getByTestId('login-password').fill(PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('connection-state').and(page.locator('[data-state="live"]')).waitFor({ timeout: 15_000 });
    return page;
  }

  it('signs in, logs an incident, sees its countdown; another browser sees it live', async () => {
    const watcher = await signIn('em.leader');
    const duty = await signIn('duty');

    await duty.getByTestId('new-incident-button').click();
    const form = duty.getByTestId('incident-form');
    await form.waitFor();
    await duty.getByTestId('field-title').fill('城东化工园区储罐爆炸');
    await duty.getByTestId('field-severity').selectOption('II');
    await duty.getByTestId('field-category').selectOption('accident');
    await duty.getByTestId('field-leadDepartment').selectOption(city.depts.emergency);
    // Set back to 4 h 59 min ago (local time in the browser's zone).
    const occurred = await duty.evaluate(() => {
      const d = new Date(Date.now() - (4 * 60 + 59) * 60_000);
      const pad = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
    });
    await duty.getByTestId('field-occurredAt').fill(occurred);
    await duty.getByTestId('incident-submit').click();
    await duty.getByTestId('incident-detail').waitFor({ timeout: 10_000 });

    const countdown = duty.locator('[data-testid="countdown"][data-kind="first_release"]').first();
    await countdown.waitFor();
    const first = await countdown.innerText();
    expect(first).toMatch(/0:0\d:\d\d/); // under a minute and some seconds left
    await duty.waitForTimeout(2100);
    expect(await countdown.innerText()).not.toBe(first); // it is ticking

    // The leader's board shows the new incident without a reload.
    const card = watcher.getByTestId('incident-card').filter({ hasText: '城东化工园区储罐爆炸' });
    await card.waitFor({ timeout: 10_000 });
    expect(await card.locator('[data-testid="countdown"][data-kind="first_release"]').count()).toBe(1);

    await duty.screenshot({ path: 'test-results/e2e-detail.png', fullPage: true });
    await watcher.screenshot({ path: 'test-results/e2e-board.png', fullPage: true });
  }, 90_000);
});
