// The Hono app: middleware, each feature's routes, errors as {"error": {code, message, field?}}, and the console.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Hono } from 'hono';
import { serveStatic } from '@hono/node-server/serve-static';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppContext } from './context.ts';
import { DomainError, type ErrorCode } from './errors.ts';
import type { AppEnv } from './http/types.ts';
import { LoginThrottle } from './auth/rate-limit.ts';
import { authRoutes, sessionMiddleware } from './auth/routes.ts';
import { peopleRoutes } from './people/routes.ts';
import { incidentRoutes } from './incidents/routes.ts';
import { deadlineRoutes } from './deadlines/routes.ts';
import { releaseRoutes } from './releases/routes.ts';
import { conferenceRoutes } from './conferences/routes.ts';
import { channelRoutes } from './channels/routes.ts';
import { publicRoutes } from './public/routes.ts';
import { opinionRoutes } from './opinion/routes.ts';
import { taskRoutes } from './tasks/routes.ts';
import { roomRoutes } from './room/routes.ts';
import { notificationRoutes } from './notifications/routes.ts';
import { reportRoutes } from './reports/routes.ts';
import type { FeedPoller } from './opinion/poller.ts';
import { auditRoutes } from './audit/routes.ts';
import { dashboardRoutes } from './dashboard/routes.ts';
import { opsRoutes } from './ops/routes.ts';

const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  invalid_state: 422,
  rate_limited: 429,
};

export interface AppOptions {
  /** Directory of the built console (dist/web); not served when absent. */
  webDir?: string;
  poller: FeedPoller;
}

export function createApp(ctx: AppContext, opts: AppOptions) {
  const app = new Hono<AppEnv>();
  const throttle = new LoginThrottle(ctx.clock);

  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    const route = c.req.routePath || 'unmatched';
    ctx.metrics.httpRequests.inc({ method: c.req.method, route, status: String(c.res.status) });
    ctx.metrics.httpDuration.observe({ method: c.req.method, route }, (performance.now() - started) / 1000);
  });

  // Cross-site form posts carry a foreign Origin; the session cookie is SameSite=Lax, this closes the rest.
  app.use('/api/*', async (c, next) => {
    if (!['GET', 'HEAD', 'OPTIONS'].includes(c.req.method)) {
      const origin = c.req.header('origin');
      if (origin && new URL(origin).host !== c.req.header('host')) {
        throw new DomainError('forbidden', 'cross-origin request refused');
      }
    }
    await next();
  });
  app.use('/api/*', sessionMiddleware(ctx));

  app.route('/', opsRoutes(ctx));
  app.route('/', authRoutes(ctx, throttle));
  app.route('/', peopleRoutes(ctx));
  app.route('/', incidentRoutes(ctx));
  app.route('/', deadlineRoutes(ctx));
  app.route('/', releaseRoutes(ctx));
  app.route('/', conferenceRoutes(ctx));
  app.route('/', channelRoutes(ctx));
  app.route('/', opinionRoutes(ctx, opts.poller));
  app.route('/', taskRoutes(ctx));
  app.route('/', roomRoutes(ctx));
  app.route('/', notificationRoutes(ctx));
  app.route('/', reportRoutes(ctx));
  app.route('/', dashboardRoutes(ctx));
  app.route('/', auditRoutes(ctx));

  app.route('/', publicRoutes(ctx));

  app.all('/api/*', (c) => c.json({ error: { code: 'not_found', message: `no route ${c.req.method} ${c.req.path}` } }, 404));

  if (opts.webDir && existsSync(join(opts.webDir, 'index.html'))) {
    const root = relative(process.cwd(), opts.webDir) || '.';
    const index = readFileSync(join(opts.webDir, 'index.html'), 'utf8');
    app.use('/assets/*', serveStatic({ root }));
    app.use('/favicon.svg', serveStatic({ root }));
    app.get('*', (c) => c.html(index));
  }

  app.onError((err, c) => {
    if (err instanceof DomainError) {
      const status = STATUS[err.code];
      return c.json({ error: { code: err.code, message: err.message, ...(err.field && { field: err.field }) } }, status);
    }
    ctx.log.error({ err, path: c.req.path }, 'unhandled error');
    return c.json({ error: { code: 'internal', message: 'internal error; it has been logged' } }, 500);
  });
  return app;
}
