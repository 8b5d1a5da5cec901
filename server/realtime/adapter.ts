// Several processes on one PostgreSQL: `@socket.io/postgres-adapter` carries socket.io broadcasts between them
// (NOTIFY/LISTEN; payloads over 8,000 bytes go through the `socket_io_attachments` table). An event is emitted
// once, by the process that committed it: the adapter delivers it to that process's sockets and NOTIFYs the
// others, which deliver it to theirs (a process ignores its own notifications).
//
// The adapter has its own small pool, apart from the application's, so a burst of broadcasts never waits behind
// queries, and one connection of it stays checked out for LISTEN. A checked-out pg client with no 'error' listener
// takes the process down when its server goes away (pg emits 'error'; pg-pool only listens while a client is idle),
// and the adapter adds none, so every client of this pool gets one here: a PostgreSQL restart is logged, the dead
// client is handed back to the pool (or the pool would leak a slot per restart), the adapter reconnects by itself
// (every 1–3 s), and once it LISTENs again `onRelisten` fires so the hub can greet its sockets again: a greeted
// client fetches `/api/events?after=` and so gets whatever was broadcast while this process was not listening.
//
// The notification channel and the attachment table are per schema, so deployments (and parallel test runs) that
// share a database but not a schema never hear each other.
import { createHash } from 'node:crypto';
import pg from 'pg';
import { createAdapter } from '@socket.io/postgres-adapter';
import type { Logger } from '../logger.ts';

export interface RealtimeClusterOptions {
  /** Connections for the adapter: one LISTENs, the rest NOTIFY (2 keeps notifications in the order they were sent). */
  poolSize?: number;
  /** socket.io-adapter heartbeat: how often each process says it is alive, and how long until one counts as gone. */
  heartbeatIntervalMs?: number;
  heartbeatTimeoutMs?: number;
  /** Least time between two log lines about adapter errors (a PostgreSQL outage fails every heartbeat). */
  logEveryMs?: number;
}

export interface RealtimeCluster {
  /** For `new Server(http, { adapter })` or `io.adapter(...)`. */
  adapter: ReturnType<typeof createAdapter>;
  /** The schema whose channel and attachment table this process uses. */
  schema: string;
  channelPrefix: string;
  /** Called each time the LISTEN connection is back after it was lost. Returns an unsubscribe function. */
  onRelisten(listener: () => void): () => void;
  /** Whether the LISTEN connection is up (false between a loss and the reconnection). */
  readonly listening: boolean;
  /** Ends the adapter's pool; call after `io.close()` (which closes the adapter itself). */
  close(): Promise<void>;
}

/** The adapter's documented attachment table (its README), created if missing. */
const ATTACHMENTS_DDL = `create table if not exists socket_io_attachments (
  id          bigserial unique,
  created_at  timestamptz default now(),
  payload     bytea
)`;

/** A NOTIFY channel name is an identifier (at most 63 bytes): `beacon:<schema>` or, if long or odd, a hash. */
export function channelPrefixFor(schema: string): string {
  const plain = `beacon:${schema}`;
  return /^[a-z0-9_]{1,40}$/.test(schema) ? plain : `beacon:${createHash('sha256').update(schema).digest('hex').slice(0, 32)}`;
}

export async function createRealtimeCluster(databaseUrl: string, log: Logger, opts: RealtimeClusterOptions = {}): Promise<RealtimeCluster> {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: opts.poolSize ?? 2,
    keepAlive: true,
    connectionTimeoutMillis: 10_000,
    application_name: 'beacon-realtime',
  });
  const logEveryMs = opts.logEveryMs ?? 10_000;
  let lastLogged = -Infinity;
  let suppressed = 0;
  /** Repeated failures (every heartbeat fails while PostgreSQL is down) are logged once per `logEveryMs`. */
  const report = (err: unknown, what: string) => {
    const now = performance.now();
    if (now - lastLogged < logEveryMs) {
      suppressed++;
      return;
    }
    lastLogged = now;
    log.warn({ err, suppressed: suppressed || undefined }, `realtime adapter: ${what}`);
    suppressed = 0;
  };

  // An idle client losing its server: pg-pool drops it and emits this (unhandled, it would crash the process).
  pool.on('error', (err) => report(err, 'an idle PostgreSQL connection was lost'));

  const checkedOut = new Set<pg.PoolClient>();
  pool.on('acquire', (client) => checkedOut.add(client));
  pool.on('release', (_err, client) => checkedOut.delete(client));

  let listening = false;
  let lost = false;
  let closed = false;
  const relistenListeners = new Set<() => void>();

  pool.on('connect', (client) => {
    client.on('error', (err) => {
      const wasListening = client.listenerCount('notification') > 0;
      if (wasListening) {
        listening = false;
        lost = true;
      }
      if (closed) {
        // shutting down: nothing to say
      } else if (wasListening) log.warn({ err }, 'realtime adapter: the LISTEN connection was lost; reconnecting');
      else report(err, 'a PostgreSQL connection was lost');
      // The LISTEN client is checked out for good and the adapter never releases one it lost: hand it back as broken
      // so the pool frees its slot (the adapter hears 'end' next and reconnects). Clients lent to `pool.query` are
      // released by pool.query itself (releasing them here too would throw).
      const held = client as pg.PoolClient;
      if (wasListening && checkedOut.has(held)) {
        checkedOut.delete(held);
        try {
          held.release(err);
        } catch {}
      }
    });
    // The adapter's LISTEN goes through `query`: its success means broadcasts from other processes reach us again.
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const result = query(...args);
      if (typeof args[0] === 'string' && /^LISTEN /i.test(args[0]) && result instanceof Promise) {
        result.then(
          () => {
            listening = true;
            if (!lost || closed) return;
            lost = false;
            log.info('realtime adapter: listening again; greeting this process\'s sockets so they catch up');
            for (const listener of relistenListeners) {
              try {
                listener();
              } catch (err) {
                log.error({ err }, 'realtime adapter: a relisten listener failed');
              }
            }
          },
          () => {},
        );
      }
      return result;
    };
  });

  const { rows } = await pool.query<{ schema: string | null }>('select current_schema() as schema');
  const schema = rows[0]?.schema;
  if (!schema) {
    await pool.end();
    throw new Error('the realtime adapter found no schema: the search_path in DATABASE_URL names none that exists');
  }
  try {
    await pool.query(ATTACHMENTS_DDL);
  } catch (err) {
    // Processes starting together race on `create table if not exists` (a unique violation in the catalog): the
    // table exists either way.
    const code = (err as { code?: string }).code;
    if (code !== '23505' && code !== '42P07') {
      await pool.end();
      throw err;
    }
  }

  const channelPrefix = channelPrefixFor(schema);
  const adapter = createAdapter(pool, {
    channelPrefix,
    tableName: 'socket_io_attachments',
    heartbeatInterval: opts.heartbeatIntervalMs ?? 5000,
    heartbeatTimeout: opts.heartbeatTimeoutMs ?? 10_000,
    errorHandler: (err: Error) => {
      if (!closed) report(err, 'a broadcast or its clean-up failed');
    },
  });

  return {
    adapter,
    schema,
    channelPrefix,
    get listening() {
      return listening;
    },
    onRelisten(listener) {
      relistenListeners.add(listener);
      return () => relistenListeners.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      relistenListeners.clear();
      // io.close() closed the adapter, whose last word (ADAPTER_CLOSE, so the others forget this process at once
      // rather than after the heartbeat timeout) is a query just queued: let it go before the pool ends.
      await new Promise((r) => setTimeout(r, 50));
      await Promise.race([pool.end().catch(() => {}), new Promise((r) => setTimeout(r, 2000).unref())]);
    },
  };
}
