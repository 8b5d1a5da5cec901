// Tasks over HTTP: who may assign and work them, input and workflow errors, the department inbox and its count.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chemicalPlant, dbKind } from '../support/harness.ts';
import { startCoordinationHarness, type CoordinationHarness } from '../support/coordination.ts';

let h: CoordinationHarness;
beforeAll(async () => {
  h = await startCoordinationHarness({ start: '2026-11-22T03:00:00Z' });
});
afterAll(() => h?.close());

async function incident(extra: Record<string, unknown> = {}) {
  const res = await h.api('POST', '/api/incidents', { as: 'duty', body: chemicalPlant(h.city, '2026-11-22T02:40:00Z', extra) });
  expect(res.status).toBe(201);
  return res.body.incident as { id: string; version: number };
}

const assign = (incidentId: string, body: unknown, as = 'duty') => h.api('POST', `/api/incidents/${incidentId}/tasks`, { as, body });
const step = (id: string, action: string, as: string, body?: unknown) => h.api('POST', `/api/tasks/${id}/${action}`, { as, body });

describe(`tasks API on ${dbKind}`, () => {
  it('bad input is a 400 naming the field', async () => {
    h.clock.set('2026-11-22T03:00:00Z');
    const inc = await incident();
    const health = h.city.depts.health;
    const cases: [unknown, string][] = [
      [{ departmentId: health }, 'title'],
      [{ departmentId: health, title: '   ' }, 'title'],
      [{ title: '核实' }, 'departmentId'],
      [{ departmentId: 'abc', title: '核实' }, 'departmentId'],
      [{ departmentId: '987654', title: '核实' }, 'departmentId'], // no such department
      [{ departmentId: health, title: '核实', dueAt: 'tomorrow' }, 'dueAt'],
      [{ departmentId: health, title: '核实', dueAt: '2026-11-22T02:59:00Z' }, 'dueAt'], // in the past
      [{ departmentId: health, title: '核实', detail: 42 }, 'detail'],
      [{ departmentId: health, title: 'x'.repeat(201) }, 'title'],
    ];
    for (const [body, field] of cases) {
      const res = await assign(inc.id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.field, JSON.stringify(body)).toBe(field);
      expect(res.body.error.message).toContain(field);
    }
    const notJson = await assign(inc.id, '{oops');
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.field).toBe('(body)');

    const task = (await assign(inc.id, { departmentId: health, title: '核实' })).body.task;
    const badVersion = await step(task.id, 'ack', 'he.duty', { version: 'one' });
    expect(badVersion.status).toBe(400);
    expect(badVersion.body.error.field).toBe('version');
    const extra = await step(task.id, 'ack', 'he.duty', { version: 1, status: 'done' });
    expect(extra.status).toBe(400);
    const badStatus = await h.api('GET', '/api/tasks?status=open,finished', { as: 'he.duty' });
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.error.field).toBe('status');
    const badLimit = await h.api('GET', '/api/tasks?limit=0', { as: 'he.duty' });
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.error.field).toBe('limit');
    // Nothing was half-made: only the one good task exists on the incident.
    expect((await h.api('GET', `/api/incidents/${inc.id}`, { as: 'duty' })).body.incident.tasks).toHaveLength(1);
  });

  it('who may assign: leaders, duty officers and spokespeople who may see the incident', async () => {
    h.clock.set('2026-11-22T03:10:00Z');
    const inc = await incident();
    const body = { departmentId: h.city.depts.health, title: '核实' };
    expect((await assign(inc.id, body, 'po.analyst')).status).toBe(403); // analyst
    expect((await assign(inc.id, body, 'admin')).status).toBe(403);
    expect((await assign(inc.id, body, 'he.leader')).status).toBe(404); // cannot see it
    expect((await assign('987654', body)).status).toBe(404);
    expect((await assign('abc', body)).status).toBe(404);
    for (const who of ['duty', 'em.leader', 'em.duty', 'spokes', 'leader']) expect((await assign(inc.id, body, who)).status, who).toBe(201);
    expect((await h.api('POST', `/api/incidents/${inc.id}/tasks`, { body })).status).toBe(401);
  });

  it('the workflow: wrong state is 422, a stale version 409, another department 403, an unrelated one 404', async () => {
    h.clock.set('2026-11-22T03:20:00Z');
    const inc = await incident();
    const task = (await assign(inc.id, { departmentId: h.city.depts.health, title: '提供救治情况' })).body.task;

    const early = await step(task.id, 'done', 'he.duty');
    expect(early.status).toBe(422);
    expect(early.body.error.code).toBe('invalid_state');
    expect((await step(task.id, 'ack', 'em.leader')).status).toBe(403); // lead department: sees it, does not hold it
    expect((await step(task.id, 'ack', 'duty')).status).toBe(403); // the assigner
    expect((await step(task.id, 'ack', 'po.analyst')).status).toBe(404); // may not even see it
    expect((await step('987654', 'ack', 'he.duty')).status).toBe(404);
    expect((await step(task.id, 'ack', 'he.duty', { version: 7 })).status).toBe(409);

    h.clock.advance(42_000);
    const acked = await step(task.id, 'ack', 'he.duty', { version: 1 });
    expect(acked.status).toBe(200);
    expect(acked.body.task).toMatchObject({ status: 'acked', ackSeconds: 42, version: 2 });
    expect((await step(task.id, 'ack', 'he.leader')).status).toBe(422); // twice
    expect((await step(task.id, 'start', 'he.leader', { version: 1 })).status).toBe(409); // what it read is stale
    // ack → done directly is allowed.
    const done = await step(task.id, 'done', 'he.leader', { version: 2 });
    expect(done.status).toBe(200);
    expect(done.body.task).toMatchObject({ status: 'done', ackSeconds: 42 });
    for (const s of ['ack', 'start', 'done']) expect((await step(task.id, s, 'he.duty')).status, s).toBe(422);

    // Stale-version 409 comes after the state check: a finished task is 422 whatever the version.
    expect((await step(task.id, 'start', 'he.duty', { version: 1 })).status).toBe(422);
    const row = await h.beacon.ctx.db.selectFrom('tasks').selectAll().where('id', '=', Number(task.id)).executeTakeFirstOrThrow();
    expect(row.acked_by).toBe(Number(h.city.users['he.duty']));
    expect(row.done_by).toBe(Number(h.city.users['he.leader']));
  });

  it('a closed incident takes no new tasks (422)', async () => {
    h.clock.set('2026-11-22T03:30:00Z');
    // Grade IV, nobody dead: no statutory clocks, so the lead's leader may close it at once.
    const inc = await incident({ severity: 'IV', casualties: { deaths: 0, injured: 1, missing: 0 } });
    expect((await h.api('POST', `/api/incidents/${inc.id}/close`, { as: 'em.leader' })).status).toBe(200);
    const res = await assign(inc.id, { departmentId: h.city.depts.health, title: '迟到的任务' });
    expect(res.status).toBe(422);
  });

  it('the department inbox: my department\'s tasks newest first, filtered by status, with the unread count', async () => {
    h.clock.set('2026-11-22T04:00:00Z');
    // A fresh department and its people, so the counts are this test's own.
    const { createDepartment, createUser } = await import('../../server/people/service.ts');
    const water = await createDepartment(h.beacon.ctx, null, { name: '市水务局', coordinating: false });
    for (const [login, roles] of [['wa.duty', ['duty_officer']], ['wa.leader', ['leader']]] as const) {
      await createUser(h.beacon.ctx, null, { login, name: login, password: 'correct-horse-battery', departmentId: water.id, roles: [...roles] });
    }
    expect((await h.api('GET', '/api/tasks', { as: 'wa.duty' })).body).toEqual({ items: [], unread: 0 });

    const a = await incident({ title: '甲' });
    const b = await incident({ title: '乙' });
    const t1 = (await assign(a.id, { departmentId: water.id, title: '一', dueAt: '2026-11-22T04:30:00Z' })).body.task;
    h.clock.advance(1000);
    const t2 = (await assign(b.id, { departmentId: water.id, title: '二' }, 'em.leader')).body.task;
    h.clock.advance(1000);
    const t3 = (await assign(a.id, { departmentId: water.id, title: '三' }, 'spokes')).body.task;
    await assign(a.id, { departmentId: h.city.depts.health, title: '别人的' });

    const inbox = await h.api('GET', '/api/tasks', { as: 'wa.duty' });
    expect(inbox.status).toBe(200);
    expect(inbox.body.items.map((t: any) => t.title)).toEqual(['三', '二', '一']);
    expect(inbox.body.items.every((t: any) => t.unread && t.departmentName === '市水务局')).toBe(true);
    expect(inbox.body.unread).toBe(3);
    expect((await h.api('GET', '/api/tasks/inbox-count', { as: 'wa.leader' })).body).toEqual({ unread: 3 });

    await step(t2.id, 'ack', 'wa.duty');
    await step(t3.id, 'start', 'wa.leader');
    expect((await h.api('GET', '/api/tasks/inbox-count', { as: 'wa.duty' })).body).toEqual({ unread: 1 });
    const open = await h.api('GET', '/api/tasks?mine=1&status=open', { as: 'wa.duty' });
    expect(open.body.items.map((t: any) => t.id)).toEqual([t1.id]);
    expect(open.body.unread).toBe(1);
    const working = await h.api('GET', '/api/tasks?status=acked,in_progress', { as: 'wa.duty' });
    expect(working.body.items.map((t: any) => [t.id, t.status])).toEqual([
      [t3.id, 'in_progress'],
      [t2.id, 'acked'],
    ]);
    expect((await h.api('GET', `/api/tasks?incidentId=${b.id}`, { as: 'wa.duty' })).body.items.map((t: any) => t.id)).toEqual([t2.id]);

    // Overdue is by the server clock.
    h.clock.set('2026-11-22T04:31:00Z');
    expect((await h.api('GET', `/api/tasks/${t1.id}`, { as: 'wa.duty' })).body.task).toMatchObject({ overdue: true, status: 'open' });

    // mine=0: every task on the incidents I may see (here: the incidents water holds tasks on).
    const all = await h.api('GET', `/api/tasks?mine=0&incidentId=${a.id}`, { as: 'wa.duty' });
    expect(all.body.items.map((t: any) => t.title)).toEqual(['别人的', '三', '一']);
    // A coordinating department sees every task; the inbox of the office holds none of these.
    expect((await h.api('GET', `/api/tasks?mine=0&incidentId=${a.id}`, { as: 'leader' })).body.items).toHaveLength(3);
    expect((await h.api('GET', '/api/tasks', { as: 'leader' })).body.items.filter((t: any) => t.departmentId === water.id)).toEqual([]);
    // Someone who may not see the incident cannot read its task.
    expect((await h.api('GET', `/api/tasks/${t2.id}`, { as: 'po.analyst' })).status).toBe(404);
    expect((await h.api('GET', '/api/tasks')).status).toBe(401);
  });

  it('assigning notifies the assigned department\'s leaders; the incident detail lists its tasks', async () => {
    h.clock.set('2026-11-22T05:00:00Z');
    const inc = await incident({ title: '通知测试' });
    const before = (await h.api('GET', '/api/notifications?unread=1', { as: 'he.leader' })).body.unread;
    const duty = (await h.api('GET', '/api/notifications?unread=1', { as: 'he.duty' })).body.unread;
    const task = (await assign(inc.id, { departmentId: h.city.depts.health, title: '发布健康提示', detail: '面向周边居民' })).body.task;
    const notes = (await h.api('GET', '/api/notifications?unread=1', { as: 'he.leader' })).body;
    expect(notes.unread).toBe(before + 1);
    expect(notes.items[0].event.type).toBe('task.created');
    expect(notes.items[0].event.payload.task.id).toBe(task.id);
    // Not a leader: hears it in the department room, no personal notification.
    expect((await h.api('GET', '/api/notifications?unread=1', { as: 'he.duty' })).body.unread).toBe(duty);

    const detail = (await h.api('GET', `/api/incidents/${inc.id}`, { as: 'he.duty' })).body.incident;
    expect(detail.tasks).toEqual([expect.objectContaining({ id: task.id, title: '发布健康提示', detail: '面向周边居民', departmentName: '市卫生健康委员会', incidentTitle: '通知测试' })]);
    expect(detail.timeline[0]).toMatchObject({ type: 'task.created', byName: 'duty', summary: { task: { id: task.id, status: 'open' } } });
  });
});
