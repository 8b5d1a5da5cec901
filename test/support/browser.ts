// Browser tests drive Debian's Chromium through playwright-core. Without /usr/bin/chromium they skip, saying why.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';
import pino from 'pino';
import { createBeacon, type Beacon } from '../../server/beacon.ts';
import { freshDb, seedCity, type City, type TestDb } from './harness.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
export const skipReason = `browser tests skipped: no Chromium at ${CHROMIUM} (install Debian's chromium package, as .ci/run does)`;

export async function launchChromium(): Promise<Browser> {
  // Playwright gives every launch a fresh, empty profile directory of its own (it refuses --user-data-dir).
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Builds the console once into a fresh directory, so the test sees the current source. */
export function buildConsole(): string {
  const outDir = mkdtempSync(join(tmpdir(), 'beacon-web-'));
  const res = spawnSync('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`vite build failed:\n${res.stdout}\n${res.stderr}`);
  return outDir;
}

export interface ConsoleWorld {
  db: TestDb;
  beacon: Beacon;
  city: City;
  url: string;
  browser: Browser;
}

/** A built console served by a listening Beacon on a fresh database with the test city, and a Chromium. */
export async function startConsoleWorld(): Promise<ConsoleWorld> {
  const webDir = buildConsole();
  const db = await freshDb();
  const beacon = await createBeacon({ handle: db.handle, log: pino({ level: 'silent' }), webDir, runScheduler: true });
  const city = await seedCity(beacon);
  const url = await beacon.listen(0);
  const browser = await launchChromium();
  return { db, beacon, city, url, browser };
}

export async function stopConsoleWorld(world: Partial<ConsoleWorld>): Promise<void> {
  await world.browser?.close();
  await world.beacon?.stop();
  await world.db?.handle.close();
  await world.db?.drop();
}
