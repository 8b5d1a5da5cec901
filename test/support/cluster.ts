// Several real Beacon processes (`node --import tsx server/main.ts`) on one PostgreSQL schema, for the multi-process
// and deployment tests: a schema of their own (search_path in DATABASE_URL, an application_name to find their
// connections by), processes on free ports, HTTP and socket.io helpers, and a clean end (SIGTERM, then SIGKILL).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import pg from 'pg';

export const ADMIN_PASSWORD = 'admin-password-for-tests';
export const PASSWORD = 'long-enough-pw';
export const pgUrl = process.env.TEST_DATABASE_URL;

export async function waitFor<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, ms: number, what: string | (() => string)): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch {}
    if (Date.now() > until) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A schema of its own on TEST_DATABASE_URL, and the DATABASE_URL that selects it. */
export class TestSchema {
  readonly name = `mp_${randomBytes(5).toString('hex')}`;
  /** Every connection the processes open carries it, so a test can find (and cut) exactly theirs. */
  readonly appName = `beacon-test-${this.name}`;
  constructor(readonly baseUrl: string) {}

  /** Spaces as %20, not '+': libpq (pg_dump, pg_restore, psql) reads the same URL and takes '+' literally. */
  get url(): string {
    const sep = this.baseUrl.includes('?') ? '&' : '?';
    return `${this.baseUrl}${sep}options=${encodeURIComponent(`-c search_path=${this.name}`)}&application_name=${this.appName}`;
  }

  async sql<R extends pg.QueryResultRow = any>(text: string, params: unknown[] = []): Promise<R[]> {
    const c = new pg.Client({ connectionString: this.url });
    c.on('error', () => {});
    await c.connect();
    try {
      return (await c.query<R>(text, params)).rows;
    } finally {
      await c.end();
    }
  }

  async create(): Promise<void> {
    await adminSql(this.baseUrl, `create schema ${this.name}`);
  }

  async drop(): Promise<void> {
    await adminSql(this.baseUrl, `drop schema if exists ${this.name} cascade`);
  }

  /** Ends every PostgreSQL connection of the processes (what they see when PostgreSQL restarts), not the test's. */
  async cutConnections(): Promise<number> {
    const rows = await adminSql(
      this.baseUrl,
      `select pg_terminate_backend(pid) as ok from pg_stat_activity where application_name = $1 and pid <> pg_backend_pid()`,
      [this.appName],
    );
    return rows.length;
  }
}

async function adminSql(url: string, text: string, params: unknown[] = []) {
  const c = new pg.Client({ connectionString: url });
  c.on('error', () => {});
  await c.connect();
  try {
    return (await c.query(text, params)).rows;
  } finally {
    await c.end();
  }
}

export interface ServerProcess {
  name: string;
  base: string;
  port: number;
  child: ChildProcess;
  log(): string;
  alive(): boolean;
  stop(): Promise<void>;
}

/**
 * Starts `server/main.ts` with PORT=0 and resolves once it serves (its log names the port it got). Without DATA_DIR in
 * `env` it gets a temporary one, removed when it exits.
 */
export async function startServer(name: string, databaseUrl: string | null, env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  const ownDir = !env.DATA_DIR;
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), `beacon-${name}-`));
  const childEnv: NodeJS.ProcessEnv = { ...process.env, PORT: '0', ADMIN_PASSWORD, LOG_LEVEL: 'info', DEMO: '0', ...env, DATA_DIR: dataDir };
  delete childEnv.DATABASE_URL;
  if (databaseUrl) childEnv.DATABASE_URL = databaseUrl;
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  let exited = false;
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  child.once('exit', () => {
    exited = true;
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
  });
  const port = await waitFor(
    () => {
      if (exited) throw new Error('exited');
      const m = /"url":"http:\/\/localhost:(\d+)"/.exec(log);
      return m ? Number(m[1]) : undefined;
    },
    90_000,
    () => `${name} to serve (exited: ${exited}; log: ${log})`,
  ).catch((err) => {
    child.kill('SIGKILL');
    throw err;
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${base}/healthz`)).ok, 30_000, `${name} /healthz`);
  return {
    name,
    base,
    port,
    child,
    log: () => log,
    alive: () => !exited,
    stop: () => stopProcess(child),
  };
}

/** SIGTERM, and SIGKILL if it has not exited within `graceMs`. */
export async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export interface ApiResult {
  status: number;
  body: any;
  cookie: string | null;
}

export async function call(base: string, method: string, path: string, cookie: string | null, body?: unknown): Promise<ApiResult> {
  const res = await fetch(base + path, {
    method,
    headers: { ...(cookie && { cookie }), ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {}
  return { status: res.status, body: parsed, cookie: res.headers.get('set-cookie')?.split(';')[0] ?? null };
}

export async function signIn(base: string, login: string, password = PASSWORD): Promise<string> {
  const r = await call(base, 'POST', '/api/session', null, { login, password });
  if (r.status !== 200 || !r.cookie) throw new Error(`sign-in of ${login} at ${base} failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.cookie;
}

export interface City {
  office: { id: string };
  em: { id: string };
  health: { id: string };
}

/** Departments and users made through the HTTP API of one process: duty (office), spokes (office), emlead (em). */
export async function seedCity(base: string): Promise<City> {
  const admin = await signIn(base, 'admin', ADMIN_PASSWORD);
  const dept = async (name: string, coordinating = false) => {
    const r = await call(base, 'POST', '/api/departments', admin, { name, coordinating });
    if (r.status !== 201) throw new Error(`department ${name}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.department as { id: string };
  };
  const office = await dept('市政府办公室', true);
  const em = await dept('市应急管理局');
  const health = await dept('市卫生健康委员会');
  const people: [string, { id: string }, string[]][] = [
    ['duty', office, ['duty_officer']],
    ['spokes', office, ['spokesperson']],
    ['emlead', em, ['leader']],
    ['helead', health, ['leader']],
  ];
  for (const [login, d, roles] of people) {
    const r = await call(base, 'POST', '/api/users', admin, { login, name: login, password: PASSWORD, departmentId: d.id, roles });
    if (r.status !== 201) throw new Error(`user ${login}: ${r.status} ${JSON.stringify(r.body)}`);
  }
  return { office, em, health };
}

/** A socket.io client that records every `event` and `hello`; resolves once greeted. */
export interface Watcher {
  socket: Socket;
  events: any[];
  hellos: any[];
  /** How many `event`s of this type (and, if given, matching) it received. */
  count(type: string, match?: (e: any) => boolean): number;
  close(): void;
}

export async function watcher(base: string, cookie: string, transports: ('websocket' | 'polling')[] = ['websocket'], path?: string): Promise<Watcher> {
  const socket = io(base, { extraHeaders: { cookie }, transports, reconnection: false, forceNew: true, ...(path && { path }) });
  const events: any[] = [];
  const hellos: any[] = [];
  socket.on('event', (e) => events.push(e));
  socket.on('hello', (h) => hellos.push(h));
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no hello from ${base}`)), 15_000);
    socket.once('hello', () => {
      clearTimeout(t);
      resolve();
    });
    socket.once('connect_error', (err) => {
      clearTimeout(t);
      reject(err);
    });
  });
  return {
    socket,
    events,
    hellos,
    count: (type, match) => events.filter((e) => e.type === type && (!match || match(e))).length,
    close: () => socket.close(),
  };
}
