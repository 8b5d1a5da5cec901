import { describe, expect, it } from 'vitest';
import type { Deadline, Incident } from '../../shared/domain.ts';
import { boardSummary, clockView, isOutstanding, orderedDeadlines, sortBoard } from '../../web/src/lib/board.ts';

const T0 = Date.parse('2025-07-14T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const H = 3_600_000;

function deadline(over: Partial<Deadline> & { id: string }): Deadline {
  return {
    incidentId: '1',
    opinionItemId: null,
    kind: 'first_release',
    dueAt: iso(T0 + 5 * H),
    status: 'pending',
    metAt: null,
    waivedAt: null,
    waivedBy: null,
    waiveReason: null,
    warningsSent: [],
    policyVersion: 1,
    createdAt: iso(T0),
    ...over,
  };
}

function incident(over: Partial<Incident> & { id: string }): Incident {
  return {
    title: `incident ${over.id}`,
    summary: '',
    category: 'accident',
    severity: 'III',
    status: 'open',
    occurredAt: iso(T0),
    reportedAt: iso(T0),
    location: '',
    leadDepartmentId: '1',
    spokespersonId: null,
    casualties: { deaths: 0, injured: 0, missing: 0 },
    significantImpact: false,
    sensitive: false,
    keywords: [],
    loggedLate: false,
    version: 1,
    createdBy: '1',
    updatedAt: iso(T0),
    closedAt: null,
    deadlines: [],
    ...over,
  };
}

describe('sortBoard', () => {
  it('puts open incidents with the most urgent outstanding clock first, closed last', () => {
    const noClock = incident({ id: 'a', severity: 'IV' });
    const later = incident({ id: 'b', deadlines: [deadline({ id: 'b1', dueAt: iso(T0 + 20 * H) })] });
    const sooner = incident({ id: 'c', deadlines: [deadline({ id: 'c1', dueAt: iso(T0 + 2 * H) })] });
    // A missed clock not yet met is still owed, and it is the most urgent of all.
    const missed = incident({ id: 'd', deadlines: [deadline({ id: 'd1', dueAt: iso(T0 - H), status: 'missed' })] });
    // Met clocks do not count.
    const allMet = incident({
      id: 'e',
      severity: 'I',
      deadlines: [deadline({ id: 'e1', dueAt: iso(T0 - 3 * H), status: 'met', metAt: iso(T0 - 4 * H) })],
    });
    const closed = incident({
      id: 'f',
      status: 'closed',
      closedAt: iso(T0),
      deadlines: [deadline({ id: 'f1', dueAt: iso(T0 - 9 * H) })],
    });
    const order = sortBoard([noClock, closed, later, allMet, sooner, missed]).map((x) => x.id);
    expect(order).toEqual(['d', 'c', 'b', 'e', 'a', 'f']);
  });

  it('does not mutate its input', () => {
    const list = [incident({ id: 'x', status: 'closed' }), incident({ id: 'y' })];
    sortBoard(list);
    expect(list.map((x) => x.id)).toEqual(['x', 'y']);
  });
});

describe('clockView', () => {
  it('bands a pending clock by time left', () => {
    const d = deadline({ id: '1', dueAt: iso(T0 + H) });
    expect(clockView(d, T0)).toMatchObject({ state: 'counting', ms: H, urgency: 'soon' });
    expect(clockView(d, T0 - H).urgency).toBe('calm');
    expect(clockView(d, T0 + 50 * 60_000).urgency).toBe('critical');
  });

  it('shows a pending clock past due and a missed one as overdue, with time late', () => {
    const d = deadline({ id: '1', dueAt: iso(T0) });
    expect(clockView(d, T0 + 3723_000)).toEqual({ state: 'overdue', ms: -3723_000, urgency: 'overdue' });
    expect(clockView({ ...d, status: 'missed' }, T0 + 1000).state).toBe('overdue');
  });

  it('distinguishes met on time, met late and waived', () => {
    const met = deadline({ id: '1', dueAt: iso(T0), status: 'met', metAt: iso(T0 - 60_000) });
    expect(clockView(met, T0 + H)).toMatchObject({ state: 'met', ms: 60_000, urgency: 'done' });
    const late = deadline({ id: '2', dueAt: iso(T0), status: 'missed', metAt: iso(T0 + 600_000) });
    expect(clockView(late, T0 + H)).toMatchObject({ state: 'metLate', ms: -600_000 });
    expect(isOutstanding(late)).toBe(false);
    expect(clockView(deadline({ id: '3', status: 'waived' }), T0).state).toBe('waived');
  });
});

describe('boardSummary', () => {
  it('counts open incidents, overdue clocks and finds the next due clock', () => {
    const a = incident({
      id: 'a',
      deadlines: [
        deadline({ id: 'a1', dueAt: iso(T0 - 60_000) }),
        deadline({ id: 'a2', kind: 'press_conference', dueAt: iso(T0 + 3 * H) }),
      ],
    });
    const b = incident({ id: 'b', deadlines: [deadline({ id: 'b1', dueAt: iso(T0 + H), status: 'missed' })] });
    const c = incident({ id: 'c', deadlines: [deadline({ id: 'c1', dueAt: iso(T0 + 2 * H) })] });
    const closed = incident({ id: 'z', status: 'closed', deadlines: [deadline({ id: 'z1', dueAt: iso(T0 - H) })] });
    const s = boardSummary([a, b, c, closed], T0);
    expect(s.open).toBe(3);
    expect(s.overdue).toBe(2);
    expect(s.next?.deadline.id).toBe('c1');
  });

  it('has no next clock when nothing is pending', () => {
    expect(boardSummary([incident({ id: 'a' })], T0)).toEqual({ open: 1, overdue: 0, next: null });
  });
});

describe('orderedDeadlines', () => {
  it('orders by due time then kind', () => {
    const list = [
      deadline({ id: '2', kind: 'press_conference', dueAt: iso(T0 + 24 * H) }),
      deadline({ id: '1', kind: 'first_release', dueAt: iso(T0 + 5 * H) }),
    ];
    expect(orderedDeadlines(list).map((d) => d.id)).toEqual(['1', '2']);
    expect(orderedDeadlines(undefined)).toEqual([]);
  });
});

describe('clockView on a closed incident', () => {
  it('stops the clock: an unmet clock reads as a settled miss, late by its margin at closing', () => {
    const d = deadline({ id: '1', dueAt: iso(T0), status: 'missed' });
    const closedAt = iso(T0 + H);
    expect(clockView(d, T0 + 10 * H, closedAt)).toEqual({ state: 'missed', ms: -H, urgency: 'done' });
    const met = deadline({ id: '2', dueAt: iso(T0), status: 'met', metAt: iso(T0 - 1000) });
    expect(clockView(met, T0 + 10 * H, closedAt).state).toBe('met');
    expect(clockView(deadline({ id: '3', status: 'waived' }), T0, closedAt).state).toBe('waived');
  });
});
