import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './connect.ts';
import * as m001 from './migrations/001_foundation.ts';

// Migrations are listed here, in order, so bundling and tsx need no directory scanning.
const migrations: Record<string, Migration> = {
  '001_foundation': m001,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Database, schema?: string): Promise<string[]> {
  const migrator = new Migrator({ db, provider, ...(schema && { migrationTableSchema: schema }) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
