import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { connectPglite } from '../../server/db/connect.ts';
import { chemicalPlant, dbKind, PASSWORD, startHarness, type Harness } from '../support/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ start: '2026-11-22T03:00:00Z' });
});
afterAll(() => h?.close());

describe(`sessions on ${dbKind}`, () => {
  it('signs in with a HttpOnly SameSite=Lax cookie, reads and ends the session', async () => {
    const res = await h.beacon.app.request('/api/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'duty', password: PASSWORD }),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^sid=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const sid = cookie.split(';')[0];
    const me = await h.beacon.app.request('/api/session', { headers: { cookie: sid } });
    expect((await me.json()).user.login).toBe('duty');
    expect((await h.beacon.app.request('/api/session', { method: 'DELETE', headers: { cookie: sid } })).status).toBe(204);
    expect((await h.beacon.app.request('/api/session', { headers: { cookie: sid } })).status).toBe(401);
  });

  it('a wrong password is a 401; five in a row throttle the login with a 429', async () => {
    const attempt = (password: string) => h.api('POST', '/api/session', { body: { login: 'he.duty', password } });
    for (let i = 0; i < 5; i++) expect((await attempt('wrong-password')).status).toBe(401);
    const throttled = await attempt(PASSWORD);
    expect(throttled.status).toBe(429);
    expect(throttled.body.error.code).toBe('rate_limited');
    h.clock.advance(16 * 60_000);
    expect((await attempt(PASSWORD)).status).toBe(200);
  });

  it('a cross-origin POST is refused', async () => {
    const res = await h.api('POST', '/api/incidents', {
      as: 'duty',
      body: chemicalPlant(h.city, '2026-11-22T02:10:00Z'),
      headers: { origin: 'https://evil.example', host: 'beacon.local' },
    });
    expect(res.status).toBe(403);
  });

  it('only admins create departments and users; bad fields are named', async () => {
    expect((await h.api('POST', '/api/departments', { as: 'duty', body: { name: 'X' } })).status).toBe(403);
    const dept = await h.api('POST', '/api/departments', { as: 'admin', body: { name: '市交通运输局' } });
    expect(dept.status).toBe(201);
    expect(dept.body.department.coordinating).toBe(false);
    expect((await h.api('POST', '/api/departments', { as: 'admin', body: { name: '市交通运输局' } })).status).toBe(409);
    const bad = await h.api('POST', '/api/users', {
      as: 'admin',
      body: { login: 'jt', name: '交通', password: 'short', departmentId: dept.body.department.id, roles: ['leader'] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('password');
    const badRole = await h.api('POST', '/api/users', {
      as: 'admin',
      body: { login: 'jt', name: '交通', password: 'long-enough-pw', departmentId: dept.body.department.id, roles: ['king'] },
    });
    expect(badRole.body.error.field).toBe('roles.0');
    const ok = await h.api('POST', '/api/users', {
      as: 'admin',
      body: { login: 'jt', name: '交通', password: 'long-enough-pw', departmentId: dept.body.department.id, roles: ['leader'] },
    });
    expect(ok.status).toBe(201);
    expect(ok.body.user).not.toHaveProperty('passwordHash');
    expect((await h.api('GET', '/api/users', { as: 'duty' })).status).toBe(403);
  });
});

describe(`audit on ${dbKind}`, () => {
  it('the hash chain verifies, and a tampered row is found', async () => {
    await h.api('POST', '/api/incidents', { as: 'duty', body: chemicalPlant(h.city, '2026-11-22T02:10:00Z') });
    const ok = await h.api('GET', '/api/audit/verify', { as: 'admin' });
    expect(ok.body.ok).toBe(true);
    expect(ok.body.checked).toBeGreaterThan(5);
    expect((await h.api('GET', '/api/audit/verify', { as: 'duty' })).status).toBe(403);
    const victim = await h.beacon.ctx.db.selectFrom('events').select('id').where('type', '=', 'incident.created').executeTakeFirstOrThrow();
    await sql`update events set payload = jsonb_set(payload, '{by}', '"someone else"') where id = ${victim.id}`.execute(h.beacon.ctx.db);
    const bad = await h.api('GET', '/api/audit/verify', { as: 'admin' });
    expect(bad.body).toMatchObject({ ok: false, firstBadId: String(victim.id) });
  });
});

describe('health and metrics', () => {
  it('/healthz names the database kind; /metrics speaks Prometheus', async () => {
    const health = await h.api('GET', '/healthz');
    expect(health.body).toMatchObject({ ok: true, db: dbKind });
    const metrics = await h.api('GET', '/metrics');
    expect(metrics.body).toContain('beacon_http_requests_total');
    expect(metrics.body).toContain('beacon_events_total{type="incident.created"}');
    const spec = await h.api('GET', '/api/openapi.json');
    expect(spec.body.paths['/api/incidents'].post.requestBody).toBeDefined();
  });
});

describe.runIf(dbKind === 'pglite')('PGlite data directory lock', () => {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-lock-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a second process on the same data directory is refused with a clear message', async () => {
    const dataDir = join(dir, 'pglite');
    const handle = await connectPglite(dataDir);
    const other = spawnSync(
      'npx',
      ['tsx', '-e', `import('./server/db/connect.ts').then(m => m.connectPglite(${JSON.stringify(dataDir)})).then(() => process.exit(0), e => { console.error(e.message); process.exit(3); })`],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(other.status).toBe(3);
    expect(other.stderr).toContain('is in use by process');
    await handle.close();
    const again = await connectPglite(dataDir); // released on close
    await again.close();
  });
});
