// docs/deploy.md, tried for real. The nginx configuration is taken from the guide as written (only its listen port
// and upstream ports are changed) and put in front of two Beacon processes on one PostgreSQL schema: sign-in and the
// API through it, on both processes; socket.io through it over WebSocket, over long-polling only, and polling that
// upgrades; /metrics refused to other hosts; then the guide's pg_dump/pg_restore round trip brings back an incident
// with its audit chain intact. The PGlite backup (stop, copy DATA_DIR, restore the copy) runs without either.
// Needs the Debian packages nginx (or nginx-light) and postgresql-client, and TEST_DATABASE_URL.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_PASSWORD,
  call,
  pgUrl,
  seedCity,
  signIn,
  sleep,
  startServer,
  stopProcess,
  TestSchema,
  waitFor,
  watcher,
  type City,
  type ServerProcess,
  type Watcher,
} from '../support/cluster.ts';

const guide = readFileSync('docs/deploy.md', 'utf8');

function findNginx(): string | null {
  for (const bin of ['nginx', '/usr/sbin/nginx']) {
    if (spawnSync(bin, ['-v'], { stdio: 'ignore' }).status === 0) return bin;
  }
  return null;
}
const nginxBin = findNginx();
const hasPgTools = spawnSync('pg_dump', ['--version'], { stdio: 'ignore' }).status === 0;
const missing = [!pgUrl && 'TEST_DATABASE_URL', !nginxBin && 'nginx (apt-get install nginx-light)', !hasPgTools && 'pg_dump (apt-get install postgresql-client)'].filter(Boolean);
if (missing.length) console.warn(`test/e2e/deploy.test.ts: the nginx and backup checks are skipped: missing ${missing.join(', ')}`);

/** The guide's nginx configuration with its listen port and upstream servers pointed at this test's. */
export function nginxConfigFromGuide(markdown: string, listenPort: number, upstreamPorts: number[]): string {
  const block = /```nginx\n([\s\S]*?)```/.exec(markdown)?.[1];
  if (!block) throw new Error('docs/deploy.md has no ```nginx block');
  let upstreams = 0;
  let conf = block.replace(/(?:^([ \t]*)server 127\.0\.0\.1:\d+([^;\n]*);\n)+/gm, (_run, indent: string, params: string) => {
    upstreams++;
    return upstreamPorts.map((p) => `${indent}server 127.0.0.1:${p}${params};\n`).join('');
  });
  let listens = 0;
  conf = conf.replace(/^([ \t]*)listen 80;$/m, (_m, indent: string) => {
    listens++;
    return `${indent}listen 127.0.0.1:${listenPort};`;
  });
  if (upstreams !== 2 || listens !== 1) throw new Error(`the guide's nginx block changed shape (upstreams ${upstreams}, listens ${listens}): update this test`);
  return conf;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** A GET from a chosen local address (127.0.0.2 is "another host" to nginx's allow/deny). */
function getFrom(localAddress: string, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get(url, { localAddress }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).once('error', reject);
  });
}

describe.skipIf(missing.length > 0)('the deployment guide: two processes behind nginx on PostgreSQL', () => {
  const schema = new TestSchema(pgUrl ?? '');
  const dir = mkdtempSync(join(tmpdir(), 'beacon-nginx-'));
  let servers: ServerProcess[] = [];
  let nginx: ChildProcess | null = null;
  let nginxLog = '';
  let base = '';
  let admin = '';
  let duty = '';
  const sockets: Watcher[] = [];
  let incidentId = '';
  let city: City;

  beforeAll(async () => {
    await schema.create();
    servers = await Promise.all(['A', 'B'].map((name) => startServer(name, schema.url)));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    mkdirSync(join(dir, 'tmp'), { recursive: true });
    chmodSync(join(dir, 'tmp'), 0o777); // nginx's workers may run as nobody
    writeFileSync(join(dir, 'beacon.conf'), nginxConfigFromGuide(guide, port, servers.map((s) => s.port)));
    writeFileSync(
      join(dir, 'nginx.conf'),
      `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  log_format upstream '$request_method $uri $status $upstream_addr';
  access_log ${dir}/access.log upstream;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  include ${dir}/beacon.conf;
}
`,
    );
    const check = spawnSync(nginxBin!, ['-t', '-e', join(dir, 'error.log'), '-p', dir, '-c', join(dir, 'nginx.conf')], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`nginx -t refused the guide's configuration:\n${check.stderr}`);
    nginx = spawn(nginxBin!, ['-e', join(dir, 'error.log'), '-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
    nginx.stdout!.on('data', (d) => (nginxLog += d));
    nginx.stderr!.on('data', (d) => (nginxLog += d));
    await waitFor(async () => (await fetch(`${base}/healthz`)).ok, 20_000, () => `nginx to pass /healthz through (${nginxLog})`);
  }, 180_000);

  afterAll(async () => {
    for (const s of sockets) s.close();
    if (nginx) await stopProcess(nginx, 5000);
    await Promise.all(servers.map((s) => s.stop()));
    await schema.drop();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('passes sign-in and the API through to both processes', async () => {
    const health = await call(base, 'GET', '/healthz', null);
    expect(health.body).toMatchObject({ ok: true, db: 'postgres' });
    admin = await signIn(base, 'admin', ADMIN_PASSWORD);
    expect((await call(base, 'GET', '/api/session', admin)).body.user.login).toBe('admin');
    city = await seedCity(base); // departments and users, all through nginx
    duty = await signIn(base, 'duty');
    for (let i = 0; i < 6; i++) expect((await call(base, 'GET', '/api/incidents', duty)).status).toBe(200);
    // least_conn spread the API over both processes, and each accepted sessions made through the other.
    const log = readFileSync(join(dir, 'access.log'), 'utf8');
    for (const s of servers) expect(log, `requests reaching ${s.name}`).toMatch(new RegExp(`/api/\\S+ 20\\d 127\\.0\\.0\\.1:${s.port}`));
  });

  it('carries socket.io over WebSocket, over long-polling, and polling that upgrades; events reach all three once', async () => {
    const ws = await watcher(base, await signIn(base, 'emlead'), ['websocket']);
    const polling = await watcher(base, await signIn(base, 'emlead'), ['polling']);
    const upgrading = await watcher(base, await signIn(base, 'emlead'), ['polling', 'websocket']);
    sockets.push(ws, polling, upgrading);
    expect(ws.socket.io.engine.transport.name).toBe('websocket');
    expect(polling.socket.io.engine.transport.name).toBe('polling');
    await waitFor(() => upgrading.socket.io.engine.transport.name === 'websocket', 10_000, 'the polling connection to upgrade to WebSocket');

    const created = await call(base, 'POST', '/api/incidents', duty, {
      title: '城东化工园区储罐爆炸',
      category: 'accident',
      severity: 'II',
      occurredAt: new Date(Date.now() - 3600_000).toISOString(),
      leadDepartmentId: city.em.id,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    incidentId = String(created.body.incident.id);
    const isIt = (e: any) => e.incidentId === incidentId;
    await waitFor(() => sockets.every((s) => s.count('incident.created', isIt) >= 1), 10_000, 'incident.created through nginx on every transport');
    // Long-polls outlive a few round trips: another event later still arrives on the polling connection.
    await sleep(1500);
    const patched = await call(base, 'PATCH', `/api/incidents/${incidentId}`, duty, { version: created.body.incident.version, location: '城东化工园区3号罐区' });
    expect(patched.status, JSON.stringify(patched.body)).toBeLessThan(300);
    await waitFor(() => sockets.every((s) => s.events.filter(isIt).length >= 2), 10_000, 'a second event on every transport');
    await sleep(300);
    for (const s of sockets) expect(s.count('incident.created', isIt)).toBe(1);
    expect(polling.socket.connected && polling.socket.io.engine.transport.name).toBe('polling');
  });

  it('keeps /metrics to the monitoring host', async () => {
    expect(await getFrom('127.0.0.1', `${base}/metrics`)).toBe(200);
    expect(await getFrom('127.0.0.2', `${base}/metrics`)).toBe(403);
  });

  it('restores an incident from the guide\'s pg_dump/pg_restore round trip, audit chain intact', async () => {
    expect(incidentId).not.toBe('');
    const dump = join(dir, 'beacon.dump');
    // The guide's commands (with -n for a schema of its own).
    execFileSync('pg_dump', ['-Fc', '--exclude-table-data=*.socket_io_attachments', '-n', schema.name, '-f', dump, schema.url], { stdio: 'pipe' });
    for (const s of sockets) s.close();
    await Promise.all(servers.map((s) => s.stop()));
    await schema.drop(); // the disaster
    execFileSync('pg_restore', ['--clean', '--if-exists', '--no-owner', '-d', schema.url, dump], { stdio: 'pipe' });
    // One process back on its old port: nginx finds the other upstream down and sends everything here.
    servers = [await startServer('A-restored', schema.url, { PORT: String(servers[0].port) })];
    const adminAgain = await signIn(base, 'admin', ADMIN_PASSWORD);
    const emlead = await signIn(base, 'emlead');
    const incident = await call(base, 'GET', `/api/incidents/${incidentId}`, emlead);
    expect(incident.status).toBe(200);
    expect(incident.body.incident).toMatchObject({ title: '城东化工园区储罐爆炸', location: '城东化工园区3号罐区' });
    const verify = await call(base, 'GET', '/api/audit/verify', adminAgain);
    expect(verify.status).toBe(200);
    expect(verify.body.ok, JSON.stringify(verify.body)).toBe(true);
  }, 90_000);
});

// PGlite only: it runs in the embedded-database pass, not again in the PostgreSQL one.
describe.skipIf(!!pgUrl)('the deployment guide: PGlite backup (stop, copy DATA_DIR, restore the copy)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-pglite-backup-'));
  const dataDir = join(dir, 'data');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function addDepartment(server: ServerProcess, name: string) {
    const admin = await signIn(server.base, 'admin', ADMIN_PASSWORD);
    const r = await call(server.base, 'POST', '/api/departments', admin, { name });
    expect(r.status).toBe(201);
  }
  async function departments(server: ServerProcess): Promise<string[]> {
    const admin = await signIn(server.base, 'admin', ADMIN_PASSWORD);
    return (await call(server.base, 'GET', '/api/departments', admin)).body.items.map((d: any) => d.name);
  }

  it('brings back what was there at the backup, and nothing after it', async () => {
    expect(guide).toContain('tar -C "$DATA_DIR" -czf');
    let server = await startServer('pglite', null, { DATA_DIR: dataDir });
    await addDepartment(server, '备份前的部门');
    await server.stop();
    const backup = join(dir, 'beacon-pglite.tar.gz');
    execFileSync('tar', ['-C', dataDir, '-czf', backup, 'pglite']);

    server = await startServer('pglite-after', null, { DATA_DIR: dataDir });
    await addDepartment(server, '备份后的部门');
    await server.stop();

    rmSync(join(dataDir, 'pglite'), { recursive: true, force: true });
    execFileSync('tar', ['-C', dataDir, '-xzf', backup]);
    server = await startServer('pglite-restored', null, { DATA_DIR: dataDir });
    try {
      const names = await departments(server);
      expect(names).toContain('备份前的部门');
      expect(names).not.toContain('备份后的部门');
    } finally {
      await server.stop();
    }
  }, 120_000);
});
