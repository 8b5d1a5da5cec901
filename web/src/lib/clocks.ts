// Preview of the clocks a new incident will start, per the default deadline policy (DESIGN §2).
// The server's policy table is authoritative; this only tells the duty officer what to expect.
import type { DeadlineKind, Severity } from '../../../shared/domain.ts';

export const DEFAULT_POLICY = {
  severities: ['I', 'II'] as readonly Severity[],
  minDeaths: 3,
  firstReleaseHours: 5,
  pressConferenceHours: 24,
};

export interface PreviewInput {
  severity: Severity | '';
  significantImpact: boolean;
  deaths: number | null | undefined;
  /** ISO timestamp, or null when the occurred-at field is not valid yet. */
  occurredAt: string | null;
}

export interface PreviewClock {
  kind: DeadlineKind;
  dueAt: string;
  /** Already past at `now`: the clock will start missed. */
  past: boolean;
}

export function clocksApply(input: Omit<PreviewInput, 'occurredAt'>, policy = DEFAULT_POLICY): boolean {
  return (
    (input.severity !== '' && policy.severities.includes(input.severity)) ||
    input.significantImpact ||
    (Number(input.deaths) || 0) >= policy.minDeaths
  );
}

export function previewClocks(input: PreviewInput, now: number, policy = DEFAULT_POLICY): PreviewClock[] {
  if (!input.occurredAt || !clocksApply(input, policy)) return [];
  const start = new Date(input.occurredAt).getTime();
  if (!Number.isFinite(start)) return [];
  const make = (kind: DeadlineKind, hours: number): PreviewClock => {
    const due = start + hours * 3_600_000;
    return { kind, dueAt: new Date(due).toISOString(), past: due <= now };
  };
  return [make('first_release', policy.firstReleaseHours), make('press_conference', policy.pressConferenceHours)];
}
