// The scheduler with a moved clock: warnings at 60/30/10 minutes, a miss that escalates, and a restart that
// fires what fell due while the server was down — each exactly once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../server/clock.ts';
import { createBeacon, type Beacon } from '../../server/beacon.ts';
import type { EventRow } from '../../server/audit/event-log.ts';
import { createIncident } from '../../server/incidents/service.ts';
import type { Actor } from '../../server/auth/actor.ts';
import { chemicalPlant, dbKind, freshDb, seedCity, silentLog, startHarness, type Harness } from '../support/harness.ts';

const MIN = 60_000;

describe(`scheduler on ${dbKind}`, () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('sends each warning once, then misses the clock once and escalates to the leaders', async () => {
    h = await startHarness({ start: '2026-11-22T05:00:00Z' });
    const seen: EventRow[] = [];
    h.beacon.ctx.bus.on((events) => seen.push(...events));
    const { body } = await h.api('POST', '/api/incidents', { as: 'duty', body: chemicalPlant(h.city, '2026-11-22T02:10:00Z') });
    const first = body.incident.deadlines.find((d: any) => d.kind === 'first_release');
    expect(first.dueAt).toBe('2026-11-22T07:10:00.000Z');

    const warningsFor = () =>
      seen.filter((e) => e.type === 'deadline.warning' && (e.payload.deadline as any).id === first.id).map((e) => e.payload.minutesBefore);
    h.clock.set('2026-11-22T06:09:59Z');
    await h.beacon.scheduler.runDue();
    expect(warningsFor()).toEqual([]);
    h.clock.set('2026-11-22T06:10:00Z');
    await h.beacon.scheduler.runDue();
    await h.beacon.scheduler.runDue();
    expect(warningsFor()).toEqual([60]);
    h.clock.set('2026-11-22T06:40:00Z');
    await h.beacon.scheduler.runDue();
    h.clock.set('2026-11-22T07:00:30Z');
    await h.beacon.scheduler.runDue();
    expect(warningsFor()).toEqual([60, 30, 10]);

    h.clock.set('2026-11-22T07:10:00.500Z');
    await h.beacon.scheduler.runDue();
    await h.beacon.scheduler.runDue();
    const missed = seen.filter((e) => e.type === 'deadline.missed');
    expect(missed).toHaveLength(1);
    expect((missed[0].payload.deadline as any).id).toBe(first.id);
    expect((missed[0].payload.deadline as any).status).toBe('missed');
    // Escalated to the lead department's leader and the coordinating departments' leaders, not to others.
    expect(missed[0].userIds.map(String).sort()).toEqual([h.city.users['em.leader'], h.city.users.leader].sort());
    expect(missed[0].userIds.map(String)).not.toContain(h.city.users['he.leader']);
    const after = await h.api('GET', `/api/incidents/${body.incident.id}`, { as: 'em.leader' });
    expect(after.body.incident.deadlines.find((d: any) => d.kind === 'first_release').status).toBe('missed');
  });

  it('a server down through several warnings sends only the latest one when it comes back', async () => {
    h = await startHarness({ start: '2026-11-22T05:00:00Z' });
    const seen: EventRow[] = [];
    h.beacon.ctx.bus.on((events) => seen.push(...events));
    await h.api('POST', '/api/incidents', { as: 'duty', body: chemicalPlant(h.city, '2026-11-22T02:10:00Z') });
    h.clock.set('2026-11-22T07:05:00Z');
    await h.beacon.scheduler.runDue();
    expect(seen.filter((e) => e.type === 'deadline.warning').map((e) => e.payload.minutesBefore)).toEqual([10]);
  });

  it('a waived clock neither warns nor misses', async () => {
    h = await startHarness({ start: '2026-11-22T05:00:00Z' });
    const seen: EventRow[] = [];
    h.beacon.ctx.bus.on((events) => seen.push(...events));
    const { body } = await h.api('POST', '/api/incidents', { as: 'duty', body: chemicalPlant(h.city, '2026-11-22T02:10:00Z') });
    for (const d of body.incident.deadlines) {
      expect((await h.api('POST', `/api/deadlines/${d.id}/waive`, { as: 'em.leader', body: { reason: '并入全市统一发布' } })).status).toBe(200);
    }
    h.clock.set('2026-11-24T00:00:00Z');
    await h.beacon.scheduler.runDue();
    expect(seen.filter((e) => e.type === 'deadline.warning' || e.type === 'deadline.missed')).toEqual([]);
  });
});

describe(`restart on ${dbKind}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-restart-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fires what fell due while the server was down, once, and nothing again after another restart', async () => {
    const db = await freshDb(join(dir, 'pglite'));
    const clock = new ManualClock('2026-11-22T07:09:50Z');
    const boot = async (handle = db.handle): Promise<{ beacon: Beacon; seen: EventRow[] }> => {
      const beacon = await createBeacon({ handle, log: silentLog, clock, runScheduler: false });
      const seen: EventRow[] = [];
      beacon.ctx.bus.on((events) => seen.push(...events));
      return { beacon, seen };
    };

    // First life: the incident is logged 10 s before its 5-hour clock falls due.
    const first = await boot();
    const city = await seedCity(first.beacon);
    const duty: Actor = { id: Number(city.users.duty), login: 'duty', name: 'duty', departmentId: Number(city.depts.office), roles: ['duty_officer'], coordinating: true };
    const incident = await createIncident(first.beacon.ctx, duty, chemicalPlant(city, '2026-11-22T02:10:00Z') as any);
    const clockId = incident.deadlines.find((d) => d.kind === 'first_release')!.id;
    await first.beacon.scheduler.runDue();
    expect(first.seen.filter((e) => e.type === 'deadline.missed')).toHaveLength(0);
    await first.beacon.stop();
    await db.handle.close();

    // Down for a minute; the clock fell due meanwhile.
    clock.advance(60_000);
    const secondHandle = await db.reopen();
    const second = await boot(secondHandle);
    await second.beacon.scheduler.runDue();
    const missed = second.seen.filter((e) => e.type === 'deadline.missed');
    expect(missed).toHaveLength(1);
    expect((missed[0].payload.deadline as any).id).toBe(clockId);
    await second.beacon.stop();
    await secondHandle.close();

    // And again: nothing fires twice.
    clock.advance(60 * MIN);
    const thirdHandle = await db.reopen();
    const third = await boot(thirdHandle);
    await third.beacon.scheduler.runDue();
    expect(third.seen.filter((e) => e.type === 'deadline.missed')).toHaveLength(0);
    const rows = await thirdHandle.db.selectFrom('events').select(['type', 'payload']).where('type', '=', 'deadline.missed').execute();
    expect(rows.filter((r) => (r.payload as any).deadline.id === clockId)).toHaveLength(1);
    const status = await thirdHandle.db.selectFrom('deadlines').select('status').where('id', '=', Number(clockId)).executeTakeFirstOrThrow();
    expect(status.status).toBe('missed');
    await third.beacon.stop();
    await thirdHandle.close();
    await db.drop();
  });
});

describe(`a failing timer on ${dbKind}`, () => {
  it('is set aside and retried later while the others still fire', async () => {
    const h = await startHarness({ start: '2026-11-22T05:00:00Z' });
    try {
      const seen: EventRow[] = [];
      h.beacon.ctx.bus.on((events) => seen.push(...events));
      await h.api('POST', '/api/incidents', { as: 'duty', body: chemicalPlant(h.city, '2026-11-22T02:10:00Z') });
      await h.beacon.ctx.db
        .insertInto('timers')
        .values({ kind: 'test.boom', ref_id: 1, run_at: new Date('2026-11-22T07:00:00Z'), payload: '{}', created_at: new Date() })
        .execute();
      let calls = 0;
      (h.beacon.scheduler as any).handlers['test.boom'] = async () => {
        calls++;
        throw new Error('boom');
      };
      h.clock.set('2026-11-22T07:10:01Z');
      await h.beacon.scheduler.runDue();
      expect(seen.filter((e) => e.type === 'deadline.missed')).toHaveLength(1);
      expect(calls).toBeGreaterThan(0);
      const boom = await h.beacon.ctx.db.selectFrom('timers').selectAll().where('kind', '=', 'test.boom').executeTakeFirstOrThrow();
      expect(boom.fired_at).toBeNull();
      expect(boom.run_at.toISOString()).toBe('2026-11-22T07:10:31.000Z');
    } finally {
      await h.close();
    }
  });
});

describe(`scheduled release across a restart on ${dbKind}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-release-restart-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a release scheduled 3 s ahead is published once although the server was down at that instant', async () => {
    const db = await freshDb(join(dir, 'pglite'));
    const clock = new ManualClock('2026-11-22T03:00:00Z');
    const first = await createBeacon({ handle: db.handle, log: silentLog, clock, runScheduler: false });
    const city = await seedCity(first);
    const as = async (login: string) => {
      const res = await first.app.request('/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login, password: 'correct-horse-battery' }) });
      return res.headers.get('set-cookie')!.split(';')[0];
    };
    const call = async (cookie: string, method: string, path: string, body?: unknown) =>
      (await first.app.request(path, { method, headers: { cookie, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })).json();
    const duty = await as('duty');
    const spokes = await as('spokes');
    const lead = await as('em.leader');
    const { incident } = await call(duty, 'POST', '/api/incidents', chemicalPlant(city, '2026-11-22T02:10:00Z'));
    const { release } = await call(spokes, 'POST', `/api/incidents/${incident.id}/releases`, { kind: 'initial', title: '情况通报', body: '正文' });
    await call(spokes, 'POST', `/api/releases/${release.id}/submit`);
    await call(lead, 'POST', `/api/releases/${release.id}/approve`, { version: 1, checklist: { noStateSecrets: true, noPersonalPrivacy: true, figuresVerified: true } });
    const scheduled = await call(spokes, 'POST', `/api/releases/${release.id}/publish`, { at: '2026-11-22T03:00:03Z' });
    expect(scheduled.release.status).toBe('scheduled');
    await first.stop();
    await db.handle.close();

    clock.set('2026-11-22T03:00:10Z'); // down through the instant
    for (let life = 0; life < 2; life++) {
      const handle = await db.reopen();
      const beacon = await createBeacon({ handle, log: silentLog, clock, runScheduler: false });
      await beacon.scheduler.runDue();
      const row = await handle.db.selectFrom('releases').select(['status', 'published_at']).where('id', '=', Number(release.id)).executeTakeFirstOrThrow();
      expect(row.status).toBe('published');
      expect(row.published_at?.toISOString()).toBe('2026-11-22T03:00:10.000Z');
      const published = await handle.db.selectFrom('events').select('id').where('type', '=', 'release.published').execute();
      expect(published).toHaveLength(1);
      const first_release = await handle.db.selectFrom('deadlines').select(['status', 'met_at']).where('incident_id', '=', Number(incident.id)).where('kind', '=', 'first_release').executeTakeFirstOrThrow();
      expect(first_release.status).toBe('met');
      await beacon.stop();
      await handle.close();
    }
    await db.drop();
  });
});
