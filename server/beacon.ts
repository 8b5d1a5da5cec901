// The composition root: a database handle in, a running Beacon (HTTP + socket.io + scheduler) out.
// main.ts uses it with the real clock and configuration; tests use it with a manual clock and port 0.
import { createAdaptorServer } from '@hono/node-server';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server as IoServer } from 'socket.io';
import { createApp } from './app.ts';
import { systemClock, type Clock } from './clock.ts';
import { EventBus, Signal, type AppContext } from './context.ts';
import type { DbHandle } from './db/connect.ts';
import { migrateToLatest } from './db/migrate.ts';
import type { Logger } from './logger.ts';
import { createMetrics } from './ops/metrics.ts';
import { attachRealtime } from './realtime/hub.ts';
import { SESSION_COOKIE } from './auth/routes.ts';
import { createRealtimeCluster, type RealtimeCluster } from './realtime/adapter.ts';
import { timerHandlers } from './scheduler/handlers.ts';
import { Scheduler } from './scheduler/scheduler.ts';
import { DeliveryWorker } from './channels/worker.ts';
import { FeedPoller } from './opinion/poller.ts';
import { burstSettings, ensureBucketTimer } from './opinion/bursts.ts';
import { dailyBriefingSettings, ensureDailyBriefingTimer } from './reports/daily.ts';

export interface BeaconOptions {
  handle: DbHandle;
  log: Logger;
  clock?: Clock;
  demo?: boolean;
  webDir?: string;
  /** Start the scheduler loop (tests with a manual clock drive `scheduler.runDue()` themselves). */
  runScheduler?: boolean;
  defaultMetrics?: boolean;
  /** Let feed URLs on loopback/private addresses through (tests, intranet feeds). */
  allowPrivateFeeds?: boolean;
  /**
   * PostgreSQL only: the DATABASE_URL for `@socket.io/postgres-adapter`, so socket.io broadcasts reach the clients
   * of every process on this database and schema (./realtime/adapter.ts). PGlite is one process: no adapter.
   */
  clusterDatabaseUrl?: string | null;
}

export interface Beacon {
  ctx: AppContext;
  app: ReturnType<typeof createApp>;
  scheduler: Scheduler;
  /** Sends published and retracted releases to the outbound channels (webhooks). */
  deliveries: DeliveryWorker;
  poller: FeedPoller;
  http: HttpServer;
  io: IoServer;
  /** The socket.io adapter between processes, when `clusterDatabaseUrl` was given. */
  cluster: RealtimeCluster | null;
  listen(port: number, host?: string): Promise<string>;
  stop(): Promise<void>;
}

export async function createBeacon(opts: BeaconOptions): Promise<Beacon> {
  await migrateToLatest(opts.handle.db);
  const metrics = createMetrics(opts.defaultMetrics ?? false);
  const bus = new EventBus();
  bus.on((events) => events.forEach((e) => metrics.events.inc({ type: e.type })));
  const ctx: AppContext = {
    db: opts.handle.db,
    dbKind: opts.handle.kind,
    clock: opts.clock ?? systemClock,
    log: opts.log,
    bus,
    metrics,
    demo: opts.demo ?? false,
    sessionEnded: new Signal<string>(),
    pokeScheduler: () => {},
  };
  const scheduler = new Scheduler(ctx, timerHandlers);
  ctx.pokeScheduler = () => scheduler.poke();
  // Any committed change may have created timers due soon: let the scheduler look again.
  bus.on(() => scheduler.poke());
  const poller = new FeedPoller(ctx, { allowPrivate: opts.allowPrivateFeeds ?? false });
  await ensureBucketTimer(ctx.db, ctx.clock.now(), (await burstSettings(ctx.db)).bucketMinutes);
  await ensureDailyBriefingTimer(ctx.db, ctx.clock.now(), (await dailyBriefingSettings(ctx.db)).at);
  const app = createApp(ctx, { webDir: opts.webDir, poller });
  const http = createAdaptorServer({ fetch: app.fetch }) as HttpServer;
  const cluster =
    opts.clusterDatabaseUrl && opts.handle.kind === 'postgres' ? await createRealtimeCluster(opts.clusterDatabaseUrl, opts.log) : null;
  const io = attachRealtime(ctx, http, SESSION_COOKIE, cluster);
  const deliveries = new DeliveryWorker(ctx);
  if (opts.runScheduler ?? true) {
    scheduler.start();
    deliveries.start();
    poller.start();
  }

  return {
    ctx,
    app,
    scheduler,
    deliveries,
    poller,
    http,
    io,
    cluster,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        http.once('error', reject);
        http.listen(port, host, () => {
          const { port: actual } = http.address() as AddressInfo;
          resolve(`http://127.0.0.1:${actual}`);
        });
      }),
    async stop() {
      await poller.stop();
      await deliveries.stop();
      await scheduler.stop();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await cluster?.close();
      if (http.listening) await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
