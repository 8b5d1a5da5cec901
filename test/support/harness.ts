// Test harness: a Beacon on PGlite (in memory) or, with TEST_DATABASE_URL, on PostgreSQL in a schema of its own,
// with a manual clock, a small city of departments and users, and helpers to call the API as any of them.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { ManualClock } from '../../server/clock.ts';
import { connectPglite, connectPostgres, type DbHandle } from '../../server/db/connect.ts';
import { createBeacon, type Beacon } from '../../server/beacon.ts';
import { createDepartment, createUser } from '../../server/people/service.ts';
import type { Role } from '../../shared/domain.ts';

export const PASSWORD = 'correct-horse-battery';
export const dbKind = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';

export interface TestDb {
  handle: DbHandle;
  /** Opens another handle on the same database (a "restart"); PGlite in memory cannot, so tests use a data dir. */
  reopen(): Promise<DbHandle>;
  drop(): Promise<void>;
}

/** A fresh, empty database. PGlite uses `dataDir` when given (needed to survive a simulated restart). */
export async function freshDb(dataDir?: string): Promise<TestDb> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    const handle = await connectPglite(dataDir ?? null);
    return { handle, reopen: () => connectPglite(dataDir ?? null), drop: async () => {} };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const handle = await connectPostgres(url, { schema, poolSize: 5 });
  return {
    handle,
    reopen: () => connectPostgres(url, { schema, poolSize: 5 }),
    drop: async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    },
  };
}

export const silentLog = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export interface City {
  depts: { office: string; publicity: string; emergency: string; health: string; police: string };
  /** login → user id */
  users: Record<string, string>;
}

const PEOPLE: [login: string, dept: keyof City['depts'], roles: Role[]][] = [
  ['duty', 'office', ['duty_officer']],
  ['leader', 'office', ['leader']],
  ['spokes', 'publicity', ['spokesperson']],
  ['em.duty', 'emergency', ['duty_officer']],
  ['em.leader', 'emergency', ['leader']],
  ['he.duty', 'health', ['duty_officer']],
  ['he.leader', 'health', ['leader']],
  ['po.analyst', 'police', ['analyst']],
  ['cy.analyst', 'publicity', ['analyst']], // an analyst of a coordinating department: sees every incident
  ['admin', 'office', ['admin']],
];

export async function seedCity(beacon: Beacon): Promise<City> {
  const d = async (name: string, coordinating = false) => (await createDepartment(beacon.ctx, null, { name, coordinating })).id;
  const depts = {
    office: await d('市政府办公室', true),
    publicity: await d('市委宣传部', true),
    emergency: await d('市应急管理局'),
    health: await d('市卫生健康委员会'),
    police: await d('市公安局'),
  };
  const users: Record<string, string> = {};
  for (const [login, dept, roles] of PEOPLE) {
    users[login] = (await createUser(beacon.ctx, null, { login, name: login, password: PASSWORD, departmentId: depts[dept], roles })).id;
  }
  return { depts, users };
}

export interface Harness {
  beacon: Beacon;
  clock: ManualClock;
  city: City;
  db: TestDb;
  /** Signs in and returns the Cookie header value. */
  login(login: string): Promise<string>;
  /** Calls the API in-process; `as` is a login (signed in on first use). */
  api(method: string, path: string, opts?: { as?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

export async function startHarness(opts: { start?: string; dataDir?: string; db?: TestDb; runScheduler?: boolean } = {}): Promise<Harness> {
  const clock = new ManualClock(opts.start ?? '2026-11-22T02:10:00Z');
  const db = opts.db ?? (await freshDb(opts.dataDir));
  const beacon = await createBeacon({ handle: db.handle, log: silentLog, clock, runScheduler: opts.runScheduler ?? false });
  const city = await seedCity(beacon);
  const cookies = new Map<string, string>();
  const login = async (who: string) => {
    const res = await beacon.app.request('/api/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: who, password: PASSWORD }),
    });
    if (res.status !== 200) throw new Error(`login ${who} failed: ${res.status} ${await res.text()}`);
    const cookie = res.headers.get('set-cookie')!.split(';')[0];
    cookies.set(who, cookie);
    return cookie;
  };
  return {
    beacon,
    clock,
    city,
    db,
    login,
    async api(method, path, o = {}) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      if (o.as) headers.cookie = cookies.get(o.as) ?? (await login(o.as));
      if (o.body !== undefined) headers['content-type'] = 'application/json';
      const res = await beacon.app.request(path, {
        method,
        headers,
        body: o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {}
      return { status: res.status, body, headers: res.headers };
    },
    async close() {
      await beacon.stop();
      await db.handle.close();
      await db.drop();
    },
  };
}

/** A grade II chemical-plant incident as the duty officer logs it. */
export function chemicalPlant(city: City, occurredAt: string, extra: Record<string, unknown> = {}) {
  return {
    title: '城东化工园区储罐爆炸',
    category: 'accident',
    severity: 'II',
    occurredAt,
    location: '城东化工园区',
    leadDepartmentId: city.depts.emergency,
    casualties: { deaths: 1, injured: 12, missing: 0 },
    keywords: ['化工', '爆炸'],
    ...extra,
  };
}
