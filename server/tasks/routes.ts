import { Hono } from 'hono';
import { createTaskSchema, taskListQuery, taskStepSchema, TASK_STEPS, type TaskStep } from '../../shared/coordination.ts';
import type { AppContext } from '../context.ts';
import { requireRole } from '../auth/actor.ts';
import { actorOf, body, idParam, parse, type AppEnv, type Ctx } from '../http/types.ts';
import { createTask, getTask, inboxCount, listTasks, stepTask, TASK_ASSIGNER_ROLES } from './service.ts';

/** The optional `{version}` body of a step: an empty body is no version. */
async function stepVersion(c: Ctx): Promise<number | undefined> {
  const raw = await c.req.text();
  return raw.trim() ? (await body(c, taskStepSchema)).version : undefined;
}

export function taskRoutes(ctx: AppContext) {
  const app = new Hono<AppEnv>();
  app.post('/api/incidents/:id/tasks', async (c) => {
    const actor = actorOf(c);
    requireRole(actor, ...TASK_ASSIGNER_ROLES);
    const incidentId = idParam(c);
    return c.json({ task: await createTask(ctx, actor, incidentId, await body(c, createTaskSchema)) }, 201);
  });
  app.get('/api/tasks', async (c) => {
    const actor = actorOf(c);
    const q = parse(taskListQuery, c.req.query());
    return c.json(
      await listTasks(ctx, actor, {
        status: q.status,
        mine: q.mine === '1',
        incidentId: q.incidentId === undefined ? undefined : Number(q.incidentId),
        limit: q.limit,
      }),
    );
  });
  app.get('/api/tasks/inbox-count', async (c) => c.json({ unread: await inboxCount(ctx, actorOf(c)) }));
  app.get('/api/tasks/:id', async (c) => c.json({ task: await getTask(ctx, actorOf(c), idParam(c)) }));
  for (const step of TASK_STEPS) {
    app.post(`/api/tasks/:id/${step}`, async (c) => {
      const actor = actorOf(c);
      const id = idParam(c);
      return c.json({ task: await stepTask(ctx, actor, id, step as TaskStep, await stepVersion(c)) });
    });
  }
  return app;
}
