import { sql, Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './connect.ts';
import * as m001 from './migrations/001_foundation.ts';
import * as m002 from './migrations/002_releases.ts';
import * as m003 from './migrations/003_opinion.ts';
import * as m004 from './migrations/004_coordination.ts';
import * as m005 from './migrations/005_perf.ts';

// Migrations are listed here, in order, so bundling and tsx need no directory scanning.
const migrations: Record<string, Migration> = {
  '001_foundation': m001,
  '002_releases': m002,
  '003_opinion': m003,
  '004_coordination': m004,
  '005_perf': m005,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Database): Promise<string[]> {
  // Kysely looks for its bookkeeping tables in "public" unless told; DATABASE_URL may set another search_path.
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  if (!rows[0]?.schema) throw new Error('the database has no schema to migrate into: the search_path names none that exists');
  const migrator = new Migrator({ db, provider, migrationTableSchema: rows[0].schema });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
