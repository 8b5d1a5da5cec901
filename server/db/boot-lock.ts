// Several processes starting together on one PostgreSQL take turns through start-up (migrations, the first admin,
// the demo city, the timers every process makes sure exist), so none of it is done twice or half-seen. A session
// advisory lock per schema, held on a connection of its own and released when start-up is done (or the process dies).
import pg from 'pg';
import type { Logger } from '../logger.ts';

export async function withBootLock<T>(databaseUrl: string | null, log: Logger, work: () => Promise<T>): Promise<T> {
  if (!databaseUrl) return work(); // PGlite: one process, held by its lock file
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'beacon-boot' });
  client.on('error', (err) => log.warn({ err }, 'the start-up lock connection was lost'));
  await client.connect();
  const key = `select hashtext('beacon.boot:' || coalesce(current_schema(), '')) as key`;
  try {
    const { rows } = await client.query<{ key: number }>(key);
    const started = performance.now();
    await client.query('select pg_advisory_lock($1)', [rows[0].key]);
    const waited = performance.now() - started;
    if (waited > 500) log.info({ waitedMs: Math.round(waited) }, 'waited for another process to finish starting');
    try {
      return await work();
    } finally {
      await client.query('select pg_advisory_unlock($1)', [rows[0].key]).catch(() => {});
    }
  } finally {
    await client.end().catch(() => {});
  }
}
