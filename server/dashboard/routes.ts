import { Hono } from 'hono';
import type { AppContext } from '../context.ts';
import { actorOf, type AppEnv } from '../http/types.ts';
import { dashboard } from './service.ts';

export function dashboardRoutes(ctx: AppContext) {
  const app = new Hono<AppEnv>();
  app.get('/api/dashboard', async (c) => c.json(await dashboard(ctx, actorOf(c))));
  return app;
}
