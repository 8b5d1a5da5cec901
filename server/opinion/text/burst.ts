// Burst detection on counts per time bucket, per key (a topic, an incident), with an EWMA mean and variance and a
// z-score against them.
//
// observe(key, bucketStart, count) takes the count of the bucket starting at bucketStart — the final count, or the
// running count so far (call it again as items arrive: the same bucket is re-evaluated, not added twice). The
// baseline (EWMA mean and variance) only ever contains completed buckets: a bucket is committed to it when a later
// bucket is first observed. So a surge is judged against the quiet time before it, and the surge itself only enters
// the baseline afterwards.
//
// A burst fires when, for the current bucket, all hold: the key has at least `warmupBuckets` completed buckets;
// count ≥ minCount; z = (count − mean) / max(std, √mean, 1) ≥ zThreshold; the key is armed; and it did not already
// fire in this bucket. The noise floor √mean (Poisson) and 1 keep a perfectly steady trickle (std → 0) from turning
// one extra item into an infinite z. After firing, the key is disarmed: it re-arms only once `cooldownBuckets`
// buckets have completed since the burst AND a completed bucket's z fell below zThreshold / 2 (hysteresis). So a surge
// that lasts several buckets raises exactly one burst, and a second burst needs the topic to calm down first.
//
// With `bucketMs` set, buckets skipped between two observations count as zero-count buckets (a quiet topic's mean
// decays); without it, only observed buckets count. State is plain data: toJSON()/fromJSON() survive restarts.

export interface BurstSettings {
  /** EWMA smoothing factor in (0, 1]: weight of the newest completed bucket. */
  alpha: number;
  /** z-score at or above which a bucket is a burst. */
  zThreshold: number;
  /** A bucket with fewer items is never a burst, whatever its z. */
  minCount: number;
  /** Completed buckets after a burst before the key can fire again (see hysteresis above). */
  cooldownBuckets: number;
  /** Completed buckets of history a key needs before it can fire. Default 3. */
  warmupBuckets?: number;
  /** Bucket length in ms; when set, skipped buckets count as zeros. */
  bucketMs?: number;
}

export const DEFAULT_BURST_SETTINGS: Readonly<BurstSettings> = Object.freeze({
  alpha: 0.3,
  zThreshold: 3,
  minCount: 5,
  cooldownBuckets: 6,
  warmupBuckets: 3,
});

export interface BurstObservation {
  burst: boolean;
  z: number;
  /** Baseline (completed buckets) mean and standard deviation the count was judged against. */
  mean: number;
  std: number;
}

export interface EwmaState {
  mean: number;
  variance: number;
  /** Number of values folded in. */
  n: number;
}

/**
 * One EWMA step (Finch 2009, "Incremental calculation of weighted mean and variance"): the first value sets the mean
 * with zero variance; after that diff = x − mean, mean += α·diff, variance = (1 − α)(variance + α·diff²).
 */
export function ewmaUpdate(state: EwmaState | null, x: number, alpha: number): EwmaState {
  if (!state || state.n === 0) return { mean: x, variance: 0, n: 1 };
  const diff = x - state.mean;
  const incr = alpha * diff;
  return { mean: state.mean + incr, variance: (1 - alpha) * (state.variance + diff * incr), n: state.n + 1 };
}

interface KeyState {
  ewma: EwmaState | null;
  /** Start of the bucket being counted (not yet in the baseline). */
  bucket: number;
  count: number;
  firedInBucket: boolean;
  armed: boolean;
  /** Completed buckets still to go before re-arming is possible. */
  cooldown: number;
}

export interface BurstDetectorState {
  version: 1;
  settings: BurstSettings;
  keys: Record<string, KeyState>;
}

/** Zero-count buckets beyond this many in a gap change nothing measurable; stop iterating. */
const MAX_GAP_FILL = 10_000;

export class BurstDetector {
  readonly settings: Readonly<BurstSettings>;
  #keys = new Map<string, KeyState>();

  constructor(settings: BurstSettings = DEFAULT_BURST_SETTINGS) {
    if (!(settings.alpha > 0 && settings.alpha <= 1)) throw new RangeError('BurstDetector: alpha must be in (0, 1]');
    if (!(settings.zThreshold > 0)) throw new RangeError('BurstDetector: zThreshold must be > 0');
    if (settings.bucketMs !== undefined && !(settings.bucketMs > 0)) throw new RangeError('BurstDetector: bucketMs must be > 0');
    this.settings = Object.freeze({ ...settings });
  }

  #noiseFloorStd(ewma: EwmaState | null): { mean: number; std: number; floor: number } {
    const mean = ewma?.mean ?? 0;
    const std = Math.sqrt(Math.max(0, ewma?.variance ?? 0));
    return { mean, std, floor: Math.max(std, Math.sqrt(Math.max(mean, 0)), 1) };
  }

  #z(ewma: EwmaState | null, count: number): number {
    const { mean, floor } = this.#noiseFloorStd(ewma);
    return (count - mean) / floor;
  }

  /** Folds a completed bucket's count into the baseline and moves the cooldown and hysteresis along. */
  #commit(s: KeyState, count: number): void {
    const z = this.#z(s.ewma, count);
    s.ewma = ewmaUpdate(s.ewma, count, this.settings.alpha);
    if (s.cooldown > 0) s.cooldown--;
    if (!s.armed && s.cooldown === 0 && z < this.settings.zThreshold / 2) s.armed = true;
  }

  observe(key: string, bucketStart: number, count: number): BurstObservation {
    if (!Number.isFinite(bucketStart)) throw new RangeError('BurstDetector.observe: bucketStart must be a finite number');
    const c = Math.max(0, Number.isFinite(count) ? count : 0);
    let s = this.#keys.get(key);
    if (!s) {
      s = { ewma: null, bucket: bucketStart, count: c, firedInBucket: false, armed: true, cooldown: 0 };
      this.#keys.set(key, s);
    } else if (bucketStart < s.bucket) {
      // A late count for a bucket already completed: it can't change the past; report it against the baseline.
      const { mean, std } = this.#noiseFloorStd(s.ewma);
      return { burst: false, z: round(this.#z(s.ewma, c)), mean: round(mean), std: round(std) };
    } else if (bucketStart > s.bucket) {
      this.#commit(s, s.count);
      const { bucketMs } = this.settings;
      if (bucketMs) {
        const skipped = Math.min(MAX_GAP_FILL, Math.max(0, Math.round((bucketStart - s.bucket) / bucketMs) - 1));
        for (let i = 0; i < skipped; i++) this.#commit(s, 0);
      }
      s.bucket = bucketStart;
      s.firedInBucket = false;
      s.count = c;
    } else {
      s.count = c;
    }

    const { mean, std } = this.#noiseFloorStd(s.ewma);
    const z = this.#z(s.ewma, c);
    const warm = (s.ewma?.n ?? 0) >= (this.settings.warmupBuckets ?? DEFAULT_BURST_SETTINGS.warmupBuckets!);
    const burst = warm && s.armed && !s.firedInBucket && c >= this.settings.minCount && z >= this.settings.zThreshold;
    if (burst) {
      s.firedInBucket = true;
      s.armed = false;
      // +1: the bursting bucket itself completes first and must not count toward the cooldown.
      s.cooldown = this.settings.cooldownBuckets + 1;
    }
    return { burst, z: round(z), mean: round(mean), std: round(std) };
  }

  /** Keys with state (feed them a zero for a quiet bucket: a quiet bucket is a zero, not a gap). */
  keys(): string[] {
    return [...this.#keys.keys()];
  }

  /** Drops a key's state (a closed incident, a deleted topic). */
  forget(key: string): void {
    this.#keys.delete(key);
  }

  /** The whole state (settings and every key) as plain data. */
  state(): BurstDetectorState {
    const keys: Record<string, KeyState> = {};
    for (const [k, v] of this.#keys) keys[k] = { ...v, ewma: v.ewma ? { ...v.ewma } : null };
    return { version: 1, settings: { ...this.settings }, keys };
  }

  /** state() as a JSON string, for a text or json column. */
  toJSON(): string {
    return JSON.stringify(this.state());
  }

  /**
   * Restores a detector from toJSON() (a JSON string) or state() (an object). `settings` overrides the saved ones (settings
   * are user-editable; the per-key state stays valid when they change).
   */
  static fromJSON(state: BurstDetectorState | string, settings?: BurstSettings): BurstDetector {
    const data = (typeof state === 'string' ? JSON.parse(state) : state) as BurstDetectorState;
    if (data?.version !== 1) throw new Error('BurstDetector.fromJSON: unsupported state');
    const d = new BurstDetector(settings ?? data.settings);
    for (const [k, v] of Object.entries(data.keys ?? {})) {
      d.#keys.set(k, {
        ewma: v.ewma ? { mean: Number(v.ewma.mean), variance: Number(v.ewma.variance), n: Number(v.ewma.n) } : null,
        bucket: Number(v.bucket),
        count: Number(v.count),
        firedInBucket: Boolean(v.firedInBucket),
        armed: Boolean(v.armed),
        cooldown: Number(v.cooldown) || 0,
      });
    }
    return d;
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
