import { describe, expect, it } from 'vitest';
import { BurstDetector, DEFAULT_BURST_SETTINGS, ewmaUpdate, type BurstSettings } from '../../server/opinion/text/burst.ts';

const BUCKET = 10 * 60_000;
const T0 = Date.UTC(2025, 6, 1, 8, 0, 0);
/** A fixed, irregular trickle of 2–6 items per bucket (deterministic). */
const TRICKLE = [3, 4, 2, 5, 3, 4, 6, 3, 2, 4, 5, 3, 4, 3, 2, 5, 4, 3, 4, 6, 3, 4, 2, 3];
const SURGE = [40, 65, 58, 44, 37];

function run(detector: BurstDetector, key: string, counts: number[], from = 0) {
  return counts.map((c, i) => ({ i: from + i, count: c, ...detector.observe(key, T0 + (from + i) * BUCKET, c) }));
}

describe('ewmaUpdate', () => {
  it('starts at the first value with zero variance, then moves by alpha', () => {
    let s = ewmaUpdate(null, 10, 0.5);
    expect(s).toEqual({ mean: 10, variance: 0, n: 1 });
    s = ewmaUpdate(s, 20, 0.5);
    expect(s.mean).toBe(15);
    expect(s.variance).toBe(25); // (1-α)(0 + α·10²)
    expect(s.n).toBe(2);
    const steady = [5, 5, 5, 5, 5].reduce((acc, x) => ewmaUpdate(acc, x, 0.3), null as ReturnType<typeof ewmaUpdate> | null)!;
    expect(steady.mean).toBe(5);
    expect(steady.variance).toBe(0);
  });
});

describe('BurstDetector', () => {
  it('exports sane defaults', () => {
    expect(DEFAULT_BURST_SETTINGS).toMatchObject({ alpha: expect.any(Number), zThreshold: expect.any(Number), minCount: expect.any(Number), cooldownBuckets: expect.any(Number) });
    expect(() => new BurstDetector({ ...DEFAULT_BURST_SETTINGS, alpha: 0 })).toThrow();
  });

  it('a steady trickle then a surge raises exactly one burst, at the surge’s first bucket', () => {
    const d = new BurstDetector(DEFAULT_BURST_SETTINGS);
    const results = run(d, 'topic:化工', [...TRICKLE, ...SURGE, ...TRICKLE]);
    const bursts = results.filter((r) => r.burst);
    expect(bursts).toHaveLength(1);
    expect(bursts[0].i).toBe(TRICKLE.length);
    expect(bursts[0].z).toBeGreaterThan(DEFAULT_BURST_SETTINGS.zThreshold);
    expect(bursts[0].mean).toBeGreaterThan(2);
    expect(bursts[0].mean).toBeLessThan(6);
    // the trickle itself never fires
    expect(results.slice(0, TRICKLE.length).every((r) => !r.burst)).toBe(true);
  });

  it('re-evaluating the current bucket with running counts fires once, not per item', () => {
    const d = new BurstDetector(DEFAULT_BURST_SETTINGS);
    run(d, 'k', TRICKLE);
    const start = T0 + TRICKLE.length * BUCKET;
    const fired = Array.from({ length: 60 }, (_, n) => d.observe('k', start, n + 1)).filter((r) => r.burst);
    expect(fired).toHaveLength(1);
  });

  it('fires again for a second surge only after the topic calmed down (cooldown and hysteresis)', () => {
    const settings: BurstSettings = { ...DEFAULT_BURST_SETTINGS, cooldownBuckets: 3 };
    const d = new BurstDetector(settings);
    const quiet = TRICKLE.slice(0, 12);
    const r = run(d, 'k', [...quiet, ...SURGE, ...quiet, ...SURGE]);
    expect(r.filter((x) => x.burst).map((x) => x.i)).toEqual([quiet.length, 2 * quiet.length + SURGE.length]);
  });

  it('does not fire on a surge that never stops being a surge a second time', () => {
    const d = new BurstDetector(DEFAULT_BURST_SETTINGS);
    const r = run(d, 'k', [...TRICKLE, ...Array(40).fill(50)]);
    expect(r.filter((x) => x.burst)).toHaveLength(1);
  });

  it('ignores small counts (minCount) and keys without history (warm-up)', () => {
    const d = new BurstDetector({ ...DEFAULT_BURST_SETTINGS, minCount: 10 });
    const r = run(d, 'rare', [0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 6, 0]);
    expect(r.some((x) => x.burst)).toBe(false);
    const fresh = new BurstDetector(DEFAULT_BURST_SETTINGS);
    expect(run(fresh, 'new', [100, 200]).some((x) => x.burst)).toBe(false);
  });

  it('keeps keys independent', () => {
    const d = new BurstDetector(DEFAULT_BURST_SETTINGS);
    run(d, 'a', TRICKLE);
    run(d, 'b', TRICKLE);
    expect(d.observe('a', T0 + TRICKLE.length * BUCKET, 60).burst).toBe(true);
    expect(d.observe('b', T0 + TRICKLE.length * BUCKET, 4).burst).toBe(false);
    expect(d.keys().sort()).toEqual(['a', 'b']);
    d.forget('a');
    expect(d.keys()).toEqual(['b']);
  });

  it('survives a restart mid-stream: state round-trips through JSON', () => {
    const counts = [...TRICKLE, ...SURGE, ...TRICKLE];
    const straight = run(new BurstDetector(DEFAULT_BURST_SETTINGS), 'k', counts);

    const first = new BurstDetector(DEFAULT_BURST_SETTINGS);
    const half = TRICKLE.length + 2; // restart inside the surge's cooldown
    const a = run(first, 'k', counts.slice(0, half));
    const json = first.toJSON();
    expect(typeof json).toBe('string');
    const second = BurstDetector.fromJSON(json);
    const b = run(second, 'k', counts.slice(half), half);
    expect([...a, ...b]).toEqual(straight);
    expect(BurstDetector.fromJSON(first.state()).toJSON()).toBe(json);
    expect(() => BurstDetector.fromJSON('{"version":2}')).toThrow();
  });

  it('with bucketMs, skipped buckets count as zeros (a quiet key’s mean decays)', () => {
    const withGaps = new BurstDetector({ ...DEFAULT_BURST_SETTINGS, bucketMs: BUCKET });
    const without = new BurstDetector(DEFAULT_BURST_SETTINGS);
    for (const d of [withGaps, without]) {
      run(d, 'k', [10, 10, 10, 10, 10]);
      d.observe('k', T0 + 50 * BUCKET, 0);
    }
    const later = T0 + 51 * BUCKET;
    expect(withGaps.observe('k', later, 0).mean).toBeLessThan(1);
    expect(without.observe('k', later, 0).mean).toBeGreaterThan(5);
  });

  it('reports late counts for completed buckets without changing state', () => {
    const d = new BurstDetector(DEFAULT_BURST_SETTINGS);
    run(d, 'k', TRICKLE);
    const before = d.toJSON();
    expect(d.observe('k', T0, 500).burst).toBe(false);
    expect(d.toJSON()).toBe(before);
  });
});
