import { Hono } from 'hono';
import { notificationListQuery } from '../../shared/coordination.ts';
import type { AppContext } from '../context.ts';
import { DomainError } from '../errors.ts';
import { actorOf, parse, type AppEnv } from '../http/types.ts';
import { listNotifications, markAllRead, markRead } from './service.ts';

export function notificationRoutes(ctx: AppContext) {
  const app = new Hono<AppEnv>();
  app.get('/api/notifications', async (c) => {
    const actor = actorOf(c);
    const q = parse(notificationListQuery, c.req.query());
    return c.json(
      await listNotifications(ctx, actor, { unreadOnly: q.unread === '1', limit: q.limit, before: q.before === undefined ? undefined : Number(q.before) }),
    );
  });
  app.post('/api/notifications/read-all', async (c) => c.json(await markAllRead(ctx, actorOf(c))));
  app.post('/api/notifications/:id/read', async (c) => {
    const actor = actorOf(c);
    const raw = c.req.param('id');
    if (!/^\d{1,15}$/.test(raw)) throw new DomainError('not_found', 'notification not found');
    return c.json(await markRead(ctx, actor, Number(raw)));
  });
  return app;
}
