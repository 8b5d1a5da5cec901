// What every service needs, built once at boot (or per test) and passed down explicitly.
import type { Clock } from './clock.ts';
import type { Database, DbKind } from './db/connect.ts';
import type { Logger } from './logger.ts';
import type { EventRow } from './audit/event-log.ts';
import type { Metrics } from './ops/metrics.ts';

export type EventListener = (events: EventRow[]) => void;

/** In-process fan-out of committed events (the realtime hub and metrics listen). */
export class EventBus {
  #listeners: EventListener[] = [];
  on(listener: EventListener): () => void {
    this.#listeners.push(listener);
    return () => (this.#listeners = this.#listeners.filter((l) => l !== listener));
  }
  publish(events: EventRow[]): void {
    if (events.length === 0) return;
    for (const listener of this.#listeners) listener(events);
  }
}

/** A minimal typed signal: listeners get every value emitted. */
export class Signal<T> {
  #listeners: ((value: T) => void)[] = [];
  on(listener: (value: T) => void): () => void {
    this.#listeners.push(listener);
    return () => (this.#listeners = this.#listeners.filter((l) => l !== listener));
  }
  emit(value: T): void {
    for (const listener of this.#listeners) listener(value);
  }
}

export interface AppContext {
  db: Database;
  dbKind: DbKind;
  clock: Clock;
  log: Logger;
  bus: EventBus;
  metrics: Metrics;
  demo: boolean;
  /** A session id that was signed out (the realtime hub drops its sockets). */
  sessionEnded: Signal<string>;
  /** Tells the scheduler new timers exist so it can wake early; a no-op until the scheduler starts. */
  pokeScheduler: () => void;
}
