import { Hono } from 'hono';
import { z } from 'zod';
import { createIncidentSchema, patchIncidentSchema } from '../../shared/schemas.ts';
import type { AppContext } from '../context.ts';
import { requireRole } from '../auth/actor.ts';
import { actorOf, body, idParam, parse, type AppEnv } from '../http/types.ts';
import { closeIncident, createIncident, getIncident, listIncidents, patchIncident } from './service.ts';

const listQuery = z.object({ status: z.enum(['open', 'closed']).optional() });

export function incidentRoutes(ctx: AppContext) {
  const app = new Hono<AppEnv>();
  app.get('/api/incidents', async (c) => {
    const filter = parse(listQuery, c.req.query());
    return c.json({ items: await listIncidents(ctx, actorOf(c), filter) });
  });
  app.post('/api/incidents', async (c) => {
    const actor = actorOf(c);
    requireRole(actor, 'duty_officer');
    return c.json({ incident: await createIncident(ctx, actor, await body(c, createIncidentSchema)) }, 201);
  });
  app.get('/api/incidents/:id', async (c) => c.json({ incident: await getIncident(ctx, actorOf(c), idParam(c)) }));
  app.patch('/api/incidents/:id', async (c) => {
    const actor = actorOf(c);
    requireRole(actor, 'duty_officer', 'leader');
    const id = idParam(c);
    return c.json({ incident: await patchIncident(ctx, actor, id, await body(c, patchIncidentSchema)) });
  });
  app.post('/api/incidents/:id/close', async (c) => c.json({ incident: await closeIncident(ctx, actorOf(c), idParam(c)) }));
  return app;
}
