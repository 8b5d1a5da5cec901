// The deadline policy as pure rules: which clocks an incident's facts call for, and when they are due.
import type { DeadlineKind, Severity } from '../../shared/domain.ts';
import type { PolicyRules } from '../../shared/schemas.ts';
import { addHours, MINUTE } from '../clock.ts';

export type { PolicyRules };

export const DEFAULT_POLICY_RULES: PolicyRules = {
  trigger: { severities: ['I', 'II'], minDeaths: 3, significantImpact: true },
  firstReleaseHours: 5,
  pressConferenceHours: 24,
  followUpHours: 24,
  opinionResponseHours: 48,
  warningMinutes: [60, 30, 10],
};

export interface IncidentFacts {
  severity: Severity;
  deaths: number;
  significantImpact: boolean;
  occurredAt: Date;
}

export interface PlannedClock {
  kind: DeadlineKind;
  dueAt: Date;
}

/** Whether the facts make this a major incident: the first-release and press-conference clocks apply. */
export function isMajor(facts: IncidentFacts, rules: PolicyRules): boolean {
  const t = rules.trigger;
  return (
    t.severities.includes(facts.severity) ||
    (t.significantImpact && facts.significantImpact) ||
    facts.deaths >= t.minDeaths
  );
}

/** The incident clocks the facts call for, due from `occurredAt`. */
export function incidentClocks(facts: IncidentFacts, rules: PolicyRules): PlannedClock[] {
  if (!isMajor(facts, rules)) return [];
  return [
    { kind: 'first_release', dueAt: addHours(facts.occurredAt, rules.firstReleaseHours) },
    { kind: 'press_conference', dueAt: addHours(facts.occurredAt, rules.pressConferenceHours) },
  ];
}

export interface ExistingClock {
  kind: DeadlineKind;
  dueAt: Date;
  status: string;
}

export interface ClockPlan {
  add: PlannedClock[];
  /** Pending clocks that must move earlier (occurredAt corrected backwards); never later. */
  moveEarlier: { kind: DeadlineKind; dueAt: Date }[];
}

/**
 * Re-evaluation after a change of facts: adds the clocks that now apply, moves a pending clock
 * earlier if the facts make it due sooner, and never moves one later or removes one.
 */
export function planClocks(existing: ExistingClock[], facts: IncidentFacts, rules: PolicyRules): ClockPlan {
  const plan: ClockPlan = { add: [], moveEarlier: [] };
  for (const wanted of incidentClocks(facts, rules)) {
    const have = existing.find((c) => c.kind === wanted.kind);
    if (!have) plan.add.push(wanted);
    else if (have.status === 'pending' && wanted.dueAt < have.dueAt) plan.moveEarlier.push(wanted);
  }
  return plan;
}

/** Warning instants still ahead of `now`, latest first (60, 30, 10 minutes before due by default). */
export function warningTimes(dueAt: Date, now: Date, rules: PolicyRules): { minutesBefore: number; at: Date }[] {
  return [...rules.warningMinutes]
    .sort((a, b) => b - a)
    .map((minutesBefore) => ({ minutesBefore, at: new Date(dueAt.getTime() - minutesBefore * MINUTE) }))
    .filter((w) => w.at > now);
}

export function followUpDue(lastReleaseAt: Date, rules: PolicyRules): Date {
  return addHours(lastReleaseAt, rules.followUpHours);
}

export function opinionResponseDue(markedAt: Date, rules: PolicyRules): Date {
  return addHours(markedAt, rules.opinionResponseHours);
}

/** Status a clock takes when it is met at `at`: a late meet keeps `missed`, with metAt set. */
export function statusWhenMet(dueAt: Date, at: Date): 'met' | 'missed' {
  return at <= dueAt ? 'met' : 'missed';
}
