import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY_RULES as rules, incidentClocks, isMajor, planClocks, statusWhenMet, warningTimes } from '../../server/deadlines/policy.ts';

const occurredAt = new Date('2026-11-22T02:10:00Z');
const facts = (over: Partial<Parameters<typeof isMajor>[0]> = {}) => ({ severity: 'III' as const, deaths: 0, significantImpact: false, occurredAt, ...over });

describe('deadline policy', () => {
  it.each([
    [{ severity: 'I' as const }, true],
    [{ severity: 'II' as const }, true],
    [{ severity: 'III' as const }, false],
    [{ severity: 'IV' as const, deaths: 2 }, false],
    [{ severity: 'IV' as const, deaths: 3 }, true],
    [{ severity: 'IV' as const, significantImpact: true }, true],
  ])('%j is major: %s', (over, expected) => {
    expect(isMajor(facts(over), rules)).toBe(expected);
  });

  it('a major incident gets first release at +5 h and press conference at +24 h from occurredAt', () => {
    expect(incidentClocks(facts({ severity: 'II' }), rules)).toEqual([
      { kind: 'first_release', dueAt: new Date('2026-11-22T07:10:00Z') },
      { kind: 'press_conference', dueAt: new Date('2026-11-23T02:10:00Z') },
    ]);
  });

  it('uses the hours of the policy version given', () => {
    const custom = { ...rules, firstReleaseHours: 1 };
    expect(incidentClocks(facts({ severity: 'I' }), custom)[0].dueAt).toEqual(new Date('2026-11-22T03:10:00Z'));
  });

  it('re-evaluation adds what now applies and never moves a clock later', () => {
    const existing = [{ kind: 'first_release' as const, dueAt: new Date('2026-11-22T07:10:00Z'), status: 'pending' }];
    const later = planClocks(existing, facts({ severity: 'II', occurredAt: new Date('2026-11-22T03:00:00Z') }), rules);
    expect(later.moveEarlier).toEqual([]);
    expect(later.add.map((c) => c.kind)).toEqual(['press_conference']);
    const earlier = planClocks(existing, facts({ severity: 'II', occurredAt: new Date('2026-11-22T01:00:00Z') }), rules);
    expect(earlier.moveEarlier).toEqual([{ kind: 'first_release', dueAt: new Date('2026-11-22T06:00:00Z') }]);
  });

  it('a downgrade removes nothing', () => {
    const existing = [
      { kind: 'first_release' as const, dueAt: new Date('2026-11-22T07:10:00Z'), status: 'pending' },
      { kind: 'press_conference' as const, dueAt: new Date('2026-11-23T02:10:00Z'), status: 'pending' },
    ];
    expect(planClocks(existing, facts({ severity: 'IV' }), rules)).toEqual({ add: [], moveEarlier: [] });
  });

  it('a settled clock is not moved earlier', () => {
    const existing = [{ kind: 'first_release' as const, dueAt: new Date('2026-11-22T07:10:00Z'), status: 'met' }];
    expect(planClocks(existing, facts({ severity: 'II', occurredAt: new Date('2026-11-22T01:00:00Z') }), rules).moveEarlier).toEqual([]);
  });

  it('warnings 60, 30 and 10 minutes before due, only those still ahead', () => {
    const due = new Date('2026-11-22T07:10:00Z');
    expect(warningTimes(due, new Date('2026-11-22T05:00:00Z'), rules).map((w) => [w.minutesBefore, w.at.toISOString()])).toEqual([
      [60, '2026-11-22T06:10:00.000Z'],
      [30, '2026-11-22T06:40:00.000Z'],
      [10, '2026-11-22T07:00:00.000Z'],
    ]);
    expect(warningTimes(due, new Date('2026-11-22T06:45:00Z'), rules).map((w) => w.minutesBefore)).toEqual([10]);
  });

  it('a late meet keeps missed; on time (to the millisecond) is met', () => {
    const due = new Date('2026-11-22T07:10:00Z');
    expect(statusWhenMet(due, new Date('2026-11-22T07:10:00Z'))).toBe('met');
    expect(statusWhenMet(due, new Date('2026-11-22T07:10:00.001Z'))).toBe('missed');
  });
});
