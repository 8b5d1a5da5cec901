// The incident room over HTTP: comments with @mentions of people and departments, resolved against who Beacon knows
// and who may see the incident; the mentioned get a notification; outsiders can neither read nor write.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMentions } from '../../server/room/mentions.ts';
import { createUser } from '../../server/people/service.ts';
import { chemicalPlant, dbKind, PASSWORD } from '../support/harness.ts';
import { startCoordinationHarness, type CoordinationHarness } from '../support/coordination.ts';

let h: CoordinationHarness;
let zhang: string;
beforeAll(async () => {
  h = await startCoordinationHarness({ start: '2026-11-22T03:00:00Z' });
  zhang = (await createUser(h.beacon.ctx, null, { login: 'he.zhang', name: '张伟', password: PASSWORD, departmentId: h.city.depts.health, roles: ['duty_officer'] })).id;
});
afterAll(() => h?.close());

/** An emergency-bureau incident the health commission holds a task on (so health may see it; police may not). */
async function incidentWithHealthTask(title: string) {
  const res = await h.api('POST', '/api/incidents', { as: 'duty', body: chemicalPlant(h.city, '2026-11-22T02:40:00Z', { title }) });
  expect(res.status).toBe(201);
  const task = await h.api('POST', `/api/incidents/${res.body.incident.id}/tasks`, { as: 'duty', body: { departmentId: h.city.depts.health, title: '核实伤亡' } });
  expect(task.status).toBe(201);
  return res.body.incident as { id: string };
}

const comment = (incidentId: string, as: string, body: unknown) => h.api('POST', `/api/incidents/${incidentId}/comments`, { as, body });
const unread = async (as: string) => (await h.api('GET', '/api/notifications?unread=1', { as })).body.unread as number;

describe(`mention parsing`, () => {
  const targets = [
    { kind: 'user' as const, id: 1, text: '张伟' },
    { kind: 'user' as const, id: 1, text: 'he.zhang' },
    { kind: 'user' as const, id: 2, text: 'duty' },
    { kind: 'user' as const, id: 3, text: '市卫' },
    { kind: 'department' as const, id: 10, text: '市卫生健康委员会' },
  ];
  it('takes the longest known name after @ (no space needed in Chinese), and leaves the rest as text', () => {
    const body = '@市卫生健康委员会 请@张伟核实，@市卫 知悉；@王五 无此人';
    expect(findMentions(body, targets)).toEqual([
      { kind: 'department', id: 10, start: 0, length: 9 },
      { kind: 'user', id: 1, start: 11, length: 3 },
      { kind: 'user', id: 3, start: 17, length: 3 },
    ]);
  });
  it('logins: case-insensitive, not running on into more letters, not inside an e-mail address; full-width ＠ too', () => {
    expect(findMentions('@DUTY, @dutyroster, x@duty.com, ＠he.zhang.', targets)).toEqual([
      { kind: 'user', id: 2, start: 0, length: 5 },
      { kind: 'user', id: 1, start: 32, length: 9 },
    ]);
  });
  it('a name shared by two targets mentions both', () => {
    const twins = [...targets, { kind: 'user' as const, id: 4, text: '张伟' }];
    expect(findMentions('@张伟', twins).map((m) => m.id)).toEqual([1, 4]);
  });
});

describe(`incident room on ${dbKind}`, () => {
  it('a comment resolves a user and a department mention; the mentioned user is notified (1 → read → 0)', async () => {
    h.clock.set('2026-11-22T03:00:00Z');
    const inc = await incidentWithHealthTask('提及测试');
    expect(await unread('he.zhang')).toBe(0);
    const body = '@张伟 请核实收治人数，@市卫生健康委员会 下午三点前回复。@不存在的人 也看看 (联系 ops@duty.gov)';
    const res = await comment(inc.id, 'em.duty', { body });
    expect(res.status).toBe(201);
    const c = res.body.comment;
    expect(c).toMatchObject({ incidentId: inc.id, authorId: h.city.users['em.duty'], authorName: 'em.duty', authorDepartmentId: h.city.depts.emergency, body, createdAt: '2026-11-22T03:00:00.000Z' });
    expect(c.mentions.users).toEqual([{ id: zhang, name: '张伟' }]);
    expect(c.mentions.departments).toEqual([{ id: h.city.depts.health, name: '市卫生健康委员会' }]);
    expect(c.mentions.spans).toEqual([
      { start: 0, length: 3, kind: 'user', id: zhang },
      { start: 12, length: 9, kind: 'department', id: h.city.depts.health },
    ]);
    expect(body.substr(c.mentions.spans[1].start, c.mentions.spans[1].length)).toBe('@市卫生健康委员会');
    expect(res.body.unreachable).toEqual([]);

    // The mentioned user has one unread notification: this comment.
    const notes = (await h.api('GET', '/api/notifications?unread=1', { as: 'he.zhang' })).body;
    expect(notes.unread).toBe(1);
    expect(notes.items).toHaveLength(1);
    expect(notes.items[0].readAt).toBeNull();
    expect(notes.items[0].event).toMatchObject({ type: 'comment.created', incidentId: inc.id, payload: { comment: { id: c.id } } });
    const read = await h.api('POST', `/api/notifications/${notes.items[0].id}/read`, { as: 'he.zhang' });
    expect(read.status).toBe(200);
    expect(read.body.notification.readAt).toBe('2026-11-22T03:00:00.000Z');
    expect(read.body.unread).toBe(0);
    expect(await unread('he.zhang')).toBe(0);
    expect((await h.api('GET', '/api/notifications?unread=1', { as: 'he.zhang' })).body.items).toEqual([]);
    expect((await h.api('GET', '/api/notifications', { as: 'he.zhang' })).body.items).toHaveLength(1);

    // The department mention reached its members personally too; the author is not notified of their own comment.
    const heLeader = (await h.api('GET', '/api/notifications?unread=1', { as: 'he.leader' })).body.items;
    expect(heLeader.some((n: any) => n.event.payload.comment?.id === c.id)).toBe(true);
    const author = (await h.api('GET', '/api/notifications', { as: 'em.duty' })).body.items;
    expect(author.some((n: any) => n.event.type === 'comment.created')).toBe(false);

    // Listed in the room, in the incident detail, and on the timeline.
    const list = await h.api('GET', `/api/incidents/${inc.id}/comments`, { as: 'he.zhang' });
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([c]);
    const detail = (await h.api('GET', `/api/incidents/${inc.id}`, { as: 'leader' })).body.incident;
    expect(detail.comments).toEqual([c]);
    expect(detail.timeline[0]).toMatchObject({ type: 'comment.created', byName: 'em.duty', summary: { comment: { id: c.id, body } } });
  });

  it('an unrelated department can neither comment nor read the room (404); mentioning it leaves plain text', async () => {
    h.clock.set('2026-11-22T03:10:00Z');
    const inc = await incidentWithHealthTask('外部门测试');
    expect((await comment(inc.id, 'po.analyst', { body: '我也想说' })).status).toBe(404);
    expect((await h.api('GET', `/api/incidents/${inc.id}/comments`, { as: 'po.analyst' })).status).toBe(404);
    expect((await comment('987654', 'duty', { body: '无此事件' })).status).toBe(404);
    expect((await comment(inc.id, undefined as unknown as string, { body: 'x' })).status).toBe(401);

    const before = await unread('po.analyst');
    const res = await comment(inc.id, 'duty', { body: '@市公安局 @po.analyst 请协助' });
    expect(res.status).toBe(201);
    expect(res.body.comment.mentions).toEqual({ users: [], departments: [], spans: [] });
    expect(res.body.unreachable).toEqual([
      { kind: 'department', id: h.city.depts.police, name: '市公安局' },
      { kind: 'user', id: h.city.users['po.analyst'], name: 'po.analyst' },
    ]);
    expect(await unread('po.analyst')).toBe(before);
    // Nor did the event leak to them.
    const seen = (await h.api('GET', '/api/events?after=0', { as: 'po.analyst' })).body.events;
    expect(seen.filter((e: any) => e.incidentId === inc.id)).toEqual([]);
  });

  it('anyone who may see the incident comments: lead, task holder, coordinating', async () => {
    h.clock.set('2026-11-22T03:20:00Z');
    const inc = await incidentWithHealthTask('谁能评论');
    for (const who of ['em.leader', 'he.duty', 'spokes', 'po.analyst']) {
      const res = await comment(inc.id, who, { body: `${who} 到` });
      expect(res.status, who).toBe(who === 'po.analyst' ? 404 : 201);
    }
    const list = (await h.api('GET', `/api/incidents/${inc.id}/comments`, { as: 'em.leader' })).body.items;
    expect(list.map((c: any) => c.authorName)).toEqual(['em.leader', 'he.duty', 'spokes']);
    const after = (await h.api('GET', `/api/incidents/${inc.id}/comments?after=${list[0].id}`, { as: 'em.leader' })).body.items;
    expect(after.map((c: any) => c.authorName)).toEqual(['he.duty', 'spokes']);
    expect((await h.api('GET', `/api/incidents/${inc.id}/comments?limit=1`, { as: 'em.leader' })).body.items.map((c: any) => c.authorName)).toEqual(['spokes']);
  });

  it('bad input is a 400 naming the field', async () => {
    const inc = await incidentWithHealthTask('输入校验');
    for (const [body, field] of [
      [{}, 'body'],
      [{ body: '   ' }, 'body'],
      [{ body: 7 }, 'body'],
      [{ body: 'x'.repeat(5001) }, 'body'],
    ] as const) {
      const res = await comment(inc.id, 'duty', body);
      expect(res.status, JSON.stringify(body).slice(0, 40)).toBe(400);
      expect(res.body.error.field).toBe(field);
    }
    const notJson = await comment(inc.id, 'duty', 'nope');
    expect(notJson.status).toBe(400);
    const badLimit = await h.api('GET', `/api/incidents/${inc.id}/comments?limit=abc`, { as: 'duty' });
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.error.field).toBe('limit');
    expect((await h.api('GET', `/api/incidents/${inc.id}/comments`, { as: 'duty' })).body.items).toEqual([]);
  });

  it('presence over HTTP: nobody watching is an empty list; outsiders get 404', async () => {
    const inc = await incidentWithHealthTask('在场');
    expect((await h.api('GET', `/api/incidents/${inc.id}/presence`, { as: 'he.duty' })).body).toEqual({ incidentId: inc.id, users: [] });
    expect((await h.api('GET', `/api/incidents/${inc.id}/presence`, { as: 'po.analyst' })).status).toBe(404);
  });
});
