import { describe, expect, it } from 'vitest';
import { formatDuration, msUntil, serverOffset, urgencyOf } from '../../shared/time.ts';
import { ManualClock, addHours } from '../../server/clock.ts';

describe('clock arithmetic', () => {
  it('formats hours beyond a day, minutes and seconds', () => {
    expect(formatDuration(4 * 3600_000 + 59 * 60_000 + 50_000)).toBe('4:59:50');
    expect(formatDuration(26 * 3600_000 + 5_000)).toBe('26:00:05');
    expect(formatDuration(-(62 * 60_000 + 3_000))).toBe('1:02:03');
    expect(formatDuration(999)).toBe('0:00:00');
  });

  it('colours by time left', () => {
    expect(urgencyOf(61 * 60_000)).toBe('calm');
    expect(urgencyOf(60 * 60_000)).toBe('soon');
    expect(urgencyOf(30 * 60_000)).toBe('urgent');
    expect(urgencyOf(10 * 60_000)).toBe('critical');
    expect(urgencyOf(-1)).toBe('overdue');
    expect(urgencyOf(-1, false)).toBe('done');
  });

  it('corrects by the server clock, not the browser clock', () => {
    const browserNow = Date.parse('2026-11-22T02:00:00Z'); // browser 10 minutes slow
    const offset = serverOffset('2026-11-22T02:10:00Z', browserNow);
    expect(offset).toBe(600_000);
    expect(msUntil('2026-11-22T07:10:00Z', browserNow + offset)).toBe(5 * 3600_000);
  });

  it('adds hours across midnight and month ends', () => {
    expect(addHours('2026-11-30T20:10:00Z', 5).toISOString()).toBe('2026-12-01T01:10:00.000Z');
  });

  it('a manual clock moves only when told', () => {
    const clock = new ManualClock('2026-11-22T02:10:00Z');
    const a = clock.now();
    clock.advance(1500);
    expect(clock.now().getTime() - a.getTime()).toBe(1500);
  });
});
