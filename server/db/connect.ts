// Kysely over PGlite (embedded, the default) or PostgreSQL (DATABASE_URL), with the same type parsing on both:
// timestamptz → Date, int8 → number, arrays and jsonb parsed.
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import type { DB } from './schema.ts';

export type Database = Kysely<DB>;
export type DbKind = 'pglite' | 'postgres';

export interface DbHandle {
  db: Database;
  kind: DbKind;
  close(): Promise<void>;
}

const INT8 = 20;

export async function connectPostgres(url: string, opts: { poolSize?: number; schema?: string } = {}): Promise<DbHandle> {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolSize ?? 10,
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its server must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  // Queued ahead of the first query on each new connection. (Not the `options` startup parameter, which would
  // replace any search_path given in DATABASE_URL.) A schema per test run keeps parallel suites apart.
  pool.on('connect', (client) => {
    // Nor may one lent to Kysely (pg-pool listens only while a client is idle, and pg emits 'error' on a dead
    // connection even when its query already failed): the query's caller gets the error, Kysely releases the
    // client, and the pool drops it as unqueryable. Without this, a PostgreSQL restart kills the process.
    client.on('error', () => {});
    const search = opts.schema ? `; set search_path to ${pg.escapeIdentifier(opts.schema)}` : '';
    client.query(`set time zone 'UTC'${search}`).catch(() => {});
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', close: () => db.destroy() };
}

export class DataDirLockedError extends Error {}

/** PGlite is one process only: a lock file beside the data directory refuses a second process. */
function acquireLock(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lockPath = join(dataDir, '..', `${dataDir.split('/').pop()}.lock`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          unlinkSync(lockPath);
        } catch {}
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(lockPath, 'utf8'));
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new DataDirLockedError(
          `the data directory ${dataDir} is in use by process ${pid} (lock file ${lockPath}); ` +
            'PGlite serves one process only: stop that process, or set DATABASE_URL to use PostgreSQL',
        );
      }
      unlinkSync(lockPath); // stale lock from a process that died
    }
  }
  throw new DataDirLockedError(`could not take the lock file for ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `dataDir` null means in-memory (tests). */
export async function connectPglite(dataDir: string | null): Promise<DbHandle> {
  const release = dataDir ? acquireLock(dataDir) : () => {};
  let client: PGlite;
  try {
    client = await PGlite.create(dataDir ?? undefined, {
      parsers: { [pgliteTypes.INT8]: (v: string) => Number(v) },
    });
    await client.exec("SET TIME ZONE 'UTC'");
  } catch (err) {
    release();
    throw err;
  }
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: pglitePool(client) }) });
  return {
    db,
    kind: 'pglite',
    close: async () => {
      await db.destroy();
      await client.close();
      release();
    },
  };
}

/**
 * PGlite has a single session, so a "pool" hands out that session to one holder at a time:
 * a Kysely transaction keeps it from BEGIN to COMMIT and nothing else interleaves.
 */
function pglitePool(client: PGlite) {
  let tail: Promise<void> = Promise.resolve();
  const connection = {
    async query(text: string, params: unknown[] = []) {
      const result = await client.query(text, params, { rowMode: 'object' });
      return { rows: result.rows, rowCount: result.affectedRows ?? 0, command: commandOf(text) };
    },
  };
  return {
    connect: () => {
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const ready = tail.then(() => ({ ...connection, release }));
      tail = tail.then(() => held);
      return ready;
    },
    end: async () => {},
  } as unknown as pg.Pool;
}

function commandOf(sqlText: string): string {
  // Kysely only reads the command to report affected rows of plain INSERT/UPDATE/DELETE/MERGE.
  const m = /^\s*(insert|update|delete|merge)\b/i.exec(sqlText);
  return (m?.[1] ?? 'SELECT').toUpperCase();
}

export async function connect(opts: { databaseUrl: string | null; dataDir: string | null; schema?: string }): Promise<DbHandle> {
  return opts.databaseUrl ? connectPostgres(opts.databaseUrl, { schema: opts.schema }) : connectPglite(opts.dataDir);
}
