// nextPollDelayMs: the normal interval when healthy; exponential backoff with bounded jitter
// when failing; never below the interval, never above 6 h (unless the interval is longer).
import { describe, expect, it } from 'vitest';
import { nextPollDelayMs } from '../../server/opinion/fetch/backoff.ts';

const SIX_HOURS = 6 * 3600 * 1000;
const low = () => 0;
const high = () => 0.999999;
const mid = () => 0.5;

describe('nextPollDelayMs', () => {
  it('healthy source: exactly the poll interval, no jitter', () => {
    for (const r of [low, mid, high]) expect(nextPollDelayMs(0, 300, r)).toBe(300_000);
    expect(nextPollDelayMs(0, 300)).toBe(300_000);
  });

  it('grows exponentially with failures: the bounds of n failures are [interval·2ⁿ⁻¹, interval·2ⁿ]', () => {
    const poll = 60;
    for (let n = 1; n <= 8; n++) {
      const lo = nextPollDelayMs(n, poll, low);
      const hi = nextPollDelayMs(n, poll, high);
      const expectedHi = Math.min(SIX_HOURS, poll * 1000 * 2 ** n);
      expect(lo).toBe(Math.max(poll * 1000, expectedHi / 2));
      expect(hi).toBeGreaterThan(expectedHi * 0.999);
      expect(hi).toBeLessThanOrEqual(expectedHi);
    }
  });

  it('is monotonic in the failure count for the same random draw', () => {
    for (const r of [low, mid, high]) {
      let prev = 0;
      for (let n = 0; n <= 40; n++) {
        const d = nextPollDelayMs(n, 120, r);
        expect(d).toBeGreaterThanOrEqual(prev);
        prev = d;
      }
    }
  });

  it('is capped at 6 h, and never below the poll interval', () => {
    for (let n = 0; n <= 1000; n += 7) {
      for (const r of [low, mid, high, Math.random]) {
        const d = nextPollDelayMs(n, 60, r);
        expect(d).toBeGreaterThanOrEqual(60_000);
        expect(d).toBeLessThanOrEqual(SIX_HOURS);
      }
    }
    expect(nextPollDelayMs(30, 60, high)).toBeLessThanOrEqual(SIX_HOURS);
    expect(nextPollDelayMs(30, 60, low)).toBe(SIX_HOURS / 2);
    // an interval longer than the cap is kept as it is
    expect(nextPollDelayMs(5, 12 * 3600, Math.random)).toBe(12 * 3600 * 1000);
  });

  it('jitter spreads sources that fail together, within the bounds', () => {
    let seed = 7;
    const rand = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    const delays = Array.from({ length: 500 }, () => nextPollDelayMs(3, 60, rand));
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(240_000);
      expect(d).toBeLessThanOrEqual(480_000);
    }
    expect(new Set(delays).size).toBeGreaterThan(400);
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
    expect(mean).toBeGreaterThan(330_000);
    expect(mean).toBeLessThan(390_000);
  });

  it('tolerates bad inputs: odd random values, negative or fractional counts, a zero interval', () => {
    expect(nextPollDelayMs(2, 60, () => 5)).toBe(240_000);
    expect(nextPollDelayMs(2, 60, () => -1)).toBe(120_000);
    expect(nextPollDelayMs(2, 60, () => NaN)).toBe(180_000);
    expect(nextPollDelayMs(-3, 60, low)).toBe(60_000);
    expect(nextPollDelayMs(1.9, 60, low)).toBe(60_000);
    expect(nextPollDelayMs(Infinity, 60, low)).toBe(SIX_HOURS / 2);
    expect(nextPollDelayMs(NaN, 60, low)).toBe(60_000);
    expect(nextPollDelayMs(0, 0)).toBe(60_000);
    expect(nextPollDelayMs(0, NaN)).toBe(60_000);
  });
});
