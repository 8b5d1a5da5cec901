import { Hono } from 'hono';
import type { AppContext } from '../context.ts';
import { actorOf, type AppEnv } from '../http/types.ts';
import { DashboardCache } from './service.ts';

export function dashboardRoutes(ctx: AppContext) {
  const app = new Hono<AppEnv>();
  const cache = new DashboardCache(ctx);
  app.get('/api/dashboard', async (c) => {
    const body = await cache.json(actorOf(c));
    return c.body(body, 200, { 'content-type': 'application/json; charset=utf-8' });
  });
  return app;
}
