// Login throttling: after `maxFailures` failed sign-ins for one login (or one address) within the window,
// further attempts are refused until the window has passed.
import type { Clock } from '../clock.ts';

export class LoginThrottle {
  #failures = new Map<string, number[]>();
  constructor(
    private clock: Clock,
    private maxFailures = 5,
    private windowMs = 15 * 60_000,
  ) {}

  #recent(key: string): number[] {
    const cutoff = this.clock.now().getTime() - this.windowMs;
    const kept = (this.#failures.get(key) ?? []).filter((t) => t > cutoff);
    if (kept.length) this.#failures.set(key, kept);
    else this.#failures.delete(key);
    return kept;
  }

  /** Seconds to wait before another attempt, or 0 when allowed. */
  retryAfter(keys: string[]): number {
    let wait = 0;
    for (const key of keys) {
      const recent = this.#recent(key);
      if (recent.length >= this.maxFailures) {
        wait = Math.max(wait, Math.ceil((recent[0] + this.windowMs - this.clock.now().getTime()) / 1000));
      }
    }
    return wait;
  }

  fail(keys: string[]): void {
    for (const key of keys) this.#failures.set(key, [...this.#recent(key), this.clock.now().getTime()]);
  }

  succeed(keys: string[]): void {
    for (const key of keys) this.#failures.delete(key);
  }
}
