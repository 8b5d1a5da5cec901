// Test wiring for the coordination features (tasks, incident room, notifications) until the lead mounts them in
// server/app.ts and registers the timer in server/scheduler/handlers.ts. Once that lands, this wires nothing: it
// probes the real app and the scheduler's handler table and only fills what is missing.
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { sessionMiddleware } from '../../server/auth/routes.ts';
import { DomainError, type ErrorCode } from '../../server/errors.ts';
import type { AppEnv } from '../../server/http/types.ts';
import type { TimerHandler } from '../../server/scheduler/scheduler.ts';
import { taskRoutes } from '../../server/tasks/routes.ts';
import { taskTimerHandlers } from '../../server/tasks/service.ts';
import { roomRoutes } from '../../server/room/routes.ts';
import { notificationRoutes } from '../../server/notifications/routes.ts';
import { startHarness, type Harness } from './harness.ts';

const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  invalid_state: 422,
  rate_limited: 429,
};

export interface CoordinationHarness extends Harness {
  /** Whether the routes had to be mounted here (false once server/app.ts mounts them). */
  wiredHere: { routes: boolean; timers: boolean };
}

/** The harness of test/support/harness.ts with the coordination routes and timers available. */
export async function startCoordinationHarness(opts: Parameters<typeof startHarness>[0] = {}): Promise<CoordinationHarness> {
  const h = await startHarness(opts);
  return wireCoordination(h);
}

export async function wireCoordination(h: Harness): Promise<CoordinationHarness> {
  const ctx = h.beacon.ctx;
  const handlers = (h.beacon.scheduler as unknown as { handlers: Record<string, TimerHandler> }).handlers;
  let timers = false;
  for (const [kind, handler] of Object.entries(taskTimerHandlers)) {
    if (!handlers[kind]) {
      handlers[kind] = handler;
      timers = true;
    }
  }
  // Unwired, the app's catch-all answers 404 "no route"; wired, the session check answers 401.
  const probe = await h.beacon.app.request('/api/tasks/inbox-count');
  const routes = probe.status === 404;
  if (routes) {
    const outer = new Hono<AppEnv>();
    outer.use('/api/*', sessionMiddleware(ctx));
    outer.route('/', taskRoutes(ctx));
    outer.route('/', roomRoutes(ctx));
    outer.route('/', notificationRoutes(ctx));
    outer.all('*', (c) => h.beacon.app.fetch(c.req.raw));
    outer.onError((err, c) => {
      if (err instanceof DomainError) {
        return c.json({ error: { code: err.code, message: err.message, ...(err.field && { field: err.field }) } }, STATUS[err.code]);
      }
      console.error(err);
      return c.json({ error: { code: 'internal', message: String(err) } }, 500);
    });
    const cookies = new Map<string, string>();
    h.api = async (method, path, o = {}) => {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      if (o.as) {
        if (!cookies.has(o.as)) cookies.set(o.as, await h.login(o.as));
        headers.cookie = cookies.get(o.as)!;
      }
      if (o.body !== undefined) headers['content-type'] = 'application/json';
      const res = await outer.request(path, {
        method,
        headers,
        body: o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {}
      return { status: res.status, body, headers: res.headers };
    };
  }
  return Object.assign(h, { wiredHere: { routes, timers } });
}
