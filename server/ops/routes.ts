import { Hono } from 'hono';
import { sql } from 'kysely';
import type { AppContext } from '../context.ts';
import type { AppEnv } from '../http/types.ts';
import { openApiDocument } from './openapi.ts';

export function opsRoutes(ctx: AppContext) {
  const app = new Hono<AppEnv>();
  app.get('/healthz', async (c) => {
    try {
      await sql`select 1`.execute(ctx.db);
      return c.json({ ok: true, db: ctx.dbKind, serverNow: ctx.clock.now().toISOString() });
    } catch (err) {
      return c.json({ ok: false, db: ctx.dbKind, error: (err as Error).message }, 503);
    }
  });
  app.get('/metrics', async (c) => {
    c.header('Content-Type', ctx.metrics.registry.contentType);
    return c.body(await ctx.metrics.registry.metrics());
  });
  app.get('/api/openapi.json', (c) => c.json(openApiDocument()));
  return app;
}
