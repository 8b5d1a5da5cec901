// Departments and users.
import type { Department, User } from '../../shared/domain.ts';
import type { z } from 'zod';
import type { departmentSchema, userSchema } from '../../shared/schemas.ts';
import { EVENT } from '../../shared/events.ts';
import type { AppContext } from '../context.ts';
import { transact } from '../db/transact.ts';
import { conflict, invalid } from '../errors.ts';
import { hashPassword } from '../auth/password.ts';
import type { Actor } from '../auth/actor.ts';
import { toDepartment, toUser } from './mapper.ts';

const USER_COLUMNS = ['id', 'login', 'name', 'department_id', 'roles'] as const;

export async function listDepartments(ctx: AppContext): Promise<Department[]> {
  const rows = await ctx.db.selectFrom('departments').selectAll().orderBy('coordinating', 'desc').orderBy('id').execute();
  return rows.map(toDepartment);
}

export async function createDepartment(
  ctx: AppContext,
  actor: Actor | null,
  input: z.infer<typeof departmentSchema>,
): Promise<Department> {
  return transact(ctx, async (tx, record) => {
    const clash = await tx.selectFrom('departments').select('id').where('name', '=', input.name).executeTakeFirst();
    if (clash) throw conflict(`a department named "${input.name}" already exists`);
    const row = await tx
      .insertInto('departments')
      .values({ name: input.name, coordinating: input.coordinating, created_at: ctx.clock.now() })
      .returningAll()
      .executeTakeFirstOrThrow();
    const department = toDepartment(row);
    record({ type: EVENT.departmentCreated, actorId: actor?.id ?? null, isPublic: true, payload: { department } });
    return department;
  });
}

export async function listUsers(ctx: AppContext): Promise<User[]> {
  const rows = await ctx.db.selectFrom('users').select(USER_COLUMNS).orderBy('id').execute();
  return rows.map(toUser);
}

/** Names and roles of everyone, for pickers (no logins). */
export async function listPeople(ctx: AppContext) {
  const rows = await ctx.db.selectFrom('users').select(['id', 'name', 'department_id', 'roles']).orderBy('id').execute();
  return rows.map((r) => ({ id: String(r.id), name: r.name, departmentId: String(r.department_id), roles: r.roles }));
}

export async function createUser(ctx: AppContext, actor: Actor | null, input: z.infer<typeof userSchema>): Promise<User> {
  const passwordHash = await hashPassword(input.password);
  return transact(ctx, async (tx, record) => {
    const dept = await tx.selectFrom('departments').select('id').where('id', '=', Number(input.departmentId)).executeTakeFirst();
    if (!dept) throw invalid('departmentId', 'no such department');
    const clash = await tx.selectFrom('users').select('id').where('login', '=', input.login).executeTakeFirst();
    if (clash) throw conflict(`the login "${input.login}" is taken`);
    const row = await tx
      .insertInto('users')
      .values({
        login: input.login,
        name: input.name,
        password_hash: passwordHash,
        department_id: dept.id,
        roles: [...new Set(input.roles)],
        created_at: ctx.clock.now(),
      })
      .returning(USER_COLUMNS)
      .executeTakeFirstOrThrow();
    const user = toUser(row);
    record({ type: EVENT.userCreated, actorId: actor?.id ?? null, isPublic: true, payload: { user: { id: user.id, name: user.name, departmentId: user.departmentId, roles: user.roles } } });
    return user;
  });
}

export async function countUsers(ctx: AppContext): Promise<number> {
  const row = await ctx.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function coordinatingDepartmentIds(ctx: Pick<AppContext, 'db'>): Promise<number[]> {
  const rows = await ctx.db.selectFrom('departments').select('id').where('coordinating', '=', true).execute();
  return rows.map((r) => r.id);
}
