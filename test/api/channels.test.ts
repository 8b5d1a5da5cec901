// Outbound channels: admin routes, enqueueing inside the publishing transaction, and the DeliveryWorker against a
// real local HTTP receiver (loopback is fine: channels are configured by admins and are not SSRF-filtered).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sessionMiddleware } from '../../server/auth/routes.ts';
import { channelRoutes } from '../../server/channels/routes.ts';
import { enqueueDeliveries } from '../../server/channels/service.ts';
import { verifySignature } from '../../server/channels/signature.ts';
import { DeliveryWorker, type DeliveryWorkerOptions } from '../../server/channels/worker.ts';
import { DomainError } from '../../server/errors.ts';
import type { AppEnv } from '../../server/http/types.ts';
import { chemicalPlant, dbKind, startHarness, type Harness } from '../support/harness.ts';

const T0 = '2026-11-22T02:10:00.000Z';

// ---------------------------------------------------------------------------------------------------------------
// A webhook receiver on an ephemeral loopback port.

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  raw: Buffer;
  json: any;
}

type Reply = (req: IncomingMessage, res: ServerResponse, n: number) => void;

class Receiver {
  requests: Received[] = [];
  /** Requests whose connection went away before we answered (the sender aborted). */
  aborted = 0;
  reply: Reply = (_req, res) => res.writeHead(200).end('ok');
  #server: Server;
  #hanging = new Set<ServerResponse>();
  url = '';

  constructor() {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        let json: unknown = null;
        try {
          json = JSON.parse(raw.toString('utf8'));
        } catch {}
        this.requests.push({ path: req.url ?? '', headers: req.headers, raw, json });
        res.on('close', () => {
          if (!res.writableEnded) this.aborted++;
          this.#hanging.delete(res);
        });
        this.#hanging.add(res);
        this.reply(req, res, this.requests.length);
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const res of this.#hanging) res.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

// ---------------------------------------------------------------------------------------------------------------

let h: Harness;
let call: Harness['api'];
const receivers: Receiver[] = [];
const workers: DeliveryWorker[] = [];

/**
 * Calls the channel routes through the real app once app.ts mounts them; until then through a small app made of the
 * same session middleware, the channel routes and app.ts's error mapping.
 */
async function routesCaller(harness: Harness): Promise<Harness['api']> {
  const probe = await harness.api('GET', '/api/channels', { as: 'admin' });
  if (!(probe.status === 404 && /no route/.test(probe.body?.error?.message ?? ''))) return harness.api;
  const ctx = harness.beacon.ctx;
  const status = { invalid: 400, unauthenticated: 401, forbidden: 403, not_found: 404, conflict: 409, invalid_state: 422, rate_limited: 429 } as const;
  const app = new Hono<AppEnv>();
  app.use('/api/*', sessionMiddleware(ctx));
  app.route('/', channelRoutes(ctx));
  app.onError((err, c) => {
    if (err instanceof DomainError) return c.json({ error: { code: err.code, message: err.message, ...(err.field && { field: err.field }) } }, status[err.code]);
    return c.json({ error: { code: 'internal', message: String(err) } }, 500);
  });
  const cookies = new Map<string, string>();
  return async (method, path, o = {}) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.as) {
      if (!cookies.has(o.as)) cookies.set(o.as, await harness.login(o.as));
      headers.cookie = cookies.get(o.as)!;
    }
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    const res = await app.request(path, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
    const text = await res.text();
    let body: any = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {}
    return { status: res.status, body, headers: res.headers };
  };
}

beforeAll(async () => {
  h = await startHarness();
  call = await routesCaller(h);
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  h.clock.set(T0);
  // Each test sees only the channels it creates.
  await h.beacon.ctx.db.updateTable('channels').set({ enabled: false }).execute();
});
afterEach(async () => {
  for (const w of workers.splice(0)) await w.stop();
  for (const r of receivers.splice(0)) await r.close();
});

async function receiver(reply?: Reply): Promise<Receiver> {
  const r = await new Receiver().start();
  if (reply) r.reply = reply;
  receivers.push(r);
  return r;
}

function worker(opts: DeliveryWorkerOptions = {}): DeliveryWorker {
  const w = new DeliveryWorker(h.beacon.ctx, { random: () => 0, timeoutMs: 2000, ...opts });
  workers.push(w);
  return w;
}

let seq = 0;
async function channel(url: string, extra: Record<string, unknown> = {}): Promise<{ id: string; secret: string; name: string }> {
  const name = `通道-${++seq}`;
  const res = await call('POST', '/api/channels', { as: 'admin', body: { name, url, ...extra } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.channel.id, secret: res.body.secret, name };
}

/** A grade II incident led by the emergency bureau, with one published release inserted directly. */
async function publishedRelease(title = '关于城东化工园区储罐爆炸事故的情况通报'): Promise<{ incidentId: number; releaseId: number }> {
  const created = await h.api('POST', '/api/incidents', { as: 'duty', body: chemicalPlant(h.city, T0) });
  expect(created.status).toBe(201);
  const incidentId = Number(created.body.incident.id);
  const now = h.clock.now();
  const row = await h.beacon.ctx.db
    .insertInto('releases')
    .values({
      incident_id: incidentId,
      kind: 'initial',
      title,
      body: '11月22日10时许，城东化工园区一储罐发生爆炸，现场明火已扑灭。',
      status: 'published',
      version: 1,
      opinion_item_ids: [],
      published_at: now,
      created_by: Number(h.city.users.spokes),
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { incidentId, releaseId: row.id };
}

async function enqueue(releaseId: number, action: 'published' | 'retracted' = 'published'): Promise<number> {
  return h.beacon.ctx.db.transaction().execute((tx) => enqueueDeliveries(tx, { releaseId, action, now: h.clock.now() }));
}

async function deliveries(releaseId: number, as = 'em.duty'): Promise<any[]> {
  const res = await call('GET', `/api/releases/${releaseId}/deliveries`, { as });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items;
}

async function deliveryEvents(releaseId: number) {
  const rows = await h.beacon.ctx.db.selectFrom('events').selectAll().where('type', '=', 'release.delivery').orderBy('id').execute();
  return rows.filter((r) => (r.payload as any).releaseId === String(releaseId));
}

describe(`outbound channels on ${dbKind}`, () => {
  it('(a) a healthy receiver gets exactly one signed POST with the release; the delivery is delivered', async () => {
    const rx = await receiver();
    const ch = await channel(`${rx.url}/hook`);
    const { incidentId, releaseId } = await publishedRelease();
    expect(await enqueue(releaseId)).toBe(1);
    expect(await enqueue(releaseId)).toBe(0); // a retried publish never doubles

    h.clock.advance(1500);
    expect(await worker().runDue()).toBe(1);
    expect(rx.requests).toHaveLength(1);
    const [req] = rx.requests;
    expect(req.path).toBe('/hook');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['x-beacon-event']).toBe('release.published');
    expect(verifySignature(ch.secret, req.raw, req.headers['x-beacon-signature'] as string)).toBe(true);
    expect(verifySignature('not-the-secret-at-all', req.raw, req.headers['x-beacon-signature'] as string)).toBe(false);
    expect(req.json).toMatchObject({
      action: 'published',
      release: { id: String(releaseId), incidentId: String(incidentId), kind: 'initial', title: '关于城东化工园区储罐爆炸事故的情况通报', publishedAt: T0, retractedAt: null },
      incident: { id: String(incidentId), title: '城东化工园区储罐爆炸', severity: 'II', category: 'accident', location: '城东化工园区' },
      sentAt: '2026-11-22T02:10:01.500Z',
    });
    expect(req.headers['x-beacon-timestamp']).toBe('2026-11-22T02:10:01.500Z');

    const [d] = await deliveries(releaseId);
    expect(req.headers['x-beacon-delivery']).toBe(d.id);
    expect(d).toMatchObject({ channelName: ch.name, action: 'published', status: 'delivered', attempts: 1, lastStatus: 200, lastError: null, nextAttemptAt: null, deliveredAt: '2026-11-22T02:10:01.500Z', createdAt: T0 });

    // Nothing more to send.
    h.clock.advance(3_600_000);
    expect(await worker().runDue()).toBe(0);
    expect(rx.requests).toHaveLength(1);

    // The outcome is an event scoped like the incident's other events.
    const events = await deliveryEvents(releaseId);
    expect(events).toHaveLength(1);
    expect(events[0].incident_id).toBe(incidentId);
    expect(events[0].payload).toMatchObject({ releaseId: String(releaseId), channelName: ch.name, delivery: { id: d.id, status: 'delivered' } });
    const { depts } = h.city;
    expect(events[0].dept_ids).toEqual(expect.arrayContaining([depts.emergency, depts.office, depts.publicity].map(Number)));
    expect(events[0].dept_ids).not.toContain(Number(depts.health));
    const seen = await h.api('GET', '/api/events?after=0&limit=1000', { as: 'em.duty' });
    expect(seen.body.events.some((e: any) => e.type === 'release.delivery' && e.payload.releaseId === String(releaseId))).toBe(true);
    const unseen = await h.api('GET', '/api/events?after=0&limit=1000', { as: 'he.duty' });
    expect(unseen.body.events.some((e: any) => e.type === 'release.delivery')).toBe(false);
  });

  it('(b) 503 twice then 200: retried only once the backoff has passed, delivered on attempt 3 with the errors logged', async () => {
    const rx = await receiver((_req, res, n) => (n <= 2 ? res.writeHead(503).end('busy') : res.writeHead(204).end()));
    const ch = await channel(`${rx.url}/hook`);
    const { releaseId } = await publishedRelease();
    await enqueue(releaseId);
    const w = worker();

    expect(await w.runDue()).toBe(1);
    let [d] = await deliveries(releaseId);
    expect(d).toMatchObject({ status: 'pending', attempts: 1, lastStatus: 503, lastError: 'HTTP 503', nextAttemptAt: '2026-11-22T02:10:10.000Z' });

    expect(await w.runDue()).toBe(0);
    h.clock.advance(9_999);
    expect(await w.runDue()).toBe(0);
    expect(rx.requests).toHaveLength(1);
    h.clock.advance(1);
    expect(await w.runDue()).toBe(1);
    [d] = await deliveries(releaseId);
    expect(d).toMatchObject({ status: 'pending', attempts: 2, lastError: 'HTTP 503', nextAttemptAt: '2026-11-22T02:10:40.000Z' });

    h.clock.advance(29_000);
    expect(await w.runDue()).toBe(0);
    h.clock.advance(1_000);
    expect(await w.runDue()).toBe(1);
    [d] = await deliveries(releaseId);
    expect(d).toMatchObject({ status: 'delivered', attempts: 3, lastStatus: 204, lastError: null, deliveredAt: '2026-11-22T02:10:40.000Z' });
    expect(rx.requests).toHaveLength(3);
    // Every attempt is the same delivery, signed afresh over its own body.
    expect(new Set(rx.requests.map((r) => r.headers['x-beacon-delivery']))).toEqual(new Set([d.id]));
    for (const r of rx.requests) expect(verifySignature(ch.secret, r.raw, r.headers['x-beacon-signature'] as string)).toBe(true);

    const log = (await deliveryEvents(releaseId)).map((e) => (e.payload as any).delivery);
    expect(log.map((x) => [x.attempts, x.status, x.lastError])).toEqual([
      [1, 'pending', 'HTTP 503'],
      [2, 'pending', 'HTTP 503'],
      [3, 'delivered', null],
    ]);
  });

  it('(c) a receiver that never answers times out (really aborted) and the worker goes on with the others', async () => {
    const hang = await receiver(() => {}); // never answers
    const ok = await receiver();
    const refused = await closedPort();
    await channel(`${hang.url}/slow`);
    await channel(`${ok.url}/fast`);
    await channel(`http://127.0.0.1:${refused}/gone`);
    const { releaseId } = await publishedRelease();
    expect(await enqueue(releaseId)).toBe(3);

    const started = performance.now();
    expect(await worker({ timeoutMs: 1000 }).runDue()).toBe(3);
    expect(performance.now() - started).toBeLessThan(5000);

    const byChannel = Object.fromEntries((await deliveries(releaseId)).map((d) => [d.channelName, d]));
    const [slow, fast, gone] = Object.values(byChannel).sort((a: any, b: any) => Number(a.channelId) - Number(b.channelId));
    expect(slow).toMatchObject({ status: 'pending', attempts: 1, lastStatus: null, lastError: 'timeout after 1 s' });
    expect(fast).toMatchObject({ status: 'delivered', attempts: 1, lastStatus: 200 });
    expect(gone).toMatchObject({ status: 'pending', attempts: 1, lastStatus: null, lastError: 'connection refused' });
    expect(ok.requests).toHaveLength(1);
    // The hanging request's connection was closed by the sender, not left open.
    expect(hang.requests).toHaveLength(1);
    await expect.poll(() => hang.aborted, { timeout: 2000 }).toBe(1);
  });

  it('(d) after the maximum number of attempts the delivery fails for good, on the backoff schedule', async () => {
    const rx = await receiver((_req, res) => res.writeHead(500, { 'content-type': 'text/plain' }).end('database unavailable'));
    await channel(`${rx.url}/hook`);
    const { releaseId } = await publishedRelease();
    await enqueue(releaseId);
    const w = worker();

    for (let attempt = 1; attempt <= 8; attempt++) {
      expect(await w.runDue()).toBe(1);
      const [d] = await deliveries(releaseId);
      expect(d.attempts).toBe(attempt);
      expect(d.lastError).toBe('HTTP 500: database unavailable');
      if (attempt < 8) h.clock.set(d.nextAttemptAt);
      else expect(d).toMatchObject({ status: 'failed', nextAttemptAt: null, deliveredAt: null });
    }
    const sent = rx.requests.map((r) => Date.parse(r.headers['x-beacon-timestamp'] as string));
    const gaps = sent.slice(1).map((t, i) => (t - sent[i]) / 1000);
    expect(gaps).toEqual([10, 30, 120, 600, 1800, 3600, 3600]);

    h.clock.advance(24 * 3_600_000);
    expect(await w.runDue()).toBe(0);
    expect(rx.requests).toHaveLength(8);
    const log = (await deliveryEvents(releaseId)).map((e) => (e.payload as any).delivery.status);
    expect(log).toEqual([...Array(7).fill('pending'), 'failed']);
  });

  it('a redirect is not followed and counts as a failure', async () => {
    const rx = await receiver((req, res) => (req.url === '/hook' ? res.writeHead(302, { location: '/elsewhere' }).end() : res.writeHead(200).end()));
    await channel(`${rx.url}/hook`);
    const { releaseId } = await publishedRelease();
    await enqueue(releaseId);
    await worker().runDue();
    const [d] = await deliveries(releaseId);
    expect(d).toMatchObject({ status: 'pending', lastStatus: 302, lastError: 'HTTP 302 (redirect not followed)' });
    expect(rx.requests.map((r) => r.path)).toEqual(['/hook']);
  });

  it('an expired lease (a process died mid-delivery) is claimed again; a live one is not', async () => {
    const rx = await receiver();
    await channel(`${rx.url}/hook`);
    const { releaseId } = await publishedRelease();
    await enqueue(releaseId);
    // As a crashed process would leave it: claimed (attempt counted, leased for 60 s), never recorded.
    await h.beacon.ctx.db
      .updateTable('deliveries')
      .set({ attempts: 1, leased_until: new Date(h.clock.now().getTime() + 60_000) })
      .where('release_id', '=', releaseId)
      .execute();
    const w = worker();
    expect(await w.runDue()).toBe(0);
    h.clock.advance(59_999);
    expect(await w.runDue()).toBe(0);
    h.clock.advance(1);
    expect(await w.runDue()).toBe(1);
    const [d] = await deliveries(releaseId);
    expect(d).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(rx.requests).toHaveLength(1);
  });

  it('two workers at once (two processes) send each delivery once', async () => {
    const rx = await receiver();
    await channel(`${rx.url}/hook`);
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) {
      const { releaseId } = await publishedRelease(`通报 ${i}`);
      await enqueue(releaseId);
      ids.push(releaseId);
    }
    const [a, b] = await Promise.all([worker({ batchSize: 2 }).runDue(), worker({ batchSize: 2 }).runDue()]);
    expect(a + b).toBe(6);
    expect(rx.requests.map((r) => r.json.release.id).sort()).toEqual(ids.map(String).sort());
    for (const id of ids) expect((await deliveries(id))[0]).toMatchObject({ status: 'delivered', attempts: 1 });
  });

  it('a retraction is its own delivery; a disabled channel gets nothing', async () => {
    const rx = await receiver();
    const on = await channel(`${rx.url}/on`);
    await channel(`${rx.url}/off`, { enabled: false });
    const { releaseId } = await publishedRelease();
    expect(await enqueue(releaseId)).toBe(1);
    await worker().runDue();
    h.clock.advance(60_000);
    await h.beacon.ctx.db
      .updateTable('releases')
      .set({ status: 'retracted', retracted_at: h.clock.now(), retract_reason: '数据有误' })
      .where('id', '=', releaseId)
      .execute();
    expect(await enqueue(releaseId, 'retracted')).toBe(1);
    await worker().runDue();
    expect(rx.requests.map((r) => [r.path, r.headers['x-beacon-event']])).toEqual([
      ['/on', 'release.published'],
      ['/on', 'release.retracted'],
    ]);
    expect(rx.requests[1].json.release).toMatchObject({ retractedAt: '2026-11-22T02:11:00.000Z', retractReason: '数据有误' });
    expect((await deliveries(releaseId)).map((d) => [d.channelName, d.action, d.status])).toEqual([
      [on.name, 'published', 'delivered'],
      [on.name, 'retracted', 'delivered'],
    ]);
  });

  it('the running loop wakes on a release event, and stop() aborts a request in flight and hands the attempt back', async () => {
    let answer = true;
    const rx = await receiver((_req, res) => (answer ? res.writeHead(200).end() : undefined));
    await channel(`${rx.url}/hook`);
    const w = worker({ maxSleepMs: 60_000 }); // only a poke can wake it in time
    w.start();
    const first = await publishedRelease();
    await enqueue(first.releaseId);
    h.beacon.ctx.bus.publish([
      { id: 0, type: 'release.published', at: h.clock.now(), incidentId: first.incidentId, actorId: null, deptIds: [], userIds: [], isPublic: false, payload: {} },
    ]);
    await expect.poll(async () => (await deliveries(first.releaseId))[0].status, { timeout: 3000 }).toBe('delivered');

    answer = false;
    const second = await publishedRelease();
    await enqueue(second.releaseId);
    w.poke();
    await expect.poll(() => rx.requests.length, { timeout: 3000 }).toBe(2);
    await w.stop();
    const [d] = await deliveries(second.releaseId);
    expect(d).toMatchObject({ status: 'pending', attempts: 0, lastError: null });
    const lease = await h.beacon.ctx.db.selectFrom('deliveries').select('leased_until').where('id', '=', Number(d.id)).executeTakeFirstOrThrow();
    expect(lease.leased_until).toBeNull();
  });

  describe('routes', () => {
    it('(e) channel admin is admin-only; secrets are shown once and never listed', async () => {
      for (const [method, path, body] of [
        ['GET', '/api/channels', undefined],
        ['POST', '/api/channels', { name: 'x', url: 'https://a.example.cn/' }],
        ['PATCH', '/api/channels/1', { enabled: false }],
      ] as const) {
        expect((await call(method, path, { as: 'spokes', body })).status).toBe(403);
        expect((await call(method, path, { body })).status).toBe(401);
      }

      const created = await call('POST', '/api/channels', { as: 'admin', body: { name: '新华社通稿线路', url: 'https://wire.example.cn/beacon' } });
      expect(created.status).toBe(201);
      const { channel: ch, secret } = created.body;
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(ch).toMatchObject({ name: '新华社通稿线路', url: 'https://wire.example.cn/beacon', enabled: true, secretHint: `…${secret.slice(-4)}`, pending: 0, failed: 0 });
      expect(ch).not.toHaveProperty('secret');

      const given = await call('POST', '/api/channels', { as: 'admin', body: { name: '微信网关', url: 'http://10.0.0.8:8080/in', secret: 'gateway-dictated-secret-1' } });
      expect(given.status).toBe(201);
      expect(given.body.secret).toBe('gateway-dictated-secret-1');

      const list = await call('GET', '/api/channels', { as: 'admin' });
      expect(list.status).toBe(200);
      const text = JSON.stringify(list.body);
      expect(text).not.toContain(secret);
      expect(text).not.toContain('gateway-dictated-secret-1');
      expect(list.body.items.find((c: any) => c.id === ch.id)).toEqual(ch);

      const bad = await call('POST', '/api/channels', { as: 'admin', body: { name: 'ftp', url: 'ftp://wire.example.cn/' } });
      expect(bad.status).toBe(400);
      expect(bad.body.error.field).toBe('url');
      expect((await call('POST', '/api/channels', { as: 'admin', body: { url: 'https://a.cn/' } })).body.error.field).toBe('name');

      const dup = await call('POST', '/api/channels', { as: 'admin', body: { name: '新华社通稿线路', url: 'https://other.example.cn/' } });
      expect(dup.status).toBe(409);

      const rotated = await call('PATCH', `/api/channels/${ch.id}`, { as: 'admin', body: { rotateSecret: true, enabled: false } });
      expect(rotated.status).toBe(200);
      expect(rotated.body.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(rotated.body.secret).not.toBe(secret);
      expect(rotated.body.channel).toMatchObject({ enabled: false, secretHint: `…${rotated.body.secret.slice(-4)}` });
      const renamed = await call('PATCH', `/api/channels/${ch.id}`, { as: 'admin', body: { name: '通稿线路', url: 'https://wire2.example.cn/' } });
      expect(renamed.status).toBe(200);
      expect(renamed.body).not.toHaveProperty('secret');
      expect(renamed.body.channel).toMatchObject({ name: '通稿线路', url: 'https://wire2.example.cn/' });
      expect((await call('PATCH', `/api/channels/${ch.id}`, { as: 'admin', body: { name: '微信网关' } })).status).toBe(409);
      expect((await call('PATCH', `/api/channels/${ch.id}`, { as: 'admin', body: { url: 'gopher://x' } })).body.error.field).toBe('url');
      expect((await call('PATCH', '/api/channels/999999', { as: 'admin', body: { enabled: true } })).status).toBe(404);

      // Configuration changes are audited, to admins only, without the secret.
      const audit = await h.beacon.ctx.db.selectFrom('events').selectAll().where('type', 'in', ['channel.created', 'channel.updated']).execute();
      expect(audit.length).toBeGreaterThanOrEqual(4);
      expect(JSON.stringify(audit.map((e) => e.payload))).not.toContain(secret);
      expect(audit.every((e) => e.user_ids.includes(Number(h.city.users.admin)) && e.dept_ids.length === 0)).toBe(true);
    });

    it('(e) a release delivery log is visible to those who may see its incident, 404 to anyone else', async () => {
      const rx = await receiver();
      await channel(`${rx.url}/hook`);
      const { releaseId } = await publishedRelease();
      await enqueue(releaseId);
      await worker().runDue();
      expect(await deliveries(releaseId, 'em.duty')).toHaveLength(1); // lead department
      expect(await deliveries(releaseId, 'spokes')).toHaveLength(1); // coordinating department
      const other = await call('GET', `/api/releases/${releaseId}/deliveries`, { as: 'he.duty' });
      expect(other.status).toBe(404);
      expect((await call('GET', '/api/releases/999999/deliveries', { as: 'spokes' })).status).toBe(404);
      expect((await call('GET', `/api/releases/${releaseId}/deliveries`)).status).toBe(401);
      const [d] = await deliveries(releaseId);
      expect(Object.keys(d).sort()).toEqual(
        ['id', 'channelId', 'channelName', 'releaseId', 'action', 'status', 'attempts', 'lastStatus', 'lastError', 'nextAttemptAt', 'deliveredAt', 'createdAt'].sort(),
      );
    });
  });
});
