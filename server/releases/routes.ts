import { Hono } from 'hono';
import {
  approveReleaseSchema,
  createReleaseSchema,
  patchReleaseSchema,
  publishReleaseSchema,
  rejectReleaseSchema,
  retractReleaseSchema,
  submitReleaseSchema,
} from '../../shared/schemas.ts';
import type { AppContext } from '../context.ts';
import { requireRole } from '../auth/actor.ts';
import { actorOf, body, idParam, type AppEnv } from '../http/types.ts';
import {
  approveRelease,
  createRelease,
  editRelease,
  getRelease,
  publishRelease,
  rejectRelease,
  retractRelease,
  reviewQueue,
  submitRelease,
  unscheduleRelease,
} from './service.ts';

export function releaseRoutes(ctx: AppContext) {
  const app = new Hono<AppEnv>();
  app.post('/api/incidents/:id/releases', async (c) => {
    const actor = actorOf(c);
    requireRole(actor, 'spokesperson');
    const incidentId = idParam(c);
    return c.json({ release: await createRelease(ctx, actor, incidentId, await body(c, createReleaseSchema)) }, 201);
  });
  app.get('/api/releases/review-queue', async (c) => c.json({ items: await reviewQueue(ctx, actorOf(c)) }));
  app.get('/api/releases/:id', async (c) => c.json({ release: await getRelease(ctx, actorOf(c), idParam(c)) }));
  app.patch('/api/releases/:id', async (c) => {
    const actor = actorOf(c);
    requireRole(actor, 'spokesperson');
    const id = idParam(c);
    return c.json({ release: await editRelease(ctx, actor, id, await body(c, patchReleaseSchema)) });
  });
  app.post('/api/releases/:id/submit', async (c) => {
    const actor = actorOf(c);
    requireRole(actor, 'spokesperson');
    const id = idParam(c);
    const raw = await c.req.text();
    const { version } = raw.trim() ? await body(c, submitReleaseSchema) : { version: undefined };
    return c.json({ release: await submitRelease(ctx, actor, id, version) });
  });
  app.post('/api/releases/:id/approve', async (c) => {
    const actor = actorOf(c);
    requireRole(actor, 'leader');
    const id = idParam(c);
    return c.json({ release: await approveRelease(ctx, actor, id, await body(c, approveReleaseSchema)) });
  });
  app.post('/api/releases/:id/reject', async (c) => {
    const actor = actorOf(c);
    requireRole(actor, 'leader');
    const id = idParam(c);
    return c.json({ release: await rejectRelease(ctx, actor, id, await body(c, rejectReleaseSchema)) });
  });
  app.post('/api/releases/:id/publish', async (c) => {
    const actor = actorOf(c);
    requireRole(actor, 'spokesperson');
    const id = idParam(c);
    const raw = await c.req.text();
    const { at } = raw.trim() ? await body(c, publishReleaseSchema) : { at: undefined };
    return c.json({ release: await publishRelease(ctx, actor, id, at) });
  });
  app.post('/api/releases/:id/unschedule', async (c) => c.json({ release: await unscheduleRelease(ctx, actorOf(c), idParam(c)) }));
  app.post('/api/releases/:id/retract', async (c) => {
    const actor = actorOf(c);
    requireRole(actor, 'spokesperson', 'leader');
    const id = idParam(c);
    const { reason } = await body(c, retractReleaseSchema);
    return c.json({ release: await retractRelease(ctx, actor, id, reason) });
  });
  return app;
}
