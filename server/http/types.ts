import type { Context } from 'hono';
import type { z } from 'zod';
import { describeZodError } from '../../shared/schemas.ts';
import type { Actor } from '../auth/actor.ts';
import { DomainError, invalid } from '../errors.ts';

export type AppEnv = { Variables: { actor: Actor | null; sessionId: string | null } };
export type Ctx = Context<AppEnv>;

/** The signed-in user, or 401. */
export function actorOf(c: Ctx): Actor {
  const actor = c.get('actor');
  if (!actor) throw new DomainError('unauthenticated', 'sign in first');
  return actor;
}

/** Parses a JSON body with a zod schema; a wrong field is a 400 naming it. */
export async function body<S extends z.ZodType>(c: Ctx, schema: S): Promise<z.infer<S>> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw invalid('(body)', 'must be a JSON object');
  }
  return parse(schema, raw);
}

export function parse<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const result = schema.safeParse(raw);
  if (!result.success) {
    const { field, message } = describeZodError(result.error);
    throw new DomainError('invalid', message, field);
  }
  return result.data;
}

/** A numeric id from the path; anything else is a 404 (no such thing). */
export function idParam(c: Ctx, name = 'id'): number {
  const raw = c.req.param(name) ?? '';
  if (!/^\d{1,9}$/.test(raw)) throw new DomainError('not_found', `${name} not found`);
  return Number(raw);
}
