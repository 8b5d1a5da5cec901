// Shared pieces of the fault suites (test/faults/*.test.ts) and the soak (test/bench/soak.bench.ts):
// - FaultServer: one real `server/main.ts` process on a data directory (PGlite) or a schema of its own (PostgreSQL,
//   TEST_DATABASE_URL) that outlives it, so it can be killed with SIGKILL and started again on the same data; and SQL
//   on that database (on PGlite only while no process holds it);
// - a local RSS server serving many distinct Chinese posts, with an ETag, counting its requests;
// - the city: departments and users made through the API as an admin would.
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { call, seedCity, signIn, startServer, TestSchema, type City, type ServerProcess } from './cluster.ts';

export { call, signIn, sleep, waitFor, watcher, ADMIN_PASSWORD, PASSWORD, type Watcher } from './cluster.ts';

export const pgUrl = process.env.TEST_DATABASE_URL || undefined;
export const dbKind: 'postgres' | 'pglite' = pgUrl ? 'postgres' : 'pglite';

/** A Beacon process that can be killed and started again on the same database. */
export class FaultServer {
  readonly dataDir = mkdtempSync(join(tmpdir(), 'beacon-fault-'));
  readonly schema: TestSchema | null;
  proc: ServerProcess | null = null;
  /** Logs of every process started so far (the killed ones included), for failure messages. */
  #logs: string[] = [];

  constructor(
    readonly name: string,
    private env: NodeJS.ProcessEnv = {},
    databaseUrl: string | undefined = pgUrl,
  ) {
    this.schema = databaseUrl ? new TestSchema(databaseUrl) : null;
  }

  get base(): string {
    if (!this.proc) throw new Error(`${this.name} is not running`);
    return this.proc.base;
  }

  get pid(): number {
    return this.proc!.child.pid!;
  }

  async start(): Promise<ServerProcess> {
    if (this.proc?.alive()) throw new Error(`${this.name} is already running`);
    if (this.schema && !this.proc && this.#logs.length === 0) await this.schema.create();
    this.proc = await startServer(`${this.name}#${this.#logs.length + 1}`, this.schema?.url ?? null, { ...this.env, DATA_DIR: this.dataDir });
    this.#logs.push('');
    return this.proc;
  }

  /** kill -9: no shutdown handler runs, the PGlite lock file and any lease stay behind. */
  async kill(): Promise<void> {
    const p = this.proc;
    if (!p || !p.alive()) return;
    const exited = new Promise<void>((r) => p.child.once('exit', () => r()));
    p.child.kill('SIGKILL');
    await exited;
    this.#logs[this.#logs.length - 1] = p.log();
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!p) return;
    await p.stop();
    this.#logs[this.#logs.length - 1] = p.log();
  }

  logs(): string {
    const live = this.proc?.alive() ? this.proc.log() : null;
    return this.#logs.map((l, i) => `--- ${this.name} process ${i + 1}\n${i === this.#logs.length - 1 && live !== null ? live : l}`).join('\n');
  }

  /**
   * SQL on the server's database. PostgreSQL: any time (a connection of the test's own). PGlite: only while no process
   * runs on the data directory (PGlite is one process); opened and closed around each call.
   */
  async sql<R = any>(text: string, params: unknown[] = []): Promise<R[]> {
    if (this.schema) return (await this.schema.sql(text, params)) as R[];
    if (this.proc?.alive()) throw new Error('PGlite: stop the server before querying its data directory');
    const db = await PGlite.create(join(this.dataDir, 'pglite'));
    try {
      return (await db.query<R>(text, params)).rows;
    } finally {
      await db.close();
    }
  }

  async cleanup(): Promise<void> {
    if (this.proc?.alive()) this.proc.child.kill('SIGKILL');
    rmSync(this.dataDir, { recursive: true, force: true });
    await this.schema?.drop().catch(() => {});
  }
}

export interface FaultCity extends City {
  admin: string;
  duty: string;
  spokes: string;
  emlead: string;
  analyst: string;
}

/** seedCity (duty, spokes in the office; emlead in em; helead in health) plus an analyst in the office; all signed in. */
export async function seedFaultCity(base: string): Promise<FaultCity> {
  const city = await seedCity(base);
  const admin = await signIn(base, 'admin', 'admin-password-for-tests');
  const r = await call(base, 'POST', '/api/users', admin, { login: 'analyst', name: '舆情分析员', password: 'long-enough-pw', departmentId: city.office.id, roles: ['analyst'] });
  if (r.status !== 201) throw new Error(`user analyst: ${r.status} ${JSON.stringify(r.body)}`);
  return {
    ...city,
    admin,
    duty: await signIn(base, 'duty'),
    spokes: await signIn(base, 'spokes'),
    emlead: await signIn(base, 'emlead'),
    analyst: await signIn(base, 'analyst'),
  };
}

const posts = (): string[] =>
  readFileSync(new URL('../fixtures/opinion/labelled.jsonl', import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { text: string }).text);

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const places = ['城东', '滨江', '高新区', '老城', '江北', '开发区'];

/** `n` distinct Chinese posts (the labelled set, each varied by number and place): every guid, link and text unique. */
export function chinesePosts(n: number, prefix = 'post'): { guid: string; link: string; title: string; text: string }[] {
  const base = posts();
  return Array.from({ length: n }, (_, i) => {
    const text = `${base[i % base.length]}（第${i}条，${places[i % places.length]}网友${(i * 7919) % 10007}）`;
    return { guid: `${prefix}-${i}`, link: `https://bbs.example.cn/${prefix}/${i}`, title: text.slice(0, 24), text };
  });
}

/** An RSS 2.0 document of `n` distinct Chinese items. */
export function chineseFeed(n: number, prefix = 'post'): string {
  const items = chinesePosts(n, prefix).map(
    (p) =>
      `<item><guid isPermaLink="false">${p.guid}</guid><title>${esc(p.title)}</title><link>${p.link}</link>` +
      `<description>${esc(p.text)}</description><pubDate>Sun, 22 Nov 2026 02:30:00 GMT</pubDate></item>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>城市论坛</title><link>https://bbs.example.cn/</link><description>本地论坛</description>${items.join('')}</channel></rss>`;
}

export interface FeedServer {
  url: string;
  /** Requests served (200 and 304). */
  requests: () => number;
  close(): Promise<void>;
}

/** Serves `body` at /feed.xml with an ETag (answering If-None-Match with 304), on loopback. */
export async function feedServer(body: string): Promise<FeedServer> {
  const etag = `"feed-${body.length}"`;
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    if (req.url !== '/feed.xml') {
      res.writeHead(404).end();
      return;
    }
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/feed.xml`,
    requests: () => requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Every event the user may see after `after`, paged through GET /api/events. */
export async function allEvents(base: string, cookie: string, after = 0): Promise<any[]> {
  const out: any[] = [];
  for (;;) {
    const r = await call(base, 'GET', `/api/events?after=${after}&limit=5000`, cookie);
    if (r.status !== 200) throw new Error(`GET /api/events: ${r.status} ${JSON.stringify(r.body)}`);
    out.push(...r.body.events);
    if (!r.body.more || r.body.events.length === 0) return out;
    after = Number(r.body.events[r.body.events.length - 1].id);
  }
}
