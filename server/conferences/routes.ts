import { Hono } from 'hono';
import { cancelConferenceSchema, createConferenceSchema, holdConferenceSchema } from '../../shared/schemas.ts';
import type { AppContext } from '../context.ts';
import { requireRole } from '../auth/actor.ts';
import { actorOf, body, idParam, type AppEnv } from '../http/types.ts';
import { briefing, cancelConference, holdConference, planConference } from './service.ts';
import { renderBriefing } from './briefing.ts';

export function conferenceRoutes(ctx: AppContext) {
  const app = new Hono<AppEnv>();
  app.post('/api/incidents/:id/conferences', async (c) => {
    const actor = actorOf(c);
    requireRole(actor, 'spokesperson');
    const incidentId = idParam(c);
    return c.json({ conference: await planConference(ctx, actor, incidentId, await body(c, createConferenceSchema)) }, 201);
  });
  app.post('/api/conferences/:id/hold', async (c) => {
    const actor = actorOf(c);
    requireRole(actor, 'spokesperson');
    const id = idParam(c);
    const raw = await c.req.text();
    const input = raw.trim() ? await body(c, holdConferenceSchema) : { summary: '' };
    return c.json({ conference: await holdConference(ctx, actor, id, input) });
  });
  app.post('/api/conferences/:id/cancel', async (c) => {
    const actor = actorOf(c);
    requireRole(actor, 'spokesperson');
    const id = idParam(c);
    const { reason } = await body(c, cancelConferenceSchema);
    return c.json({ conference: await cancelConference(ctx, actor, id, reason) });
  });
  app.get('/api/conferences/:id/briefing', async (c) => c.html(renderBriefing(await briefing(ctx, actorOf(c), idParam(c)))));
  return app;
}
