// Opinion sources: RSS/Atom feeds polled by the poller, push sources with a per-source token, manual entry.
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { OpinionSource } from '../../shared/opinion.ts';
import type { createSourceSchema, patchSourceSchema } from '../../shared/opinion.ts';
import type { AppContext } from '../context.ts';
import { transact } from '../db/transact.ts';
import { requireRole, type Actor } from '../auth/actor.ts';
import { conflict, DomainError, notFound } from '../errors.ts';
import { toSource } from './mapper.ts';
import { opinionWatchers } from './audience.ts';

export const SOURCE_EVENT = 'opinion.source';
const newToken = () => randomBytes(24).toString('base64url');

export async function listSources(ctx: AppContext, actor: Actor): Promise<OpinionSource[]> {
  requireRole(actor, 'analyst', 'leader');
  const rows = await ctx.db.selectFrom('opinion_sources').selectAll().orderBy('id').execute();
  return rows.map((r) => toSource(r, actor.roles.includes('analyst')));
}

export async function createSource(ctx: AppContext, actor: Actor, input: z.infer<typeof createSourceSchema>): Promise<OpinionSource> {
  requireRole(actor, 'analyst');
  return transact(ctx, async (tx, record) => {
    if (await tx.selectFrom('opinion_sources').select('id').where('name', '=', input.name).executeTakeFirst()) {
      throw conflict(`a source named "${input.name}" already exists`);
    }
    const now = ctx.clock.now();
    const row = await tx
      .insertInto('opinion_sources')
      .values({
        name: input.name,
        kind: input.kind,
        url: input.kind === 'feed' ? input.url! : (input.url ?? null),
        poll_seconds: input.pollSeconds,
        enabled: input.enabled,
        token: input.kind === 'push' ? newToken() : null,
        next_poll_at: input.kind === 'feed' && input.enabled ? now : null,
        created_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const source = toSource(row, true);
    record({ type: SOURCE_EVENT, actorId: actor.id, userIds: await opinionWatchers(tx), payload: { source: { ...source, token: null } } });
    return source;
  });
}

export async function patchSource(ctx: AppContext, actor: Actor, id: number, input: z.infer<typeof patchSourceSchema>): Promise<OpinionSource> {
  requireRole(actor, 'analyst');
  return transact(ctx, async (tx, record) => {
    const row = await tx.selectFrom('opinion_sources').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) throw notFound('source');
    if (input.url && row.kind !== 'feed') throw new DomainError('invalid', 'url: only a feed source has a URL to poll', 'url');
    const enabling = input.enabled === true && !row.enabled;
    const updated = await tx
      .updateTable('opinion_sources')
      .set({
        ...(input.name !== undefined && { name: input.name }),
        ...(input.url !== undefined && { url: input.url, etag: null, last_modified: null }),
        ...(input.pollSeconds !== undefined && { poll_seconds: input.pollSeconds }),
        ...(input.enabled !== undefined && { enabled: input.enabled }),
        ...(input.rotateToken && row.kind === 'push' && { token: newToken() }),
        ...((enabling || input.url !== undefined) && row.kind === 'feed' && { next_poll_at: ctx.clock.now(), failures: 0 }),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const source = toSource(updated, true);
    record({ type: SOURCE_EVENT, actorId: actor.id, userIds: await opinionWatchers(tx), payload: { source: { ...source, token: null } } });
    return source;
  });
}

export async function sourceByToken(ctx: AppContext, token: string) {
  if (!token || token.length < 16) return null;
  return ctx.db.selectFrom('opinion_sources').select(['id', 'kind', 'enabled']).where('token', '=', token).where('kind', '=', 'push').executeTakeFirst();
}

/** The source manual entries go to when none is named: created on first use. */
export async function manualSourceId(ctx: AppContext): Promise<number> {
  const name = '人工录入';
  const found = await ctx.db.selectFrom('opinion_sources').select('id').where('kind', '=', 'manual').orderBy('id').executeTakeFirst();
  if (found) return found.id;
  const row = await ctx.db
    .insertInto('opinion_sources')
    .values({ name, kind: 'manual', url: null, poll_seconds: 300, enabled: true, token: null, created_at: ctx.clock.now() })
    .onConflict((oc) => oc.column('name').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? (await ctx.db.selectFrom('opinion_sources').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;
}
