// Sign-in, sessions and the first administrator.
import { randomBytes } from 'node:crypto';
import type { User } from '../../shared/domain.ts';
import type { AppContext } from '../context.ts';
import { DomainError } from '../errors.ts';
import { toUser } from '../people/mapper.ts';
import { countUsers, createDepartment, createUser } from '../people/service.ts';
import type { Actor } from './actor.ts';
import { randomPassword, verifyPassword } from './password.ts';
import type { LoginThrottle } from './rate-limit.ts';

export const SESSION_DAYS = 7;

// Compared against when the login is unknown, so timing does not reveal which logins exist.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

export async function signIn(
  ctx: AppContext,
  throttle: LoginThrottle,
  input: { login: string; password: string; address: string },
): Promise<{ user: User; sessionId: string; expiresAt: Date }> {
  const keys = [`login:${input.login.toLowerCase()}`, `addr:${input.address}`];
  const wait = throttle.retryAfter(keys);
  if (wait > 0) throw new DomainError('rate_limited', `too many failed sign-ins: try again in ${wait} s`);
  const row = await ctx.db
    .selectFrom('users')
    .select(['id', 'login', 'name', 'department_id', 'roles', 'password_hash'])
    .where('login', '=', input.login)
    .executeTakeFirst();
  const ok = await verifyPassword(input.password, row?.password_hash ?? DUMMY_HASH);
  if (!row || !ok) {
    throttle.fail(keys);
    throw new DomainError('unauthenticated', 'wrong login or password');
  }
  throttle.succeed(keys);
  const sessionId = randomBytes(32).toString('base64url');
  const now = ctx.clock.now();
  const expiresAt = new Date(now.getTime() + SESSION_DAYS * 86_400_000);
  await ctx.db.insertInto('sessions').values({ id: sessionId, user_id: row.id, created_at: now, expires_at: expiresAt }).execute();
  return { user: toUser(row), sessionId, expiresAt };
}

export async function actorForSession(ctx: AppContext, sessionId: string | undefined): Promise<Actor | null> {
  if (!sessionId) return null;
  const row = await ctx.db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .innerJoin('departments', 'departments.id', 'users.department_id')
    .select(['users.id', 'users.login', 'users.name', 'users.department_id', 'users.roles', 'departments.coordinating'])
    .where('sessions.id', '=', sessionId)
    .where('sessions.expires_at', '>', ctx.clock.now())
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    login: row.login,
    name: row.name,
    departmentId: row.department_id,
    roles: row.roles as Actor['roles'],
    coordinating: row.coordinating,
  };
}

export async function signOut(ctx: AppContext, sessionId: string): Promise<void> {
  await ctx.db.deleteFrom('sessions').where('id', '=', sessionId).execute();
  ctx.sessionEnded.emit(sessionId);
}

export function actorToUser(actor: Actor): User {
  return { id: String(actor.id), login: actor.login, name: actor.name, departmentId: String(actor.departmentId), roles: actor.roles };
}

/**
 * An empty database gets user `admin` with ADMIN_PASSWORD, or a random password returned so boot can log it once.
 * Outside demo mode there is no default password.
 */
export async function ensureAdmin(ctx: AppContext, adminPassword: string | null): Promise<{ created: boolean; password?: string }> {
  if ((await countUsers(ctx)) > 0) return { created: false };
  const password = adminPassword ?? randomPassword();
  const existing = await ctx.db.selectFrom('departments').select('id').orderBy('id').executeTakeFirst();
  const dept = existing ?? (await createDepartment(ctx, null, { name: '系统管理组', coordinating: false }));
  await createUser(ctx, null, { login: 'admin', name: '系统管理员', password, departmentId: String(dept.id), roles: ['admin'] });
  return { created: true, password: adminPassword ? undefined : password };
}
