import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chemicalPlant, dbKind, startHarness, type Harness } from '../support/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

const T0 = '2026-11-22T02:10:00.000Z';

describe(`incidents API on ${dbKind}`, () => {
  it('a grade II incident gets first_release at +5 h and press_conference at +24 h from occurredAt', async () => {
    h.clock.set('2026-11-22T02:40:00Z'); // logged 30 minutes after it happened
    const res = await h.api('POST', '/api/incidents', { as: 'duty', body: chemicalPlant(h.city, T0) });
    expect(res.status).toBe(201);
    const { incident } = res.body;
    expect(incident.reportedAt).toBe('2026-11-22T02:40:00.000Z');
    expect(incident.loggedLate).toBe(false);
    const clocks = Object.fromEntries(incident.deadlines.map((d: any) => [d.kind, d]));
    expect(clocks.first_release.dueAt).toBe('2026-11-22T07:10:00.000Z');
    expect(clocks.press_conference.dueAt).toBe('2026-11-23T02:10:00.000Z');
    expect(clocks.first_release.status).toBe('pending');
    expect(clocks.first_release.policyVersion).toBe(1);
  });

  it('a grade IV incident with no deaths has no statutory clocks', async () => {
    const res = await h.api('POST', '/api/incidents', {
      as: 'duty',
      body: chemicalPlant(h.city, T0, { severity: 'IV', casualties: { deaths: 0, injured: 1, missing: 0 } }),
    });
    expect(res.status).toBe(201);
    expect(res.body.incident.deadlines).toEqual([]);
  });

  it('an incident logged after its 5-hour clock passed starts missed and is flagged logged late', async () => {
    h.clock.set('2026-11-22T08:00:00Z');
    const res = await h.api('POST', '/api/incidents', { as: 'duty', body: chemicalPlant(h.city, T0) });
    expect(res.status).toBe(201);
    expect(res.body.incident.loggedLate).toBe(true);
    const first = res.body.incident.deadlines.find((d: any) => d.kind === 'first_release');
    expect(first.status).toBe('missed');
    expect(first.metAt).toBeNull();
    const press = res.body.incident.deadlines.find((d: any) => d.kind === 'press_conference');
    expect(press.status).toBe('pending');
  });

  it('raising deaths to 3 on a grade IV incident adds the clocks, due from occurredAt', async () => {
    h.clock.set('2026-11-22T03:00:00Z');
    const created = await h.api('POST', '/api/incidents', {
      as: 'duty',
      body: chemicalPlant(h.city, T0, { severity: 'IV', casualties: { deaths: 1, injured: 0, missing: 0 } }),
    });
    const id = created.body.incident.id;
    expect(created.body.incident.deadlines).toHaveLength(0);
    const patched = await h.api('PATCH', `/api/incidents/${id}`, {
      as: 'duty',
      body: { version: 1, casualties: { deaths: 3 } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.incident.version).toBe(2);
    expect(patched.body.incident.casualties).toEqual({ deaths: 3, injured: 0, missing: 0 });
    const first = patched.body.incident.deadlines.find((d: any) => d.kind === 'first_release');
    expect(first.dueAt).toBe('2026-11-22T07:10:00.000Z');
    const detail = await h.api('GET', `/api/incidents/${id}`, { as: 'duty' });
    expect(detail.body.incident.history[0].changes['casualties.deaths']).toEqual({ from: 1, to: 3 });
  });

  it('a clock never moves later when facts change (occurredAt corrected later)', async () => {
    h.clock.set('2026-11-22T03:00:00Z');
    const created = await h.api('POST', '/api/incidents', { as: 'duty', body: chemicalPlant(h.city, T0) });
    const { id } = created.body.incident;
    const res = await h.api('PATCH', `/api/incidents/${id}`, {
      as: 'duty',
      body: { version: 1, occurredAt: '2026-11-22T02:50:00Z' },
    });
    expect(res.status).toBe(200);
    const first = res.body.incident.deadlines.find((d: any) => d.kind === 'first_release');
    expect(first.dueAt).toBe('2026-11-22T07:10:00.000Z');
    // ...but moves earlier when it happened earlier than first thought.
    const earlier = await h.api('PATCH', `/api/incidents/${id}`, {
      as: 'duty',
      body: { version: 2, occurredAt: '2026-11-22T01:10:00Z' },
    });
    expect(earlier.body.incident.deadlines.find((d: any) => d.kind === 'first_release').dueAt).toBe('2026-11-22T06:10:00.000Z');
  });

  it('a stale version is a 409 and changes nothing', async () => {
    h.clock.set('2026-11-22T03:00:00Z');
    const created = await h.api('POST', '/api/incidents', { as: 'duty', body: chemicalPlant(h.city, T0) });
    const { id } = created.body.incident;
    expect((await h.api('PATCH', `/api/incidents/${id}`, { as: 'duty', body: { version: 1, title: 'A' } })).status).toBe(200);
    const stale = await h.api('PATCH', `/api/incidents/${id}`, { as: 'em.leader', body: { version: 1, title: 'B' } });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('conflict');
    const now = await h.api('GET', `/api/incidents/${id}`, { as: 'duty' });
    expect(now.body.incident.title).toBe('A');
    expect(now.body.incident.version).toBe(2);
  });

  it.each([
    [{ severity: 'V' }, 'severity'],
    [{ occurredAt: 'yesterday' }, 'occurredAt'],
    [{ casualties: { deaths: -1, injured: 0, missing: 0 } }, 'casualties.deaths'],
    [{ title: '' }, 'title'],
    [{ category: 'war' }, 'category'],
    [{ leadDepartmentId: '99999' }, 'leadDepartmentId'],
    [{ occurredAt: '2030-01-01T00:00:00Z' }, 'occurredAt'],
  ])('bad input %j is a 400 naming %s, and nothing is written', async (override, field) => {
    h.clock.set('2026-11-22T03:00:00Z');
    const before = (await h.api('GET', '/api/incidents', { as: 'duty' })).body.items.length;
    const res = await h.api('POST', '/api/incidents', { as: 'duty', body: chemicalPlant(h.city, T0, override) });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid');
    expect(res.body.error.field).toBe(field);
    expect(res.body.error.message).toContain(field);
    expect((await h.api('GET', '/api/incidents', { as: 'duty' })).body.items.length).toBe(before);
  });

  it('a body that is not JSON is a 400', async () => {
    const res = await h.api('POST', '/api/incidents', { as: 'duty', body: '{nope' });
    expect(res.status).toBe(400);
  });

  it('only duty officers log incidents; only leaders close and waive', async () => {
    expect((await h.api('POST', '/api/incidents', { as: 'spokes', body: chemicalPlant(h.city, T0) })).status).toBe(403);
    h.clock.set('2026-11-22T03:00:00Z');
    const { id, deadlines } = (await h.api('POST', '/api/incidents', { as: 'duty', body: chemicalPlant(h.city, T0) })).body.incident;
    expect((await h.api('POST', `/api/incidents/${id}/close`, { as: 'duty' })).status).toBe(403);
    const first = deadlines.find((d: any) => d.kind === 'first_release');
    expect((await h.api('POST', `/api/deadlines/${first.id}/waive`, { as: 'duty', body: { reason: 'x' } })).status).toBe(403);
  });

  it('a leader waives a clock with a reason; closing needs every statutory clock settled', async () => {
    h.clock.set('2026-11-22T03:00:00Z');
    const { id, deadlines } = (await h.api('POST', '/api/incidents', { as: 'duty', body: chemicalPlant(h.city, T0) })).body.incident;
    const blocked = await h.api('POST', `/api/incidents/${id}/close`, { as: 'em.leader' });
    expect(blocked.status).toBe(422);
    expect((await h.api('POST', `/api/deadlines/${deadlines[0].id}/waive`, { as: 'em.leader', body: {} })).status).toBe(400);
    for (const d of deadlines) {
      const res = await h.api('POST', `/api/deadlines/${d.id}/waive`, { as: 'em.leader', body: { reason: '经市委同意并入全市通报' } });
      expect(res.status).toBe(200);
      expect(res.body.deadline.status).toBe('waived');
      expect(res.body.deadline.waiveReason).toBe('经市委同意并入全市通报');
    }
    const again = await h.api('POST', `/api/deadlines/${deadlines[0].id}/waive`, { as: 'em.leader', body: { reason: 'again' } });
    expect(again.status).toBe(422);
    const closed = await h.api('POST', `/api/incidents/${id}/close`, { as: 'em.leader' });
    expect(closed.status).toBe(200);
    expect(closed.body.incident.status).toBe('closed');
    expect((await h.api('PATCH', `/api/incidents/${id}`, { as: 'duty', body: { version: closed.body.incident.version, title: 'x' } })).status).toBe(422);
  });

  it('a department unrelated to an incident cannot read it, list it, or see its events', async () => {
    h.clock.set('2026-11-22T03:00:00Z');
    const { id } = (await h.api('POST', '/api/incidents', { as: 'duty', body: chemicalPlant(h.city, T0, { title: '只给应急局看的' }) })).body.incident;
    expect((await h.api('GET', `/api/incidents/${id}`, { as: 'he.leader' })).status).toBe(404);
    expect((await h.api('GET', `/api/incidents/${id}`, { as: 'em.leader' })).status).toBe(200);
    expect((await h.api('GET', `/api/incidents/${id}`, { as: 'leader' })).status).toBe(200); // coordinating
    const list = await h.api('GET', '/api/incidents', { as: 'he.leader' });
    expect(list.body.items.map((i: any) => i.id)).not.toContain(id);
    const events = await h.api('GET', '/api/events?after=0', { as: 'he.leader' });
    expect(events.body.events.filter((e: any) => e.incidentId === id)).toEqual([]);
    const mine = await h.api('GET', '/api/events?after=0', { as: 'em.leader' });
    expect(mine.body.events.some((e: any) => e.incidentId === id && e.type === 'incident.created')).toBe(true);
    expect((await h.api('PATCH', `/api/incidents/${id}`, { as: 'he.duty', body: { version: 1, title: 'x' } })).status).toBe(404);
  });

  it('requires a session', async () => {
    expect((await h.api('GET', '/api/incidents')).status).toBe(401);
    expect((await h.api('GET', '/api/dashboard')).status).toBe(401);
  });

  it('the dashboard lists open incidents with their next clock and the overdue ones', async () => {
    h.clock.set('2026-11-22T08:00:00Z');
    const res = await h.api('GET', '/api/dashboard', { as: 'leader' });
    expect(res.status).toBe(200);
    expect(res.body.serverNow).toBe('2026-11-22T08:00:00.000Z');
    expect(res.body.overdue.length).toBeGreaterThan(0);
    expect(res.body.overdue.every((d: any) => d.incidentTitle)).toBe(true);
    const withClock = res.body.incidents.find((i: any) => i.nextDeadline);
    expect(withClock.nextDeadline.status).toBe('pending');
    // Opinion figures are for analysts and leaders only.
    const asDuty = await h.api('GET', '/api/dashboard', { as: 'duty' });
    expect(asDuty.body.opinion).toEqual({ volume: 0, negativeShare: 0, bursts: [] });
  });
});

describe(`deadline policy on ${dbKind}`, () => {
  it('an admin adds a policy version; new clocks use it, running clocks keep theirs', async () => {
    h.clock.set('2026-11-22T03:00:00Z');
    const before = (await h.api('POST', '/api/incidents', { as: 'duty', body: chemicalPlant(h.city, T0) })).body.incident;
    const current = (await h.api('GET', '/api/policy', { as: 'duty' })).body.policy;
    expect(current.rules.firstReleaseHours).toBe(5);
    expect((await h.api('PUT', '/api/policy', { as: 'leader', body: { rules: current.rules } })).status).toBe(403);
    const bad = await h.api('PUT', '/api/policy', { as: 'admin', body: { rules: { ...current.rules, firstReleaseHours: -1 } } });
    expect(bad.body.error.field).toBe('rules.firstReleaseHours');
    const put = await h.api('PUT', '/api/policy', { as: 'admin', body: { rules: { ...current.rules, firstReleaseHours: 4 }, note: '试行4小时' } });
    expect(put.status).toBe(200);
    expect(put.body.policy.version).toBe(current.version + 1);
    const after = (await h.api('POST', '/api/incidents', { as: 'duty', body: chemicalPlant(h.city, T0) })).body.incident;
    const firstOf = (i: any) => i.deadlines.find((d: any) => d.kind === 'first_release');
    expect(firstOf(after).dueAt).toBe('2026-11-22T06:10:00.000Z');
    expect(firstOf(after).policyVersion).toBe(current.version + 1);
    const reread = (await h.api('GET', `/api/incidents/${before.id}`, { as: 'duty' })).body.incident;
    expect(firstOf(reread).dueAt).toBe('2026-11-22T07:10:00.000Z');
    await h.api('PUT', '/api/policy', { as: 'admin', body: { rules: current.rules, note: '恢复' } });
  });
});
