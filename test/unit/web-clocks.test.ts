import { describe, expect, it } from 'vitest';
import { clocksApply, previewClocks } from '../../web/src/lib/clocks.ts';

const occurredAt = '2025-07-14T00:00:00.000Z';
const T0 = Date.parse(occurredAt);
const base = { severity: 'III' as const, significantImpact: false, deaths: 0, occurredAt };

describe('clock preview', () => {
  it('applies to grade I/II, significant impact or 3+ deaths', () => {
    expect(clocksApply({ ...base, severity: 'I' })).toBe(true);
    expect(clocksApply({ ...base, severity: 'II' })).toBe(true);
    expect(clocksApply(base)).toBe(false);
    expect(clocksApply({ ...base, severity: 'IV', significantImpact: true })).toBe(true);
    expect(clocksApply({ ...base, deaths: 2 })).toBe(false);
    expect(clocksApply({ ...base, deaths: 3 })).toBe(true);
    expect(clocksApply({ ...base, severity: '', deaths: null })).toBe(false);
  });

  it('dues first release at +5 h and press conference at +24 h from occurredAt', () => {
    const clocks = previewClocks({ ...base, severity: 'II' }, T0);
    expect(clocks).toEqual([
      { kind: 'first_release', dueAt: '2025-07-14T05:00:00.000Z', past: false },
      { kind: 'press_conference', dueAt: '2025-07-15T00:00:00.000Z', past: false },
    ]);
  });

  it('marks clocks already past when the incident is logged late', () => {
    const clocks = previewClocks({ ...base, severity: 'I' }, T0 + 6 * 3_600_000);
    expect(clocks.map((c) => c.past)).toEqual([true, false]);
  });

  it('is empty when no clock applies or the time is not valid', () => {
    expect(previewClocks(base, T0)).toEqual([]);
    expect(previewClocks({ ...base, severity: 'I', occurredAt: null }, T0)).toEqual([]);
    expect(previewClocks({ ...base, severity: 'I', occurredAt: 'nonsense' }, T0)).toEqual([]);
  });
});
