// The Hono app: middleware, each feature's routes, errors as {"error": {code, message, field?}}, and the console.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Hono } from 'hono';
import { serveStatic } from '@hono/node-server/serve-static';
import { secureHeaders, type ContentSecurityPolicyOptionHandler } from 'hono/secure-headers';
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

type SecureHeadersOptions = NonNullable<Parameters<typeof secureHeaders>[0]>;
type CspOptions = NonNullable<SecureHeadersOptions['contentSecurityPolicy']>;

/** Content types a plain HTML form (or a no-cors fetch) can send cross-site without a preflight. */
const FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);

/** The socket.io endpoint on the page's own host (CSP3 lets 'self' cover ws/wss; older engines need it spelled). */
const sameHostSockets: ContentSecurityPolicyOptionHandler = (c) => {
  const host = c.req.header('host') ?? '';
  return /^([a-z0-9.-]+|\[[0-9a-f:.]+\])(:\d{1,5})?$/i.test(host) ? `ws://${host} wss://${host}` : "'self'";
};

const CONSOLE_CSP: CspOptions = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'", sameHostSockets],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

const API_CSP: CspOptions = {
  defaultSrc: ["'none'"],
  styleSrc: ["'unsafe-inline'"],
  imgSrc: ['data:'],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
};

const SECURITY_HEADERS: SecureHeadersOptions = {
  overwrite: false,
  xFrameOptions: 'DENY',
  referrerPolicy: 'same-origin',
  // TLS ends at the proxy; browsers ignore this over plain HTTP. No includeSubDomains: other hosts are not ours.
  strictTransportSecurity: 'max-age=15552000',
  permissionsPolicy: { camera: [], microphone: [], geolocation: [], payment: [], usb: [] },
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

  // Security headers on every response. A handler's own header wins (overwrite off): the public site and the
  // printable reports set stricter CSPs of their own. /api answers are data or self-contained documents (briefing,
  // reports) that never run script; everything else is the console.
  const apiHeaders = secureHeaders({ ...SECURITY_HEADERS, contentSecurityPolicy: API_CSP });
  const consoleHeaders = secureHeaders({ ...SECURITY_HEADERS, contentSecurityPolicy: CONSOLE_CSP });
  app.use('*', (c, next) => (c.req.path === '/api' || c.req.path.startsWith('/api/') ? apiHeaders : consoleHeaders)(c, next));

  // Cross-site form posts carry a foreign Origin; the session cookie is SameSite=Lax, this closes the rest. An
  // unparsable Origin (`null` from a sandboxed frame) is foreign too. A body an HTML form can send without a CORS
  // preflight (form-encoded, multipart, text/plain) is never a call of this JSON API: refused whatever its Origin.
  app.use('/api/*', async (c, next) => {
    if (!['GET', 'HEAD', 'OPTIONS'].includes(c.req.method)) {
      const origin = c.req.header('origin');
      if (origin && (!URL.canParse(origin) || new URL(origin).host !== c.req.header('host'))) {
        throw new DomainError('forbidden', 'cross-origin request refused');
      }
      const type = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
      if (FORM_TYPES.has(type)) throw new DomainError('invalid', `(body): must be JSON (application/json), not ${type}`, '(body)');
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
