import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chemicalPlant, dbKind, startHarness, type Harness } from '../support/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ start: '2026-11-22T03:00:00Z' });
});
afterAll(() => h?.close());

const T0 = '2026-11-22T02:10:00Z';
const CHECKLIST = { noStateSecrets: true, noPersonalPrivacy: true, figuresVerified: true };

async function incident(extra: Record<string, unknown> = {}) {
  const res = await h.api('POST', '/api/incidents', { as: 'duty', body: chemicalPlant(h.city, T0, extra) });
  expect(res.status).toBe(201);
  return res.body.incident;
}

async function draft(incidentId: string, extra: Record<string, unknown> = {}) {
  const res = await h.api('POST', `/api/incidents/${incidentId}/releases`, {
    as: 'spokes',
    body: { kind: 'initial', title: '关于城东化工园区储罐爆炸事故的情况通报', body: '11月22日2时10分许，城东化工园区一储罐发生爆炸。', ...extra },
  });
  expect(res.status).toBe(201);
  return res.body.release;
}

const step = (id: string, action: string, as: string, body?: unknown) => h.api('POST', `/api/releases/${id}/${action}`, { as, body });

describe(`release workflow on ${dbKind}`, () => {
  it('draft → submit → approve → publish meets first_release with metAt and starts the follow-up clock', async () => {
    h.clock.set('2026-11-22T03:00:00Z');
    const inc = await incident();
    const rel = await draft(inc.id);
    expect(rel.status).toBe('draft');
    expect((await step(rel.id, 'publish', 'spokes')).status).toBe(422); // not approved yet
    expect((await step(rel.id, 'submit', 'spokes')).body.release.status).toBe('in_review');
    // The leader must confirm the confidentiality review.
    const unchecked = await step(rel.id, 'approve', 'em.leader', { version: 1, checklist: { ...CHECKLIST, figuresVerified: false } });
    expect(unchecked.status).toBe(400);
    expect(unchecked.body.error.field).toBe('checklist.figuresVerified');
    expect((await step(rel.id, 'approve', 'he.leader', { version: 1, checklist: CHECKLIST })).status).toBe(404); // cannot see it
    expect((await step(rel.id, 'approve', 'leader', { version: 1, checklist: CHECKLIST })).status).toBe(403); // not the lead dept
    const approved = await step(rel.id, 'approve', 'em.leader', { version: 1, checklist: CHECKLIST, comment: '同意发布' });
    expect(approved.status).toBe(200);
    expect(approved.body.release.status).toBe('approved');
    expect(approved.body.release.approvals[0].checklist).toEqual(CHECKLIST);

    h.clock.set('2026-11-22T04:30:00Z');
    const published = await step(rel.id, 'publish', 'spokes');
    expect(published.status).toBe(200);
    expect(published.body.release.status).toBe('published');
    expect(published.body.release.publishedAt).toBe('2026-11-22T04:30:00.000Z');

    const after = (await h.api('GET', `/api/incidents/${inc.id}`, { as: 'em.leader' })).body.incident;
    const first = after.deadlines.find((d: any) => d.kind === 'first_release');
    expect(first).toMatchObject({ status: 'met', metAt: '2026-11-22T04:30:00.000Z' });
    const followUp = after.deadlines.find((d: any) => d.kind === 'follow_up');
    expect(followUp).toMatchObject({ status: 'pending', dueAt: '2026-11-23T04:30:00.000Z' });
    expect(after.releases.map((r: any) => r.id)).toEqual([rel.id]);
    expect(after.timeline.map((e: any) => e.type)).toEqual(
      expect.arrayContaining(['release.created', 'release.submitted', 'release.approved', 'release.published', 'deadline.met']),
    );

    // Published is final: no edits.
    const edit = await h.api('PATCH', `/api/releases/${rel.id}`, { as: 'spokes', body: { version: 1, title: '改' } });
    expect(edit.status).toBe(422);
  });

  it('a late first release keeps the breach: status missed with metAt set', async () => {
    h.clock.set('2026-11-22T03:00:00Z');
    const inc = await incident();
    const rel = await draft(inc.id);
    await step(rel.id, 'submit', 'spokes');
    await step(rel.id, 'approve', 'em.leader', { version: 1, checklist: CHECKLIST });
    h.clock.set('2026-11-22T07:10:00Z');
    await h.beacon.scheduler.runDue();
    h.clock.set('2026-11-22T07:40:00Z');
    await step(rel.id, 'publish', 'spokes');
    const after = (await h.api('GET', `/api/incidents/${inc.id}`, { as: 'em.leader' })).body.incident;
    expect(after.deadlines.find((d: any) => d.kind === 'first_release')).toMatchObject({ status: 'missed', metAt: '2026-11-22T07:40:00.000Z' });
  });

  it('a sensitive incident\'s release cannot publish on one approval (422); a coordinating leader completes it', async () => {
    h.clock.set('2026-11-22T03:00:00Z');
    const inc = await incident({ sensitive: true });
    const rel = await draft(inc.id);
    await step(rel.id, 'submit', 'spokes');
    const one = await step(rel.id, 'approve', 'em.leader', { version: 1, checklist: CHECKLIST });
    expect(one.body.release.status).toBe('in_review');
    expect(one.body.release.approvalsNeeded).toEqual(['coordinating']);
    expect((await step(rel.id, 'publish', 'spokes')).status).toBe(422);
    expect((await step(rel.id, 'approve', 'em.leader', { version: 1, checklist: CHECKLIST })).status).toBe(422); // not twice
    const two = await step(rel.id, 'approve', 'leader', { version: 1, checklist: CHECKLIST });
    expect(two.body.release.status).toBe('approved');
    expect((await step(rel.id, 'publish', 'spokes')).body.release.status).toBe('published');
  });

  it('two leaders approving at once end in one consistent state', async () => {
    h.clock.set('2026-11-22T03:00:00Z');
    const inc = await incident({ sensitive: true });
    const rel = await draft(inc.id);
    await step(rel.id, 'submit', 'spokes');
    const [a, b] = await Promise.all([
      step(rel.id, 'approve', 'em.leader', { version: 1, checklist: CHECKLIST }),
      step(rel.id, 'approve', 'leader', { version: 1, checklist: CHECKLIST }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const now = (await h.api('GET', `/api/releases/${rel.id}`, { as: 'spokes' })).body.release;
    expect(now.status).toBe('approved');
    expect(now.approvals).toHaveLength(2);
    expect(now.approvalsNeeded).toEqual([]);
  });

  it('reject returns to draft with a comment; an edit is a new version with a redline source; stale versions are 409', async () => {
    h.clock.set('2026-11-22T03:00:00Z');
    const inc = await incident();
    const rel = await draft(inc.id);
    await step(rel.id, 'submit', 'spokes');
    expect((await step(rel.id, 'reject', 'em.leader', { version: 1 })).status).toBe(400);
    const rejected = await step(rel.id, 'reject', 'em.leader', { version: 1, comment: '伤亡数字请与卫健委核实' });
    expect(rejected.body.release.status).toBe('draft');
    const edited = await h.api('PATCH', `/api/releases/${rel.id}`, { as: 'spokes', body: { version: 1, body: '11月22日2时10分许，城东化工园区一储罐发生爆炸，造成1人死亡。' } });
    expect(edited.body.release.version).toBe(2);
    const stale = await h.api('PATCH', `/api/releases/${rel.id}`, { as: 'spokes', body: { version: 1, title: 'x' } });
    expect(stale.status).toBe(409);
    expect((await step(rel.id, 'submit', 'spokes', { version: 1 })).status).toBe(409); // submits what it read
    await step(rel.id, 'submit', 'spokes', { version: 2 });
    expect((await step(rel.id, 'approve', 'em.leader', { version: 1, checklist: CHECKLIST })).status).toBe(409); // approves what it read
    const detail = (await h.api('GET', `/api/releases/${rel.id}`, { as: 'em.leader' })).body.release;
    expect(detail.revisions.map((r: any) => r.version)).toEqual([1, 2]);
    expect(detail.reviews[0]).toMatchObject({ decision: 'rejected', comment: '伤亡数字请与卫健委核实' });
  });

  it('a release scheduled 3 s ahead is published once by the scheduler; a pulled-back one is not', async () => {
    h.clock.set('2026-11-22T03:00:00Z');
    const inc = await incident();
    const rel = await draft(inc.id);
    await step(rel.id, 'submit', 'spokes');
    await step(rel.id, 'approve', 'em.leader', { version: 1, checklist: CHECKLIST });
    const past = await step(rel.id, 'publish', 'spokes', { at: '2026-11-22T02:00:00Z' });
    expect(past.status).toBe(400);
    expect(past.body.error.field).toBe('at');
    const scheduled = await step(rel.id, 'publish', 'spokes', { at: '2026-11-22T03:00:03Z' });
    expect(scheduled.body.release).toMatchObject({ status: 'scheduled', publishAt: '2026-11-22T03:00:03.000Z' });
    h.clock.set('2026-11-22T03:00:02Z');
    await h.beacon.scheduler.runDue();
    expect((await h.api('GET', `/api/releases/${rel.id}`, { as: 'spokes' })).body.release.status).toBe('scheduled');
    h.clock.set('2026-11-22T03:00:03.200Z');
    await h.beacon.scheduler.runDue();
    await h.beacon.scheduler.runDue();
    const now = (await h.api('GET', `/api/releases/${rel.id}`, { as: 'spokes' })).body.release;
    expect(now).toMatchObject({ status: 'published', publishedAt: '2026-11-22T03:00:03.200Z' });
    const events = (await h.api('GET', '/api/events?after=0&limit=5000', { as: 'spokes' })).body.events;
    expect(events.filter((e: any) => e.type === 'release.published' && e.payload.release.id === rel.id)).toHaveLength(1);

    const other = await draft(inc.id, { kind: 'update', title: '续报' });
    await step(other.id, 'submit', 'spokes');
    await step(other.id, 'approve', 'em.leader', { version: 1, checklist: CHECKLIST });
    await step(other.id, 'publish', 'spokes', { at: '2026-11-22T04:00:00Z' });
    expect((await step(other.id, 'unschedule', 'spokes')).body.release.status).toBe('approved');
    h.clock.set('2026-11-22T04:00:01Z');
    await h.beacon.scheduler.runDue();
    expect((await h.api('GET', `/api/releases/${other.id}`, { as: 'spokes' })).body.release.status).toBe('approved');
  });

  it('retract needs a reason; a correction must name a published release of the incident', async () => {
    h.clock.set('2026-11-22T03:00:00Z');
    const inc = await incident();
    const rel = await draft(inc.id);
    await step(rel.id, 'submit', 'spokes');
    await step(rel.id, 'approve', 'em.leader', { version: 1, checklist: CHECKLIST });
    await step(rel.id, 'publish', 'spokes');
    const noTarget = await h.api('POST', `/api/incidents/${inc.id}/releases`, { as: 'spokes', body: { kind: 'correction', title: '更正', body: '更正内容' } });
    expect(noTarget.body.error.field).toBe('correctsReleaseId');
    const correction = await draft(inc.id, { kind: 'correction', title: '更正', correctsReleaseId: rel.id });
    expect(correction.correctsReleaseId).toBe(rel.id);
    expect((await step(rel.id, 'retract', 'spokes', {})).status).toBe(400);
    const retracted = await step(rel.id, 'retract', 'spokes', { reason: '数字有误，已发布更正' });
    expect(retracted.body.release).toMatchObject({ status: 'retracted', retractReason: '数字有误，已发布更正' });
    expect((await step(rel.id, 'retract', 'spokes', { reason: 'again' })).status).toBe(422);
  });

  it('the review queue lists what this leader can still approve', async () => {
    h.clock.set('2026-11-22T03:00:00Z');
    const inc = await incident();
    const rel = await draft(inc.id);
    await step(rel.id, 'submit', 'spokes');
    const queue = (await h.api('GET', '/api/releases/review-queue', { as: 'em.leader' })).body.items;
    expect(queue.map((r: any) => r.id)).toContain(rel.id);
    expect((await h.api('GET', '/api/releases/review-queue', { as: 'he.leader' })).body.items.map((r: any) => r.id)).not.toContain(rel.id);
    expect((await h.api('GET', '/api/releases/review-queue', { as: 'spokes' })).status).toBe(403);
  });
});

describe(`press conferences on ${dbKind}`, () => {
  it('plan, hold (meets press_conference), and the printable briefing', async () => {
    h.clock.set('2026-11-22T03:00:00Z');
    const inc = await incident();
    const bad = await h.api('POST', `/api/incidents/${inc.id}/conferences`, { as: 'spokes', body: { scheduledAt: '2026-11-22T10:00:00Z', venue: '', } });
    expect(bad.body.error.field).toBe('venue');
    const wrongPerson = await h.api('POST', `/api/incidents/${inc.id}/conferences`, {
      as: 'spokes',
      body: { scheduledAt: '2026-11-22T10:00:00Z', venue: '市政府新闻发布厅', spokespersonIds: [h.city.users.duty] },
    });
    expect(wrongPerson.body.error.field).toBe('spokespersonIds.0');
    const planned = await h.api('POST', `/api/incidents/${inc.id}/conferences`, {
      as: 'spokes',
      body: {
        scheduledAt: '2026-11-22T10:00:00Z',
        venue: '市政府新闻发布厅',
        spokespersonIds: [h.city.users.spokes],
        departmentIds: [h.city.depts.emergency, h.city.depts.health],
        talkingPoints: [{ text: '<b>伤员救治情况</b>' }],
      },
    });
    expect(planned.status).toBe(201);
    const conf = planned.body.conference;
    const sheet = await h.api('GET', `/api/conferences/${conf.id}/briefing`, { as: 'spokes' });
    expect(sheet.status).toBe(200);
    expect(sheet.body).toContain('市政府新闻发布厅');
    expect(sheet.body).toContain('&lt;b&gt;伤员救治情况&lt;/b&gt;');
    expect(sheet.body).not.toContain('<b>伤员');
    expect((await h.api('GET', `/api/conferences/${conf.id}/briefing`, { as: 'he.leader' })).status).toBe(404);

    h.clock.set('2026-11-22T10:05:00Z');
    expect((await h.api('POST', `/api/conferences/${conf.id}/hold`, { as: 'spokes', body: { heldAt: '2026-11-22T11:00:00Z' } })).body.error.field).toBe('heldAt');
    const held = await h.api('POST', `/api/conferences/${conf.id}/hold`, { as: 'spokes', body: { heldAt: '2026-11-22T10:00:00Z', summary: '通报伤亡与救治' } });
    expect(held.body.conference).toMatchObject({ status: 'held', heldAt: '2026-11-22T10:00:00.000Z' });
    const after = (await h.api('GET', `/api/incidents/${inc.id}`, { as: 'em.leader' })).body.incident;
    expect(after.deadlines.find((d: any) => d.kind === 'press_conference')).toMatchObject({ status: 'met', metAt: '2026-11-22T10:00:00.000Z' });
    expect(after.conferences[0].status).toBe('held');
    expect((await h.api('POST', `/api/conferences/${conf.id}/cancel`, { as: 'spokes', body: { reason: '改期' } })).status).toBe(422);
  });
});
