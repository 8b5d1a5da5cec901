// Channels (admin) and a release's delivery log (anyone who may see the release's incident).
import { Hono } from 'hono';
import type { AppContext } from '../context.ts';
import { requireRole } from '../auth/actor.ts';
import { actorOf, body, idParam, type AppEnv } from '../http/types.ts';
import { createChannelSchema, patchChannelSchema } from './schemas.ts';
import { createChannel, listChannels, listDeliveries, patchChannel } from './service.ts';

export function channelRoutes(ctx: AppContext) {
  const app = new Hono<AppEnv>();
  app.get('/api/channels', async (c) => {
    requireRole(actorOf(c), 'admin');
    return c.json({ items: await listChannels(ctx) });
  });
  app.post('/api/channels', async (c) => {
    const actor = actorOf(c);
    requireRole(actor, 'admin');
    return c.json(await createChannel(ctx, actor, await body(c, createChannelSchema)), 201);
  });
  app.patch('/api/channels/:id', async (c) => {
    const actor = actorOf(c);
    requireRole(actor, 'admin');
    const id = idParam(c);
    return c.json(await patchChannel(ctx, actor, id, await body(c, patchChannelSchema)));
  });
  app.get('/api/releases/:id/deliveries', async (c) => c.json({ items: await listDeliveries(ctx, actorOf(c), idParam(c)) }));
  return app;
}
