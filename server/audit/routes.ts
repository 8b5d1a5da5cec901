import { Hono } from 'hono';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { requireRole } from '../auth/actor.ts';
import { actorOf, parse, type AppEnv } from '../http/types.ts';
import { eventsAfter, toWireEvent, verifyChain } from './event-log.ts';

const eventsQuery = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
});

export function auditRoutes(ctx: AppContext) {
  const app = new Hono<AppEnv>();
  app.get('/api/events', async (c) => {
    const actor = actorOf(c);
    const q = parse(eventsQuery, c.req.query());
    const rows = await eventsAfter(ctx.db, actor, q.after, q.limit);
    return c.json({ events: rows.map(toWireEvent), more: rows.length === q.limit });
  });
  app.get('/api/audit/verify', async (c) => {
    requireRole(actorOf(c), 'admin');
    return c.json(await verifyChain(ctx.db));
  });
  return app;
}
