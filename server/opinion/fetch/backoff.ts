// When to poll a feed source next. Healthy: every pollSeconds. Failing: exponential backoff
// with "equal jitter" (half fixed, half random) so that many sources failing together (the
// upstream site is down) do not retry in lock-step; never sooner than the normal interval,
// never later than MAX_BACKOFF_MS (or the normal interval, if that is longer).

/** Longest wait between attempts on a failing source: 6 hours. */
const MAX_BACKOFF_MS = 6 * 60 * 60 * 1000;
const FALLBACK_POLL_SECONDS = 60;

/**
 * Delay in ms before the next poll. With n consecutive failures the ceiling is
 * pollSeconds·2ⁿ (capped); the delay is drawn uniformly from [ceiling/2, ceiling], then
 * clamped to [pollSeconds, cap]. n = 1 → 1–2× interval, n = 2 → 2–4×, n = 3 → 4–8× …
 */
export function nextPollDelayMs(
  consecutiveFailures: number,
  pollSeconds: number,
  random: () => number = Math.random,
): number {
  const base =
    (Number.isFinite(pollSeconds) && pollSeconds > 0 ? pollSeconds : FALLBACK_POLL_SECONDS) * 1000;
  const failures = Number.isNaN(consecutiveFailures) ? 0 : Math.floor(Math.min(consecutiveFailures, 1e6));
  if (failures <= 0) return Math.round(base);
  const cap = Math.max(MAX_BACKOFF_MS, base);
  const ceiling = Math.min(cap, base * 2 ** Math.min(failures, 40));
  let r = Number(random());
  if (!Number.isFinite(r)) r = 0.5;
  r = Math.min(1, Math.max(0, r));
  const delay = ceiling / 2 + r * (ceiling / 2);
  return Math.round(Math.min(cap, Math.max(base, delay)));
}
