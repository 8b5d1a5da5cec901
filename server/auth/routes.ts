import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { getConnInfo } from '@hono/node-server/conninfo';
import { loginSchema } from '../../shared/schemas.ts';
import type { AppContext } from '../context.ts';
import { actorOf, body, type AppEnv } from '../http/types.ts';
import { DEMO_ACCOUNTS } from '../demo/accounts.ts';
import type { LoginThrottle } from './rate-limit.ts';
import { actorForSession, actorToUser, signIn, signOut } from './service.ts';

export const SESSION_COOKIE = 'sid';

export function sessionMiddleware(ctx: AppContext) {
  return async (c: import('hono').Context<AppEnv>, next: () => Promise<void>) => {
    const sid = getCookie(c, SESSION_COOKIE) ?? null;
    c.set('sessionId', sid);
    c.set('actor', sid ? await actorForSession(ctx, sid) : null);
    await next();
  };
}

function clientAddress(c: import('hono').Context<AppEnv>): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function authRoutes(ctx: AppContext, throttle: LoginThrottle) {
  const app = new Hono<AppEnv>();
  app.post('/api/session', async (c) => {
    const input = await body(c, loginSchema);
    const { user, sessionId, expiresAt } = await signIn(ctx, throttle, { ...input, address: clientAddress(c) });
    setCookie(c, SESSION_COOKIE, sessionId, { httpOnly: true, sameSite: 'Lax', path: '/', expires: expiresAt });
    return c.json({ user });
  });
  app.get('/api/session', (c) => c.json({ user: actorToUser(actorOf(c)) }));
  app.delete('/api/session', async (c) => {
    actorOf(c);
    const sid = c.get('sessionId');
    if (sid) await signOut(ctx, sid);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.body(null, 204);
  });
  // Only in demo mode does the sign-in page list accounts to try.
  app.get('/api/demo-accounts', (c) => c.json({ accounts: ctx.demo ? DEMO_ACCOUNTS.map(({ password, ...a }) => ({ ...a, password })) : [] }));
  return app;
}
