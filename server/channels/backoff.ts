// When a failed delivery is tried again: an increasing, bounded schedule with downward jitter, so that many
// deliveries failing together (a gateway outage) do not all come back in the same second.

/** Nominal wait after the n-th failed attempt (index 0 = after the first); the last value repeats. */
export const BACKOFF_STEPS_MS = [10_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000] as const;
/** Jitter takes up to this share off the nominal wait (never adds to it, so the nominal value is the bound). */
export const BACKOFF_JITTER = 0.25;
/** Attempts in all (the first one included) before a delivery is given up as failed. */
export const MAX_ATTEMPTS = 8;

/** Nominal (unjittered) wait after `attempts` failed attempts (attempts ≥ 1). */
export function nominalBackoffMs(attempts: number): number {
  const i = Math.min(Math.max(1, Math.floor(attempts)), BACKOFF_STEPS_MS.length) - 1;
  return BACKOFF_STEPS_MS[i];
}

/**
 * Wait before the next attempt after `attempts` failed ones: within
 * [nominal × (1 − BACKOFF_JITTER), nominal]. `random` returns a number in [0, 1).
 */
export function backoffMs(attempts: number, random: () => number = Math.random): number {
  const nominal = nominalBackoffMs(attempts);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(nominal * (1 - BACKOFF_JITTER * r));
}
