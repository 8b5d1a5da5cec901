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
  const io = attachRealtime(ctx, http);
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
      if (http.listening) await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
