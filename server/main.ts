// Boot: configuration, database, migrations, the first admin, demo data, HTTP + socket.io, scheduler, clean shutdown.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from './config.ts';
import { connect, DataDirLockedError } from './db/connect.ts';
import { createLogger } from './logger.ts';
import { createBeacon } from './beacon.ts';
import { ensureAdmin } from './auth/service.ts';
import { seedDemo } from './demo/seed.ts';
import { withBootLock } from './db/boot-lock.ts';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../..');
const webDir = join(repoRoot, 'dist/web');

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`Beacon cannot start: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);

  if (process.argv.includes('--build-if-missing') && !existsSync(join(webDir, 'index.html'))) {
    log.info('building the console (first start)…');
    const built = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: repoRoot, stdio: 'inherit' });
    if (built.status !== 0) {
      log.fatal('building the console failed');
      process.exit(1);
    }
  }

  let handle;
  try {
    handle = await connect({ databaseUrl: config.databaseUrl, dataDir: join(config.dataDir, 'pglite') });
  } catch (err) {
    if (err instanceof DataDirLockedError) {
      log.fatal(err.message);
      process.exit(1);
    }
    throw err;
  }

  // On PostgreSQL several processes may start at once: they take turns through migrations, seeding and the first
  // admin (server/db/boot-lock.ts), and the socket.io adapter carries broadcasts between them.
  const beacon = await withBootLock(config.databaseUrl, log, async () => {
    const beacon = await createBeacon({
      handle,
      log,
      demo: config.demo,
      webDir,
      defaultMetrics: true,
      allowPrivateFeeds: config.allowPrivateFeeds,
      clusterDatabaseUrl: config.databaseUrl,
    });
    // The demo city brings its own admin (demo password); otherwise an empty database gets one now.
    if (config.demo && (await seedDemo(beacon.ctx))) log.info('demo city seeded; its accounts are listed on the sign-in page');
    const admin = await ensureAdmin(beacon.ctx, config.adminPassword);
    if (admin.created && admin.password) {
      log.warn(`created user "admin" with password ${admin.password} — shown once; change it or set ADMIN_PASSWORD`);
    } else if (admin.created) log.info('created user "admin" with ADMIN_PASSWORD');
    return beacon;
  });

  const url = await beacon.listen(config.port);
  const shown = url.replace('127.0.0.1', 'localhost');
  log.info({ db: handle.kind, realtime: beacon.cluster ? 'postgres-adapter' : 'this process', url: shown }, `Beacon is serving on ${shown}`);

  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await beacon.stop();
    await handle.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
