// Cross-site requests: every mutating /api route, called exactly as a user allowed to make the call would (valid
// body, valid session), is refused with a foreign Origin (403) and, without any Origin, when the body comes as an
// HTML form could send it (form-encoded, multipart, text/plain: 400); the database is byte-for-byte unchanged. The
// same request as JSON from the same origin then succeeds, so the refusals were not an accident of the request.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbKind } from '../support/harness.ts';
import { RELS, ROLES, loginOf, startWorld, type World } from '../support/security-world.ts';
import { INFRASTRUCTURE, Pool, routeTable, type Cell, type Row } from '../support/security-routes.ts';

let w: World;
const pool = new Pool();
const rows = routeTable(() => w, pool);
const HOST = 'beacon.gov.example';

beforeAll(async () => {
  w = await startWorld();
}, 60_000);
afterAll(() => w?.close());

/** A caller allowed to make the row's call (the lead department first), or anonymous where anyone may. */
function allowedCell(row: Row): Cell | null {
  if (row.anon === 'allow' && row.route.startsWith('/api/opinion/push')) return { role: null, rel: null, login: null };
  for (const rel of RELS) for (const role of ROLES) if (row.rule(role, rel) === 'allow') return { role, rel, login: loginOf(role, rel) };
  return row.anon === 'allow' ? { role: null, rel: null, login: null } : null;
}

const mutating = rows.filter((r) => !['GET', 'HEAD'].includes(r.method) && !r.variant);

describe(`cross-origin and form posts on ${dbKind}`, () => {
  it('covers every mutating /api route of the app', () => {
    const app = w.h.beacon.app.routes
      .filter((r) => !['GET', 'HEAD'].includes(r.method) && r.path.startsWith('/api/'))
      .map((r) => `${r.method} ${r.path}`)
      .filter((r) => !INFRASTRUCTURE.has(r));
    expect(new Set(mutating.map((r) => `${r.method} ${r.route}`))).toEqual(new Set(app));
  });

  for (const row of mutating) {
    it(`${row.method} ${row.route}: foreign Origin → 403, form or text body → 400, nothing changed; same-origin JSON works`, async () => {
      const cell = allowedCell(row);
      expect(cell, 'someone must be allowed').not.toBeNull();
      const req = await row.req(cell!);
      const auth = { as: req.cookie || !cell!.login ? undefined : cell!.login, cookie: req.cookie };
      const json = req.raw?.text ?? (req.body === undefined ? '' : JSON.stringify(req.body));
      const before = await w.fingerprint();

      for (const origin of ['https://evil.example', `https://${HOST}.evil.example`, `http://${HOST}:8443`, 'null', 'not a url']) {
        const res = await w.call(row.method, req.path, { ...auth, body: req.body, raw: req.raw, headers: { host: HOST, origin } });
        expect(res.status, `Origin ${origin}: ${res.text.slice(0, 200)}`).toBe(403);
        expect(res.body.error.code).toBe('forbidden');
      }
      for (const type of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'TEXT/PLAIN']) {
        const text = type.startsWith('multipart') ? `--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n${json}\r\n--x--\r\n` : type.includes('urlencoded') ? `a=${encodeURIComponent(json)}` : json;
        const res = await w.call(row.method, req.path, { ...auth, raw: { text, type } });
        expect(res.status, `${type}: ${res.text.slice(0, 200)}`).toBe(400);
        expect(res.body.error.field).toBe('(body)');
        // A form post with the foreign Origin too: the Origin answers first.
        const both = await w.call(row.method, req.path, { ...auth, raw: { text, type }, headers: { host: HOST, origin: 'https://evil.example' } });
        expect(both.status).toBe(403);
      }
      expect(await w.fingerprint(), 'a refused request changed the database').toBe(before);

      // The very same call from the console (JSON, same origin) is accepted: the refusals above were about origin and form.
      const good = await w.call(row.method, req.path, { ...auth, body: req.body, raw: req.raw, headers: { host: HOST, origin: `https://${HOST}` } });
      expect(good.status, `same-origin JSON: ${good.text.slice(0, 200)}`).toBeLessThan(300);
      if (req.consumes) pool.consume(req.consumes);
    });
  }

  it('reads carry no CORS grant: a foreign page can neither preflight nor read an answer', async () => {
    const get = await w.call('GET', '/api/session', { as: loginOf('leader', 'own'), headers: { origin: 'https://evil.example' } });
    expect(get.status).toBe(200);
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
    expect(get.headers.get('access-control-allow-credentials')).toBeNull();
    const preflight = await w.call('OPTIONS', '/api/incidents', {
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-methods')).toBeNull();
  });

  it('over real HTTP: a browser-shaped cross-site form post to create an incident is refused and creates nothing', async () => {
    const base = new URL(await w.h.beacon.listen(0));
    const cookie = await w.freshCookie(loginOf('duty_officer', 'own'));
    const before = await w.fingerprint();
    const post = (headers: Record<string, string>, body: string) =>
      new Promise<number>((resolve, reject) => {
        const req = httpRequest({ host: base.hostname, port: base.port, path: '/api/incidents', method: 'POST', headers: { cookie, ...headers } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode!));
        });
        req.on('error', reject);
        req.end(body);
      });
    const payload = JSON.stringify({ title: '伪造事件', category: 'accident', severity: 'I', occurredAt: new Date().toISOString(), leadDepartmentId: w.dept.own });
    // What <form enctype="text/plain"> on another site sends (it cannot set content-type to JSON).
    expect(await post({ 'content-type': 'text/plain', origin: 'https://evil.example' }, payload)).toBe(403);
    // An old browser that sends no Origin still cannot make the body JSON.
    expect(await post({ 'content-type': 'text/plain' }, payload)).toBe(400);
    expect(await post({ 'content-type': 'application/x-www-form-urlencoded' }, `${payload}=`)).toBe(400);
    expect(await w.fingerprint()).toBe(before);
  });
});
