// The notification centre: filed by the event log for events addressed to users personally with `notify`
// (missed clocks escalated, releases sent for review or rejected, mentions, tasks); listed newest first, marked read
// one by one or all at once, private to their owner. The audit chain is untouched by it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chemicalPlant, dbKind } from '../support/harness.ts';
import { startCoordinationHarness, type CoordinationHarness } from '../support/coordination.ts';

let h: CoordinationHarness;
beforeAll(async () => {
  h = await startCoordinationHarness({ start: '2026-11-22T03:00:00Z' });
});
afterAll(() => h?.close());

const CHECKLIST = { noStateSecrets: true, noPersonalPrivacy: true, figuresVerified: true };
const list = async (as: string, query = '') => (await h.api('GET', `/api/notifications${query}`, { as })).body as { items: any[]; unread: number };

describe(`notifications on ${dbKind}`, () => {
  it('a missed clock notifies the escalation leaders; review steps notify the approver and the author', async () => {
    h.clock.set('2026-11-22T03:00:00Z');
    const baseline = { em: (await list('em.leader')).unread, office: (await list('leader')).unread, spokes: (await list('spokes')).unread };
    // occurred 4 h 59 min ago: first_release due in a minute.
    const inc = (await h.api('POST', '/api/incidents', { as: 'duty', body: chemicalPlant(h.city, '2026-11-21T22:01:00Z') })).body.incident;
    h.clock.set('2026-11-22T03:02:00Z');
    await h.beacon.scheduler.runDue();
    const em = await list('em.leader', '?unread=1');
    expect(em.unread).toBe(baseline.em + 1);
    expect(em.items[0].event).toMatchObject({ type: 'deadline.missed', incidentId: inc.id, payload: { deadline: { kind: 'first_release' } } });
    expect((await list('leader')).unread).toBe(baseline.office + 1); // coordinating department's leader
    expect((await list('em.duty')).unread).toBe(0); // not a leader

    const rel = (
      await h.api('POST', `/api/incidents/${inc.id}/releases`, { as: 'spokes', body: { kind: 'initial', title: '情况通报', body: '正文' } })
    ).body.release;
    await h.api('POST', `/api/releases/${rel.id}/submit`, { as: 'spokes' });
    const submitted = await list('em.leader', '?unread=1');
    expect(submitted.unread).toBe(baseline.em + 2);
    expect(submitted.items[0].event).toMatchObject({ type: 'release.submitted', payload: { release: { id: rel.id } } });
    const rejected = await h.api('POST', `/api/releases/${rel.id}/reject`, { as: 'em.leader', body: { version: 1, comment: '数字待核实' } });
    expect(rejected.status).toBe(200);
    const author = await list('spokes', '?unread=1');
    expect(author.unread).toBe(baseline.spokes + 1);
    expect(author.items[0].event).toMatchObject({ type: 'release.rejected', payload: { comment: '数字待核实' } });
    // The approver's own rejection is not a notification to them.
    expect((await list('em.leader')).unread).toBe(baseline.em + 2);
    // Approving is not notified to anyone.
    await h.api('POST', `/api/releases/${rel.id}/submit`, { as: 'spokes' });
    await h.api('POST', `/api/releases/${rel.id}/approve`, { as: 'em.leader', body: { version: 1, checklist: CHECKLIST } });
    expect((await list('spokes')).unread).toBe(baseline.spokes + 1);
  });

  it('read one, read again (first time kept), read all; another user\'s notification is 404; paging by before', async () => {
    h.clock.set('2026-11-22T04:00:00Z');
    await h.api('POST', '/api/notifications/read-all', { as: 'em.leader' });
    const inc = (await h.api('POST', '/api/incidents', { as: 'duty', body: chemicalPlant(h.city, '2026-11-22T03:50:00Z') })).body.incident;
    for (let i = 1; i <= 3; i++) {
      h.clock.advance(1000);
      expect((await h.api('POST', `/api/incidents/${inc.id}/comments`, { as: 'duty', body: { body: `@em.leader 第${i}条` } })).status).toBe(201);
    }
    const all = await list('em.leader', '?unread=1');
    expect(all.unread).toBe(3);
    expect(all.items.map((n) => n.event.payload.comment.body)).toEqual(['@em.leader 第3条', '@em.leader 第2条', '@em.leader 第1条']);
    expect(all.items.map((n) => n.event.at)).toEqual(['2026-11-22T04:00:03.000Z', '2026-11-22T04:00:02.000Z', '2026-11-22T04:00:01.000Z']);

    const page = await list('em.leader', '?unread=1&limit=2');
    expect(page.items.map((n) => n.id)).toEqual(all.items.slice(0, 2).map((n) => n.id));
    expect((await list('em.leader', `?unread=1&limit=2&before=${page.items[1].id}`)).items.map((n) => n.id)).toEqual([all.items[2].id]);
    // Without the filter, the older (read) ones follow.
    expect((await list('em.leader', `?limit=5&before=${page.items[1].id}`)).items.length).toBeGreaterThan(1);

    const target = all.items[1];
    expect((await h.api('POST', `/api/notifications/${target.id}/read`, { as: 'he.leader' })).status).toBe(404);
    expect((await h.api('POST', `/api/notifications/987654321/read`, { as: 'em.leader' })).status).toBe(404);
    expect((await h.api('POST', `/api/notifications/abc/read`, { as: 'em.leader' })).status).toBe(404);
    h.clock.advance(60_000);
    const first = await h.api('POST', `/api/notifications/${target.id}/read`, { as: 'em.leader' });
    expect(first.body).toMatchObject({ notification: { id: target.id, readAt: '2026-11-22T04:01:03.000Z' }, unread: 2 });
    h.clock.advance(60_000);
    const again = await h.api('POST', `/api/notifications/${target.id}/read`, { as: 'em.leader' });
    expect(again.body).toMatchObject({ notification: { readAt: '2026-11-22T04:01:03.000Z' }, unread: 2 });
    expect((await list('em.leader', '?unread=1')).items.map((n) => n.id)).toEqual([all.items[0].id, all.items[2].id]);

    const allRead = await h.api('POST', '/api/notifications/read-all', { as: 'em.leader' });
    expect(allRead.body).toEqual({ marked: 2, unread: 0 });
    expect((await h.api('POST', '/api/notifications/read-all', { as: 'em.leader' })).body).toEqual({ marked: 0, unread: 0 });
    expect((await list('em.leader')).items.slice(0, 3).every((n) => n.readAt)).toBe(true);
  });

  it('bad queries are 400 naming the field; no session is 401; the audit chain still verifies', async () => {
    for (const [q, field] of [
      ['?limit=0', 'limit'],
      ['?limit=x', 'limit'],
      ['?unread=yes', 'unread'],
      ['?before=-1', 'before'],
    ]) {
      const res = await h.api('GET', `/api/notifications${q}`, { as: 'duty' });
      expect(res.status, q).toBe(400);
      expect(res.body.error.field, q).toBe(field);
    }
    expect((await h.api('GET', '/api/notifications')).status).toBe(401);
    expect((await h.api('POST', '/api/notifications/read-all')).status).toBe(401);
    expect((await h.api('GET', '/api/audit/verify', { as: 'admin' })).body).toMatchObject({ ok: true });
  });
});
