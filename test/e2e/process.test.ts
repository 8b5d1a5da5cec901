// The real thing: `server/main.ts` as a child process with the system clock. A grade II incident logged 4 h 59 min
// 50 s after it happened misses its 5-hour clock within seconds of due; a watching socket client gets
// `deadline.missed` once; after a SIGTERM and a restart it is still missed and nothing fires twice.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import pg from 'pg';
import { randomBytes } from 'node:crypto';

const ADMIN_PASSWORD = 'admin-password-for-tests';
const pgUrl = process.env.TEST_DATABASE_URL;
const kind = pgUrl ? 'postgres' : 'pglite';

async function waitFor<T>(fn: () => Promise<T | undefined> | T | undefined, ms: number, what: string): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch {}
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe(`server process on ${kind}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-proc-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const base = `http://127.0.0.1:${port}`;
  const schema = `p_${randomBytes(5).toString('hex')}`;
  let child: ChildProcess | null = null;
  let log = '';

  async function databaseUrl(): Promise<string | undefined> {
    if (!pgUrl) return undefined;
    // A database URL whose search_path is a schema of its own, so parallel runs do not collide.
    const c = new pg.Client({ connectionString: pgUrl });
    await c.connect();
    await c.query(`create schema if not exists ${schema}`);
    await c.end();
    const u = new URL(pgUrl);
    u.searchParams.set('options', `-c search_path=${schema}`);
    return u.toString();
  }

  async function boot() {
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), DATA_DIR: dir, ADMIN_PASSWORD, LOG_LEVEL: 'info', DEMO: '0' };
    delete env.DATABASE_URL;
    const url = await databaseUrl();
    if (url) env.DATABASE_URL = url;
    child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d) => (log += d));
    child.stderr!.on('data', (d) => (log += d));
    await waitFor(async () => (await fetch(`${base}/healthz`)).ok, 60_000, `the server to answer (log: ${log})`);
  }

  async function stop() {
    if (!child) return;
    const exited = new Promise<void>((r) => child!.once('exit', () => r()));
    child.kill('SIGTERM');
    await exited;
    child = null;
  }

  afterAll(async () => {
    if (child) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    if (pgUrl) {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    }
  });

  async function call(method: string, path: string, cookie: string | null, body?: unknown) {
    const res = await fetch(base + path, {
      method,
      headers: { ...(cookie && { cookie }), ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: res.status === 204 ? null : await res.json(), cookie: res.headers.get('set-cookie')?.split(';')[0] ?? null };
  }

  it('misses the clock on time, tells the watcher once, and keeps it missed across a restart', async () => {
    await boot();
    const admin = (await call('POST', '/api/session', null, { login: 'admin', password: ADMIN_PASSWORD })).cookie!;
    expect(admin).toBeTruthy();
    const office = (await call('POST', '/api/departments', admin, { name: '市政府办公室', coordinating: true })).body.department;
    const em = (await call('POST', '/api/departments', admin, { name: '市应急管理局' })).body.department;
    const other = (await call('POST', '/api/departments', admin, { name: '市卫生健康委员会' })).body.department;
    for (const [login, dept, roles] of [['duty', office, ['duty_officer']], ['emlead', em, ['leader']], ['helead', other, ['leader']]] as const) {
      const r = await call('POST', '/api/users', admin, { login, name: login, password: 'long-enough-pw', departmentId: dept.id, roles });
      expect(r.status).toBe(201);
    }
    const duty = (await call('POST', '/api/session', null, { login: 'duty', password: 'long-enough-pw' })).cookie!;
    const emlead = (await call('POST', '/api/session', null, { login: 'emlead', password: 'long-enough-pw' })).cookie!;
    const helead = (await call('POST', '/api/session', null, { login: 'helead', password: 'long-enough-pw' })).cookie!;

    const connect = (cookie: string) =>
      io(base, { extraHeaders: { cookie }, transports: ['websocket'], reconnection: false, forceNew: true });
    const watcher: Socket = connect(emlead);
    const outsider: Socket = connect(helead);
    const seen: any[] = [];
    const outsiderSeen: any[] = [];
    watcher.on('event', (e) => seen.push(e));
    outsider.on('event', (e) => outsiderSeen.push(e));
    const hello: any = await new Promise((r) => watcher.once('hello', r));
    await new Promise<void>((r) => (outsider.connected ? r() : outsider.once('connect', () => r())));

    const occurredAt = new Date(Date.parse(hello.serverNow) - (4 * 3600 + 59 * 60 + 50) * 1000).toISOString();
    const created = await call('POST', '/api/incidents', duty, {
      title: '城东化工园区储罐爆炸',
      category: 'accident',
      severity: 'II',
      occurredAt,
      leadDepartmentId: em.id,
    });
    expect(created.status).toBe(201);
    const incident = created.body.incident;
    const first = incident.deadlines.find((d: any) => d.kind === 'first_release');
    expect(first.dueAt).toBe(new Date(Date.parse(occurredAt) + 5 * 3600_000).toISOString());
    expect(first.status).toBe('pending');
    const ack: any = await new Promise((r) => watcher.emit('watch', { incidentId: incident.id }, r));
    expect(ack.ok).toBe(true);

    const missed = await waitFor(() => seen.find((e) => e.type === 'deadline.missed'), 30_000, 'deadline.missed');
    const lagMs = Date.now() - Date.parse(first.dueAt);
    expect(missed.payload.deadline.id).toBe(first.id);
    expect(lagMs).toBeLessThan(10_000); // "within a few seconds" — generous for a loaded CI machine
    const lastSeen = Number(seen[seen.length - 1].id);
    await new Promise((r) => setTimeout(r, 500));
    expect(seen.filter((e) => e.type === 'deadline.missed')).toHaveLength(1);
    expect(outsiderSeen.filter((e) => e.incidentId === incident.id)).toEqual([]);
    expect((await call('GET', `/api/incidents/${incident.id}`, helead)).status).toBe(404);
    watcher.close();
    outsider.close();

    await stop();
    await boot();

    const after = await call('GET', `/api/incidents/${incident.id}`, emlead);
    expect(after.body.incident.deadlines.find((d: any) => d.kind === 'first_release').status).toBe('missed');
    await new Promise((r) => setTimeout(r, 3000)); // a scheduler cycle or more after the restart
    const since = await call('GET', `/api/events?after=${lastSeen}`, emlead);
    expect(since.body.events.filter((e: any) => e.type === 'deadline.missed')).toEqual([]);
    const all = await call('GET', '/api/events?after=0', emlead);
    expect(all.body.events.filter((e: any) => e.type === 'deadline.missed' && e.payload.deadline.id === first.id)).toHaveLength(1);
    await stop();
  }, 150_000);
});
