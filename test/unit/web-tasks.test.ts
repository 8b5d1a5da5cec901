import { describe, expect, it } from 'vitest';
import type { Task } from '../../shared/coordination.ts';
import type { BeaconEvent } from '../../shared/domain.ts';
import { insertMention, mentionQuery, segments, suggest } from '../../web/src/components/room/mentions.ts';
import { setLang } from '../../web/src/lib/i18n.svelte.ts';
import { cueFor, describeNotification, excerpt, shouldCue } from '../../web/src/lib/notifications.ts';
import {
  canAssign,
  checkAssign,
  humanDuration,
  mergeTasks,
  payloadTask,
  sortTasks,
  stepsFor,
  taskDue,
  upsertTask,
} from '../../web/src/lib/tasks.ts';

setLang('zh');

const NOW = Date.parse('2026-11-22T06:00:00Z');

const task = (over: Partial<Task> & { id: string }): Task =>
  ({
    incidentId: '1',
    incidentTitle: '化工园区爆炸',
    departmentId: '4',
    departmentName: '市卫生健康委员会',
    title: '核实伤亡',
    detail: '',
    status: 'open',
    dueAt: null,
    doneAt: null,
    ackSeconds: null,
    version: 1,
    createdAt: '2026-11-22T05:00:00.000Z',
    ...over,
  }) as Task;

const ev = (type: string, payload: Record<string, unknown>, at = '2026-11-22T06:00:00.000Z'): BeaconEvent => ({
  id: '1',
  type,
  at,
  incidentId: '7',
  payload,
});

describe('tasks', () => {
  it('upsert by version; a fetched list keeps newer copies held from events', () => {
    let list = upsertTask([], task({ id: '1' }));
    list = upsertTask(list, task({ id: '1', version: 3, status: 'in_progress' }));
    expect(upsertTask(list, task({ id: '1', version: 2, status: 'acked' }))[0].status).toBe('in_progress');
    expect(mergeTasks(list, [task({ id: '1', version: 2 }), task({ id: '2' })]).map((x) => [x.id, x.version])).toEqual([
      ['1', 3],
      ['2', 1],
    ]);
    expect(payloadTask(ev('task.acked', { task: task({ id: '9' }) }))?.id).toBe('9');
    expect(payloadTask(ev('task.acked', { task: 'nope' }))).toBeNull();
  });

  it('work first by due time (undated after), done last, most recently done first', () => {
    const list = [
      task({ id: 'a', dueAt: null }),
      task({ id: 'b', dueAt: '2026-11-22T07:00:00.000Z' }),
      task({ id: 'c', status: 'done', doneAt: '2026-11-22T05:10:00.000Z' }),
      task({ id: 'd', dueAt: '2026-11-22T06:30:00.000Z', status: 'acked' }),
      task({ id: 'e', status: 'done', doneAt: '2026-11-22T05:50:00.000Z' }),
    ];
    expect(sortTasks(list).map((x) => x.id)).toEqual(['d', 'b', 'a', 'e', 'c']);
  });

  it('due state: counting, overdue at the instant, done on time or late by the margin', () => {
    expect(taskDue(task({ id: '1', dueAt: '2026-11-22T06:10:00.000Z' }), NOW)).toEqual({ state: 'counting', ms: 600_000 });
    expect(taskDue(task({ id: '1', dueAt: '2026-11-22T06:00:00.000Z' }), NOW).state).toBe('overdue');
    expect(taskDue(task({ id: '1', dueAt: '2026-11-22T06:00:00.000Z', status: 'done', doneAt: '2026-11-22T05:59:00.000Z' }), NOW)).toEqual({
      state: 'done',
      ms: 60_000,
    });
    expect(taskDue(task({ id: '1', dueAt: '2026-11-22T05:00:00.000Z', status: 'done', doneAt: '2026-11-22T05:30:00.000Z' }), NOW)).toEqual({
      state: 'doneLate',
      ms: -1_800_000,
    });
    expect(taskDue(task({ id: '1' }), NOW).state).toBe('none');
  });

  it('only members of the assigned department get steps, each from its allowed statuses', () => {
    const member = { departmentId: '4' };
    expect(stepsFor(task({ id: '1', status: 'open' }), member)).toEqual(['ack', 'start']);
    expect(stepsFor(task({ id: '1', status: 'acked' }), member)).toEqual(['start', 'done']);
    expect(stepsFor(task({ id: '1', status: 'in_progress' }), member)).toEqual(['done']);
    expect(stepsFor(task({ id: '1', status: 'done' }), member)).toEqual([]);
    expect(stepsFor(task({ id: '1' }), { departmentId: '3' })).toEqual([]);
    expect(stepsFor(task({ id: '1' }), null)).toEqual([]);
    expect(canAssign(['leader'])).toBe(true);
    expect(canAssign(['analyst', 'admin'])).toBe(false);
  });

  it('checks the assign form: department, title, a due time in the future', () => {
    const bad = checkAssign({ departmentId: '', title: '  ', detail: '', dueLocal: '2020-01-01T00:00' }, NOW);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(Object.keys(bad.errors).sort()).toEqual(['departmentId', 'dueAt', 'title']);
    const ok = checkAssign({ departmentId: '4', title: ' 核实伤亡 ', detail: ' 一小时内 ', dueLocal: '' }, NOW);
    expect(ok).toEqual({ ok: true, body: { departmentId: '4', title: '核实伤亡', detail: '一小时内', dueAt: null } });
    const due = checkAssign({ departmentId: '4', title: 'x', detail: '', dueLocal: '2099-01-01T08:30' }, NOW);
    expect(due.ok && due.body.dueAt).toBe(new Date(2099, 0, 1, 8, 30).toISOString());
  });

  it('latency reads as people say it', () => {
    expect(humanDuration(45)).toBe('45 秒');
    expect(humanDuration(200)).toBe('3 分 20 秒');
    expect(humanDuration(3900)).toBe('1 小时 5 分');
    expect(humanDuration(2 * 86400 + 3 * 3600)).toBe('2 天 3 小时');
  });
});

describe('room mentions', () => {
  const body = '请@市卫生健康委员会 核实，@张伟 下午回复 <b>x</b>';

  it('cuts the body by the stored spans, plain text around them; bad spans lose only the highlight', () => {
    const spans = [
      { start: 14, length: 3, kind: 'user' as const, id: '9' },
      { start: 1, length: 9, kind: 'department' as const, id: '4' },
    ];
    expect(segments(body, spans)).toEqual([
      { text: '请', mention: null },
      { text: '@市卫生健康委员会', mention: { kind: 'department', id: '4' } },
      { text: ' 核实，', mention: null },
      { text: '@张伟', mention: { kind: 'user', id: '9' } },
      { text: ' 下午回复 <b>x</b>', mention: null },
    ]);
    const bad = [
      { start: 2, length: 3, kind: 'user' as const, id: '1' }, // not at an '@'
      { start: 40, length: 5, kind: 'user' as const, id: '1' }, // out of range
    ];
    expect(segments(body, bad)).toEqual([{ text: body, mention: null }]);
    expect(segments(body, undefined).map((s) => s.text).join('')).toBe(body);
  });

  it('finds the mention being typed at the caret, not an e-mail address or a finished one', () => {
    expect(mentionQuery('请@市卫', 4)).toEqual({ start: 1, query: '市卫' });
    expect(mentionQuery('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionQuery('＠he', 3)).toEqual({ start: 0, query: 'he' });
    expect(mentionQuery('ops@duty', 8)).toBeNull();
    expect(mentionQuery('@张伟 请', 5)).toBeNull();
    expect(mentionQuery('没有', 2)).toBeNull();
  });

  it('suggests names starting with the query first, then containing it; inserts "@name "', () => {
    const people = [
      { id: '1', name: '张伟', departmentId: '4' },
      { id: '2', name: '王卫东', departmentId: '3' },
    ];
    const depts = [
      { id: '4', name: '市卫生健康委员会' },
      { id: '3', name: '市应急管理局' },
    ];
    const names = (q: string) => suggest(q, people, depts, (id) => `d${id}`).map((c) => c.name);
    expect(names('市卫')).toEqual(['市卫生健康委员会']);
    expect(names('卫')).toEqual(['王卫东', '市卫生健康委员会']);
    expect(suggest('张', people, depts, (id) => `d${id}`)[0]).toEqual({ kind: 'user', id: '1', name: '张伟', sub: 'd4' });
    expect(names('')).toHaveLength(4);
    const text = '请@市卫 尽快';
    const res = insertMention(text, { start: 1, query: '市卫' }, 4, '市卫生健康委员会');
    expect(res).toEqual({ text: '请@市卫生健康委员会 尽快', caret: 11 });
  });
});

describe('notifications', () => {
  it('one line per notified event, pointing at the incident', () => {
    const comment = {
      id: '5',
      incidentId: '7',
      authorName: 'leader',
      body: '请 @市卫生健康委员会 核实',
      mentions: { users: [], departments: [{ id: '4', name: '市卫生健康委员会' }], spans: [] },
    };
    const e = ev('comment.created', { comment, incidentTitle: '化工园区爆炸', by: 'leader' });
    expect(describeNotification(e, { id: '20', departmentId: '4' })).toMatchObject({
      title: 'leader 在「化工园区爆炸」中提到了您的部门',
      text: '请 @市卫生健康委员会 核实',
      href: '#/incidents/7',
    });
    const mine = { ...comment, mentions: { ...comment.mentions, users: [{ id: '20', name: 'x' }] } };
    expect(describeNotification(ev('comment.created', { comment: mine, incidentTitle: 'T', by: 'leader' }), { id: '20', departmentId: '4' }).title).toBe(
      'leader 在「T」中提到了您',
    );
    expect(describeNotification(ev('task.overdue', { task: task({ id: '1' }), incidentTitle: '化工园区爆炸' }))).toMatchObject({
      tone: 'danger',
      title: '任务超时：市卫生健康委员会',
      text: '核实伤亡（化工园区爆炸）',
    });
    expect(describeNotification(ev('deadline.missed', { deadline: { kind: 'first_release' }, incidentTitle: 'X' })).title).toBe(
      '首次权威发布 (5小时)已超时',
    );
    expect(describeNotification(ev('release.rejected', { release: { title: '通报' }, comment: '数字待核实', incidentTitle: 'X' })).text).toBe(
      '《通报》（X） — 数字待核实',
    );
    expect(excerpt('一二三四五六', 4)).toBe('一二三…');
  });

  it('a cue on warnings and breaches happening now; replayed old ones stay silent', () => {
    expect(cueFor('deadline.warning')).toBe('warning');
    expect(cueFor('deadline.missed')).toBe('missed');
    expect(cueFor('task.overdue')).toBe('missed');
    expect(cueFor('task.created')).toBeNull();
    expect(shouldCue({ type: 'deadline.missed', at: '2026-11-22T05:59:00.000Z' }, NOW)).toBe('missed');
    expect(shouldCue({ type: 'deadline.missed', at: '2026-11-22T05:50:00.000Z' }, NOW)).toBeNull();
  });
});
