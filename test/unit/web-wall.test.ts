import { describe, expect, it } from 'vitest';
import type { Task } from '../../shared/coordination.ts';
import type { BeaconEvent, DashboardIncident, Deadline } from '../../shared/domain.ts';
import type { OpinionBurst } from '../../shared/opinion.ts';
import {
  applyWallEvent,
  applyWallTask,
  currentBursts,
  mergeDashboard,
  negativeShares,
  overdueItems,
  shareTrend,
  sortWall,
  sparkBars,
  sparkPoints,
  wallClocks,
  wallDensity,
} from '../../web/src/lib/wall.ts';

const NOW = Date.parse('2026-11-22T06:00:00Z');

const dl = (over: Partial<Deadline> & { id: string }): Deadline => ({
  incidentId: '1',
  opinionItemId: null,
  kind: 'first_release',
  dueAt: '2026-11-22T07:00:00.000Z',
  status: 'pending',
  metAt: null,
  waivedAt: null,
  waivedBy: null,
  waiveReason: null,
  warningsSent: [],
  policyVersion: 1,
  createdAt: '2026-11-22T02:00:00.000Z',
  ...over,
});

const inc = (over: Partial<DashboardIncident> & { id: string }): DashboardIncident =>
  ({
    title: `incident ${over.id}`,
    status: 'open',
    severity: 'II',
    occurredAt: '2026-11-22T02:00:00.000Z',
    leadDepartmentId: '3',
    version: 1,
    deadlines: [],
    nextDeadline: null,
    ...over,
  }) as DashboardIncident;

const task = (over: Partial<Task> & { id: string }): Task =>
  ({
    incidentId: '1',
    departmentId: '4',
    departmentName: '市卫生健康委员会',
    title: '核实伤亡',
    status: 'open',
    dueAt: '2026-11-22T05:30:00.000Z',
    doneAt: null,
    version: 1,
    createdAt: '2026-11-22T05:00:00.000Z',
    ...over,
  }) as Task;

const ev = (id: string, type: string, payload: Record<string, unknown>, incidentId: string | null = null): BeaconEvent => ({
  id,
  type,
  at: '2026-11-22T06:00:00.000Z',
  incidentId,
  payload,
});

const names: Record<string, string> = { '3': '市应急管理局', '4': '市卫生健康委员会' };
const deptName = (id: string) => names[id] ?? `#${id}`;

describe('wall clocks', () => {
  it('running clocks by due time, then the settled statutory ones; settled follow-ups drop off', () => {
    const x = inc({
      id: '1',
      deadlines: [
        dl({ id: 'pc', kind: 'press_conference', dueAt: '2026-11-23T02:00:00.000Z' }),
        dl({ id: 'fr', kind: 'first_release', status: 'waived', waivedAt: '2026-11-22T03:00:00.000Z' }),
        dl({ id: 'fu1', kind: 'follow_up', status: 'met', metAt: '2026-11-22T04:00:00.000Z' }),
        dl({ id: 'fu2', kind: 'follow_up', dueAt: '2026-11-22T05:00:00.000Z', status: 'missed' }),
      ],
    });
    const { running, settled } = wallClocks(x);
    expect(running.map((d) => d.id)).toEqual(['fu2', 'pc']);
    expect(settled.map((d) => d.id)).toEqual(['fr']);
  });

  it('orders the most urgent incident first and leaves closed ones out', () => {
    const a = inc({ id: 'a', deadlines: [dl({ id: '1', dueAt: '2026-11-22T09:00:00.000Z' })] });
    const b = inc({ id: 'b', deadlines: [dl({ id: '2', dueAt: '2026-11-22T05:00:00.000Z', status: 'missed' })] });
    const c = inc({ id: 'c', status: 'closed' });
    expect(sortWall([a, b, c]).map((x) => x.id)).toEqual(['b', 'a']);
  });
});

describe('what is overdue and by whom', () => {
  it('lists owed clocks (missed, or pending past due) under the lead department and late tasks under theirs', () => {
    const incidents = [
      inc({
        id: '1',
        title: '化工园区爆炸',
        deadlines: [
          dl({ id: 'a', dueAt: '2026-11-22T05:40:00.000Z', status: 'missed' }),
          dl({ id: 'b', kind: 'press_conference', dueAt: '2026-11-22T05:59:59.000Z' }), // pending, a second late
          dl({ id: 'c', kind: 'follow_up', dueAt: '2026-11-22T04:00:00.000Z', status: 'missed', metAt: '2026-11-22T04:10:00.000Z' }),
          dl({ id: 'd', kind: 'opinion_response', dueAt: '2026-11-22T07:00:00.000Z' }),
        ],
      }),
      inc({ id: '2', status: 'closed', deadlines: [dl({ id: 'e', incidentId: '2', dueAt: '2026-11-22T01:00:00.000Z', status: 'missed' })] }),
    ];
    const tasks = [
      task({ id: 't1', dueAt: '2026-11-22T05:30:00.000Z' }),
      task({ id: 't2', dueAt: '2026-11-22T05:00:00.000Z', status: 'done', doneAt: '2026-11-22T05:10:00.000Z' }),
      task({ id: 't3', dueAt: '2026-11-22T07:00:00.000Z' }),
      task({ id: 't4', incidentId: '2', dueAt: '2026-11-22T01:00:00.000Z' }),
    ];
    const items = overdueItems(incidents, tasks, NOW, deptName);
    expect(items.map((i) => i.key)).toEqual(['task:t1', 'clock:a', 'clock:b']);
    expect(items[1]).toMatchObject({ type: 'clock', kind: 'first_release', departmentName: '市应急管理局', incidentTitle: '化工园区爆炸', lateMs: 20 * 60_000 });
    expect(items[0]).toMatchObject({ type: 'task', what: '核实伤亡', departmentName: '市卫生健康委员会', lateMs: 30 * 60_000 });
    expect(items[2].lateMs).toBe(1000);
  });
});

describe('live events on the wall', () => {
  const base = [inc({ id: '1', version: 2, deadlines: [dl({ id: 'a' })] }), inc({ id: '2', version: 1 })];

  it('a new open incident joins, a closed one leaves, an older copy never rolls back', () => {
    const joined = applyWallEvent(base, ev('10', 'incident.created', { incident: inc({ id: '3', deadlines: [dl({ id: 'x', incidentId: '3' })] }) }));
    expect(joined.map((x) => x.id)).toEqual(['1', '2', '3']);
    expect(joined[2].nextDeadline?.id).toBe('x');
    const closed = applyWallEvent(joined, ev('11', 'incident.closed', { incident: inc({ id: '2', version: 2, status: 'closed' }) }));
    expect(closed.map((x) => x.id)).toEqual(['1', '3']);
    const stale = applyWallEvent(closed, ev('12', 'incident.updated', { incident: inc({ id: '1', version: 1, title: 'old' }) }));
    expect(stale.find((x) => x.id === '1')?.title).toBe('incident 1');
    // A closed incident we never showed does not appear.
    expect(applyWallEvent(base, ev('13', 'incident.closed', { incident: inc({ id: '9', status: 'closed' }) }))).toBe(base);
  });

  it('a waived clock is shown waived and stops being the next deadline', () => {
    const waived = applyWallEvent(base, ev('14', 'deadline.waived', { deadline: dl({ id: 'a', status: 'waived' }) }, '1'));
    expect(waived[0].deadlines[0].status).toBe('waived');
    expect(waived[0].nextDeadline).toBeNull();
    // A late "pending" copy does not bring it back.
    const again = applyWallEvent(waived, ev('15', 'deadline.warning', { deadline: dl({ id: 'a' }) }, '1'));
    expect(again[0].deadlines[0].status).toBe('waived');
  });

  it('a refetched dashboard decides membership; newer held copies and incidents added meanwhile survive', () => {
    const held = [inc({ id: '1', version: 3, title: 'newer' }), inc({ id: '2' }), inc({ id: '5' })];
    const fetched = [inc({ id: '1', version: 2, title: 'older' }), inc({ id: '4' })];
    const merged = mergeDashboard(held, fetched, new Set(['5']));
    expect(merged.map((x) => x.id)).toEqual(['1', '4', '5']);
    expect(merged[0].title).toBe('newer');
    // The fetched copy is newer and closed: gone.
    expect(mergeDashboard(held, [inc({ id: '1', version: 4, status: 'closed' })]).map((x) => x.id)).toEqual([]);
  });

  it('tasks: done ones and ones without a due time are dropped; older copies ignored', () => {
    let tasks = applyWallTask([], task({ id: 't', version: 1 }));
    expect(tasks).toHaveLength(1);
    tasks = applyWallTask(tasks, task({ id: 't', version: 3, status: 'in_progress' }));
    expect(tasks[0].status).toBe('in_progress');
    expect(applyWallTask(tasks, task({ id: 't', version: 2, status: 'acked' }))[0].status).toBe('in_progress');
    expect(applyWallTask(tasks, task({ id: 't', version: 4, status: 'done' }))).toEqual([]);
    expect(applyWallTask([], task({ id: 'u', dueAt: null }))).toEqual([]);
  });
});

describe('opinion strip', () => {
  const pt = (total: number, negative: number) => ({ t: '', total, negative, neutral: total - negative, positive: 0 });

  it('negative share per bucket and its trend over the last three hours against the three before', () => {
    expect(negativeShares([pt(0, 0), pt(4, 1)])).toEqual([null, 0.25]);
    const rising = [pt(10, 2), pt(10, 2), pt(10, 2), pt(10, 5), pt(10, 5), pt(10, 5)];
    expect(shareTrend(rising)).toBe('up');
    expect(shareTrend([...rising].reverse())).toBe('down');
    expect(shareTrend([pt(10, 3), pt(10, 3), pt(10, 3), pt(10, 3), pt(10, 3), pt(10, 4)])).toBe('flat');
    expect(shareTrend([pt(0, 0), pt(0, 0), pt(0, 0), pt(10, 5), pt(10, 5), pt(10, 5)])).toBeNull();
    expect(shareTrend([pt(1, 1)])).toBeNull();
  });

  it('sparkline points and bars fit the box; gaps are skipped', () => {
    expect(sparkPoints([0, 0.5, null, 1], 100, 20, 1, 0)).toBe('0,20 33.3,10 100,0');
    expect(sparkPoints([], 100, 20)).toBe('');
    const bars = sparkBars([0, 5, 10], 32, 10, 1);
    expect(bars.map((b) => b.h)).toEqual([0, 5, 10]);
    expect(bars[2].y).toBe(0);
    expect(sparkBars([0, 0], 10, 10).every((b) => b.h === 0)).toBe(true);
  });

  it('current bursts: the last six hours, newest first', () => {
    const b = (id: string, at: string) => ({ id, label: id, at, bucketStart: at, count: 10 }) as OpinionBurst;
    const list = [b('old', '2026-11-21T23:00:00.000Z'), b('a', '2026-11-22T04:00:00.000Z'), b('b', '2026-11-22T05:30:00.000Z')];
    expect(currentBursts(list, NOW).map((x) => x.id)).toEqual(['b', 'a']);
  });

  it('fewer incidents, bigger clocks', () => {
    expect([0, 1, 2, 3, 5, 7].map(wallDensity)).toEqual(['one', 'one', 'two', 'four', 'six', 'many']);
  });
});
