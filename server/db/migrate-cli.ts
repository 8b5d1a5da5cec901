// npm run migrate: bring the configured database to the latest schema and exit.
import { join } from 'node:path';
import { loadConfig } from '../config.ts';
import { connect } from './connect.ts';
import { migrateToLatest } from './migrate.ts';

const config = loadConfig();
const handle = await connect({ databaseUrl: config.databaseUrl, dataDir: join(config.dataDir, 'pglite') });
const applied = await migrateToLatest(handle.db);
console.log(applied.length ? `applied: ${applied.join(', ')}` : 'already up to date');
await handle.close();
