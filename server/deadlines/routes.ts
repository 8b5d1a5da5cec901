import { Hono } from 'hono';
import { z } from 'zod';
import { policyRulesSchema, waiveSchema } from '../../shared/schemas.ts';
import type { AppContext } from '../context.ts';
import { requireRole } from '../auth/actor.ts';
import { actorOf, body, idParam, type AppEnv } from '../http/types.ts';
import { currentPolicy, updatePolicy, waiveDeadline } from './service.ts';

const policyBody = z.object({ rules: policyRulesSchema, note: z.string().trim().max(500).default('') });

export function deadlineRoutes(ctx: AppContext) {
  const app = new Hono<AppEnv>();
  app.post('/api/deadlines/:id/waive', async (c) => {
    const actor = actorOf(c);
    requireRole(actor, 'leader');
    const id = idParam(c);
    const { reason } = await body(c, waiveSchema);
    return c.json({ deadline: await waiveDeadline(ctx, actor, id, reason) });
  });
  app.get('/api/policy', async (c) => {
    actorOf(c);
    return c.json({ policy: await currentPolicy(ctx.db) });
  });
  app.put('/api/policy', async (c) => {
    const actor = actorOf(c);
    requireRole(actor, 'admin');
    const input = await body(c, policyBody);
    return c.json({ policy: await updatePolicy(ctx, actor, input.rules, input.note) });
  });
  return app;
}
