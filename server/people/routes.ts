import { Hono } from 'hono';
import { departmentSchema, userSchema } from '../../shared/schemas.ts';
import type { AppContext } from '../context.ts';
import { requireRole } from '../auth/actor.ts';
import { actorOf, body, type AppEnv } from '../http/types.ts';
import { createDepartment, createUser, listDepartments, listPeople, listUsers } from './service.ts';

export function peopleRoutes(ctx: AppContext) {
  const app = new Hono<AppEnv>();
  app.get('/api/departments', async (c) => {
    actorOf(c);
    return c.json({ items: await listDepartments(ctx) });
  });
  app.post('/api/departments', async (c) => {
    const actor = actorOf(c);
    requireRole(actor, 'admin');
    return c.json({ department: await createDepartment(ctx, actor, await body(c, departmentSchema)) }, 201);
  });
  app.get('/api/users', async (c) => {
    requireRole(actorOf(c), 'admin');
    return c.json({ items: await listUsers(ctx) });
  });
  app.post('/api/users', async (c) => {
    const actor = actorOf(c);
    requireRole(actor, 'admin');
    return c.json({ user: await createUser(ctx, actor, await body(c, userSchema)) }, 201);
  });
  app.get('/api/people', async (c) => {
    actorOf(c);
    return c.json({ items: await listPeople(ctx) });
  });
  return app;
}
