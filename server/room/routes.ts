import { Hono } from 'hono';
import { z } from 'zod';
import { createCommentSchema } from '../../shared/coordination.ts';
import type { AppContext } from '../context.ts';
import { actorOf, body, idParam, parse, type AppEnv } from '../http/types.ts';
import { createComment, incidentPresence, listComments } from './service.ts';

const commentsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).optional().default(200),
  /** Only comments after this id (a client catching up), oldest first. */
  after: z.string().regex(/^\d{1,9}$/, 'must be an id').optional(),
});

export function roomRoutes(ctx: AppContext) {
  const app = new Hono<AppEnv>();
  app.post('/api/incidents/:id/comments', async (c) => {
    const actor = actorOf(c);
    const incidentId = idParam(c);
    const input = await body(c, createCommentSchema);
    return c.json(await createComment(ctx, actor, incidentId, input.body), 201);
  });
  app.get('/api/incidents/:id/comments', async (c) => {
    const actor = actorOf(c);
    const incidentId = idParam(c);
    const q = parse(commentsQuery, c.req.query());
    return c.json({ items: await listComments(ctx, actor, incidentId, { limit: q.limit, after: q.after === undefined ? undefined : Number(q.after) }) });
  });
  app.get('/api/incidents/:id/presence', async (c) => {
    const actor = actorOf(c);
    const incidentId = idParam(c);
    return c.json({ incidentId: String(incidentId), users: await incidentPresence(ctx, actor, incidentId) });
  });
  return app;
}
