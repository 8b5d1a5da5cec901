// Tasks live between two departments over the socket (issue 5): the office's duty officer assigns the health
// commission a task on an emergency-bureau incident; the commission hears it at once, may now see the incident,
// acknowledges (latency recorded to the second), starts and finishes while the assigner watches each step; a task
// left undone past its due time escalates exactly once, however often the scheduler looks. And presence: who is
// watching an incident, kept current as sockets come and go.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import type { BeaconEvent, Hello } from '../../shared/domain.ts';
import type { PresenceMessage } from '../../shared/coordination.ts';
import { Scheduler } from '../../server/scheduler/scheduler.ts';
import { timerHandlers } from '../../server/scheduler/handlers.ts';
import { TIMER_TASK_OVERDUE, taskTimerHandlers } from '../../server/tasks/service.ts';
import { chemicalPlant, dbKind } from '../support/harness.ts';
import { startCoordinationHarness, type CoordinationHarness } from '../support/coordination.ts';

let h: CoordinationHarness;
let url: string;
beforeAll(async () => {
  h = await startCoordinationHarness({ start: '2026-11-22T03:00:00Z' });
  url = await h.beacon.listen(0);
});
afterAll(() => h?.close());

// ---- helpers (as in socket.test.ts) ----------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(predicate: () => boolean, ms = 3000, what = 'condition'): Promise<void> {
  const until = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(10);
  }
}

interface Client {
  login: string;
  socket: Socket;
  events: BeaconEvent[];
  presence: PresenceMessage[];
  next(match: (e: BeaconEvent) => boolean, what: string): Promise<BeaconEvent>;
  count(match: (e: BeaconEvent) => boolean): number;
}

const open: Socket[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.disconnect();
});

async function connectAs(login: string): Promise<Client> {
  const cookie = await h.login(login);
  const socket = io(url, { extraHeaders: { cookie }, transports: ['websocket'], reconnection: false, forceNew: true });
  open.push(socket);
  const events: BeaconEvent[] = [];
  const presence: PresenceMessage[] = [];
  socket.on('event', (e: BeaconEvent) => events.push(e));
  socket.on('presence', (m: PresenceMessage) => presence.push(m));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${login}: no hello within 3 s`)), 3000);
    socket.once('connect_error', (err) => (clearTimeout(timer), reject(err)));
    socket.once('hello', (_: Hello) => (clearTimeout(timer), resolve()));
  });
  return {
    login,
    socket,
    events,
    presence,
    async next(match, what) {
      await waitFor(() => events.some(match), 3000, `${login} to receive ${what}`);
      return events.find(match)!;
    },
    count: (match) => events.filter(match).length,
  };
}

const isTask = (type: string, taskId: string) => (e: BeaconEvent) => e.type === type && (e.payload as any).task?.id === taskId;

async function createIncident(extra: Record<string, unknown> = {}) {
  const res = await h.api('POST', '/api/incidents', { as: 'duty', body: chemicalPlant(h.city, '2026-11-22T02:40:00Z', extra) });
  expect(res.status).toBe(201);
  return res.body.incident as { id: string; version: number; title: string };
}

// ---- tests -----------------------------------------------------------------------------------------------------

describe(`tasks between departments over the socket on ${dbKind}`, () => {
  it('the office assigns the health commission a task; health hears it live, sees the incident, acks (latency exact), starts, finishes', async () => {
    h.clock.set('2026-11-22T03:00:00Z');
    const office = await connectAs('duty');
    const health = await connectAs('he.leader');
    const police = await connectAs('po.analyst');
    const incident = await createIncident({ title: '跨部门任务测试' });

    // Before the task: the health commission cannot see the emergency bureau's incident, nor watch it.
    expect((await h.api('GET', `/api/incidents/${incident.id}`, { as: 'he.leader' })).status).toBe(404);
    expect((await health.socket.timeout(3000).emitWithAck('watch', { incidentId: incident.id })).ok).toBe(false);

    const created = await h.api('POST', `/api/incidents/${incident.id}/tasks`, {
      as: 'duty',
      body: { departmentId: h.city.depts.health, title: '核实伤亡数字', detail: '请与市一医院核对收治人数' },
    });
    expect(created.status).toBe(201);
    const task = created.body.task;
    expect(task).toMatchObject({
      incidentId: incident.id,
      departmentId: h.city.depts.health,
      fromDepartmentId: h.city.depts.office,
      status: 'open',
      unread: true,
      ackSeconds: null,
      createdAt: '2026-11-22T03:00:00.000Z',
      createdByName: 'duty',
      version: 1,
    });

    // Health hears it live, with the task in the payload.
    const heard = await health.next(isTask('task.created', task.id), 'task.created');
    expect(heard.incidentId).toBe(incident.id);
    expect((heard.payload as any).task.title).toBe('核实伤亡数字');
    expect((heard.payload as any).incidentTitle).toBe('跨部门任务测试');
    await office.next(isTask('task.created', task.id), 'task.created (assigner)');

    // The incident is now visible to health: read, watch, and its later events reach it.
    const seen = await h.api('GET', `/api/incidents/${incident.id}`, { as: 'he.leader' });
    expect(seen.status).toBe(200);
    expect(seen.body.incident.tasks.map((t: any) => t.id)).toEqual([task.id]);
    expect((await health.socket.timeout(3000).emitWithAck('watch', { incidentId: incident.id })).ok).toBe(true);
    const patched = await h.api('PATCH', `/api/incidents/${incident.id}`, { as: 'em.duty', body: { version: incident.version, summary: '已组织救援' } });
    expect(patched.status).toBe(200);
    await health.next((e) => e.type === 'incident.updated' && e.incidentId === incident.id, 'incident.updated');

    // The health leader has it in the inbox and in the notification centre (assigned to their department).
    const inbox = await h.api('GET', '/api/tasks?mine=1', { as: 'he.duty' });
    expect(inbox.status).toBe(200);
    expect(inbox.body.items.map((t: any) => t.id)).toEqual([task.id]);
    expect(inbox.body.unread).toBe(1);
    expect((await h.api('GET', '/api/tasks/inbox-count', { as: 'he.duty' })).body).toEqual({ unread: 1 });
    const notes = await h.api('GET', '/api/notifications?unread=1', { as: 'he.leader' });
    expect(notes.body.unread).toBe(1);
    expect(notes.body.items[0].event).toMatchObject({ id: heard.id, type: 'task.created', incidentId: incident.id });

    // Acknowledged 1 min 35 s after assignment: the latency is exactly that.
    h.clock.advance(95_000);
    const acked = await h.api('POST', `/api/tasks/${task.id}/ack`, { as: 'he.duty', body: { version: 1 } });
    expect(acked.status).toBe(200);
    expect(acked.body.task).toMatchObject({ status: 'acked', ackSeconds: 95, ackedAt: '2026-11-22T03:01:35.000Z', ackedBy: h.city.users['he.duty'], unread: false, version: 2 });
    const ackHeard = await office.next(isTask('task.acked', task.id), 'task.acked');
    expect((ackHeard.payload as any).task.ackSeconds).toBe(95);
    expect((ackHeard.payload as any).by).toBe('he.duty');
    expect((await h.api('GET', '/api/tasks/inbox-count', { as: 'he.duty' })).body).toEqual({ unread: 0 });

    h.clock.advance(60_000);
    const started = await h.api('POST', `/api/tasks/${task.id}/start`, { as: 'he.leader' });
    expect(started.body.task).toMatchObject({ status: 'in_progress', startedAt: '2026-11-22T03:02:35.000Z', ackSeconds: 95 });
    await office.next(isTask('task.started', task.id), 'task.started');

    h.clock.advance(600_000);
    const done = await h.api('POST', `/api/tasks/${task.id}/done`, { as: 'he.duty' });
    expect(done.body.task).toMatchObject({ status: 'done', doneAt: '2026-11-22T03:12:35.000Z', version: 4 });
    await office.next(isTask('task.done', task.id), 'task.done');
    // The lead department follows too; an unrelated department hears nothing of it.
    await sleep(100);
    expect(police.events.filter((e) => e.incidentId === incident.id)).toEqual([]);
    // Health heard its own steps as well (the console updates every tab).
    for (const type of ['task.acked', 'task.started', 'task.done']) await health.next(isTask(type, task.id), type);

    const timeline = (await h.api('GET', `/api/incidents/${incident.id}`, { as: 'em.leader' })).body.incident.timeline;
    expect(timeline.filter((e: any) => e.type.startsWith('task.')).map((e: any) => [e.type, e.summary.task.status])).toEqual([
      ['task.done', 'done'],
      ['task.started', 'in_progress'],
      ['task.acked', 'acked'],
      ['task.created', 'open'],
    ]);
  });

  it('a task past its due time escalates exactly once: to the assigner, the coordinating departments and the assigned leaders', async () => {
    h.clock.set('2026-11-22T04:00:00Z');
    const office = await connectAs('duty'); // assigning department (and coordinating)
    const publicity = await connectAs('spokes'); // coordinating
    const healthLeader = await connectAs('he.leader'); // the assigned department's leader
    const lead = await connectAs('em.leader'); // the incident's lead department
    const police = await connectAs('po.analyst'); // unrelated
    const incident = await createIncident({ title: '逾期升级测试' });
    const created = await h.api('POST', `/api/incidents/${incident.id}/tasks`, {
      as: 'duty',
      body: { departmentId: h.city.depts.health, title: '提供医疗救治口径', dueAt: '2026-11-22T04:30:00Z' },
    });
    expect(created.status).toBe(201);
    const task = created.body.task;
    expect(task.dueAt).toBe('2026-11-22T04:30:00.000Z');
    expect(task.overdue).toBe(false);
    await h.api('POST', `/api/tasks/${task.id}/ack`, { as: 'he.duty' });
    const unreadBefore = (await h.api('GET', '/api/notifications?unread=1', { as: 'he.leader' })).body.unread;

    const isOverdue = isTask('task.overdue', task.id);
    // Not yet due: nothing.
    h.clock.set('2026-11-22T04:29:59Z');
    await h.beacon.scheduler.runDue();
    expect(office.count(isOverdue)).toBe(0);

    h.clock.set('2026-11-22T04:30:05Z');
    expect(await h.beacon.scheduler.runDue()).toBeGreaterThanOrEqual(1);
    const heard = await healthLeader.next(isOverdue, 'task.overdue (assigned leader)');
    expect((heard.payload as any).task).toMatchObject({ id: task.id, status: 'acked', overdue: true, escalatedAt: '2026-11-22T04:30:05.000Z' });
    expect((heard.payload as any).escalatedTo).toEqual([h.city.users['he.leader']]);
    expect((heard.payload as any).overdueSeconds).toBe(5);
    for (const c of [office, publicity, lead]) await c.next(isOverdue, `task.overdue (${c.login})`);
    // The assigned leader has it in the notification centre.
    const notes = await h.api('GET', '/api/notifications?unread=1', { as: 'he.leader' });
    expect(notes.body.unread).toBe(unreadBefore + 1);
    expect(notes.body.items[0].event).toMatchObject({ id: heard.id, type: 'task.overdue' });

    // A second pass sends nothing; nor does a "restarted" scheduler (a fresh one on the same database); nor a
    // duplicate timer row (as if one had been left behind): the task is marked escalated.
    expect(await h.beacon.scheduler.runDue()).toBe(0);
    const handlers = { ...timerHandlers, ...taskTimerHandlers };
    expect(await new Scheduler(h.beacon.ctx, handlers).runDue()).toBe(0);
    const duplicate = await h.beacon.ctx.db
      .insertInto('timers')
      .values({ kind: TIMER_TASK_OVERDUE, ref_id: Number(task.id), run_at: new Date('2026-11-22T04:30:00Z'), payload: JSON.stringify({ dueAt: '2026-11-22T04:30:00.000Z' }), created_at: h.clock.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(await new Scheduler(h.beacon.ctx, handlers).runDue()).toBe(1);
    const fired = await h.beacon.ctx.db.selectFrom('timers').select('fired_at').where('id', '=', duplicate.id).executeTakeFirstOrThrow();
    expect(fired.fired_at).not.toBeNull();

    // Sync point: a later event of the incident; anything sent before it has arrived by then.
    const comment = await h.api('POST', `/api/incidents/${incident.id}/comments`, { as: 'duty', body: { body: '同步点' } });
    expect(comment.status).toBe(201);
    for (const c of [office, publicity, healthLeader, lead]) {
      await c.next((e) => e.type === 'comment.created' && e.incidentId === incident.id, `comment.created (${c.login})`);
      expect(c.count(isOverdue), c.login).toBe(1);
    }
    expect(police.count((e) => e.incidentId === incident.id)).toBe(0);
    const logged = await h.beacon.ctx.db.selectFrom('events').select('id').where('type', '=', 'task.overdue').where('incident_id', '=', Number(incident.id)).execute();
    expect(logged.map((e) => String(e.id))).toEqual([heard.id]);
    expect((await h.api('GET', '/api/notifications?unread=1', { as: 'he.leader' })).body.unread).toBe(unreadBefore + 1);

    // Done late, it is no longer overdue; the escalation stays on record.
    const done = await h.api('POST', `/api/tasks/${task.id}/done`, { as: 'he.duty' });
    expect(done.body.task).toMatchObject({ status: 'done', overdue: false, escalatedAt: '2026-11-22T04:30:05.000Z' });
  });

  it('a task done before its due time never escalates', async () => {
    h.clock.set('2026-11-22T06:00:00Z');
    const office = await connectAs('duty');
    const incident = await createIncident();
    const task = (
      await h.api('POST', `/api/incidents/${incident.id}/tasks`, { as: 'em.leader', body: { departmentId: h.city.depts.police, title: '维持现场秩序', dueAt: '2026-11-22T06:10:00Z' } })
    ).body.task;
    await h.api('POST', `/api/tasks/${task.id}/start`, { as: 'po.analyst' });
    await h.api('POST', `/api/tasks/${task.id}/done`, { as: 'po.analyst' });
    h.clock.set('2026-11-22T07:00:00Z');
    await h.beacon.scheduler.runDue();
    await office.next(isTask('task.done', task.id), 'task.done');
    await sleep(100);
    expect(office.count(isTask('task.overdue', task.id))).toBe(0);
    const row = await h.beacon.ctx.db.selectFrom('tasks').select(['escalated_at', 'acked_at']).where('id', '=', Number(task.id)).executeTakeFirstOrThrow();
    expect(row.escalated_at).toBeNull();
    // Starting without an acknowledgement acknowledged it: the latency is recorded all the same.
    expect(row.acked_at?.toISOString()).toBe('2026-11-22T06:00:00.000Z');
  });
});

describe(`presence on ${dbKind}`, () => {
  it('two sockets watching one incident are both present; when one disconnects, one remains', async () => {
    h.clock.set('2026-11-22T08:00:00Z');
    const incident = await createIncident({ title: '在场测试' });
    const em = await connectAs('em.leader');
    const office = await connectAs('duty');
    const police = await connectAs('po.analyst');
    const names = (m: PresenceMessage | undefined) => (m ? m.users.map((u) => u.name).sort() : []);
    const latest = (c: Client) => c.presence.filter((m) => m.incidentId === incident.id).at(-1);

    expect((await em.socket.timeout(3000).emitWithAck('watch', { incidentId: incident.id })).ok).toBe(true);
    await waitFor(() => names(latest(em)).join() === 'em.leader', 3000, 'em.leader to see itself present');
    h.clock.advance(5_000);
    expect((await office.socket.timeout(3000).emitWithAck('watch', { incidentId: incident.id })).ok).toBe(true);
    await waitFor(() => names(latest(em)).join() === 'duty,em.leader', 3000, 'em.leader to see both');
    await waitFor(() => names(latest(office)).join() === 'duty,em.leader', 3000, 'duty to see both');
    expect(latest(office)!.users).toEqual([
      { id: h.city.users['em.leader'], name: 'em.leader', since: '2026-11-22T08:00:00.000Z' },
      { id: h.city.users.duty, name: 'duty', since: '2026-11-22T08:00:05.000Z' },
    ]);
    const both = await h.api('GET', `/api/incidents/${incident.id}/presence`, { as: 'duty' });
    expect(both.status).toBe(200);
    expect(both.body.users.map((u: any) => u.name)).toEqual(['em.leader', 'duty']);
    // A department that may not see the incident can neither watch it nor ask who is there.
    expect((await police.socket.timeout(3000).emitWithAck('watch', { incidentId: incident.id })).ok).toBe(false);
    expect((await h.api('GET', `/api/incidents/${incident.id}/presence`, { as: 'po.analyst' })).status).toBe(404);
    expect(police.presence).toEqual([]);

    em.socket.disconnect();
    await waitFor(() => names(latest(office)).join() === 'duty', 3000, 'duty to see em.leader leave');
    const one = await h.api('GET', `/api/incidents/${incident.id}/presence`, { as: 'duty' });
    expect(one.body.users.map((u: any) => u.name)).toEqual(['duty']);

    // unwatch leaves too (the leaver hears nothing more from the room; the list is empty now).
    office.socket.emit('unwatch', { incidentId: incident.id });
    const until = Date.now() + 3000;
    let users: unknown[] = [{}];
    while (users.length && Date.now() < until) {
      users = (await h.api('GET', `/api/incidents/${incident.id}/presence`, { as: 'duty' })).body.users;
      if (users.length) await sleep(10);
    }
    expect(users).toEqual([]);
  });
});
