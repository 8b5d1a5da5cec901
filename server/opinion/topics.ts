// Analysts' topic keyword rules (explainable: the rule and the words that matched are stored on each item).
import type { z } from 'zod';
import type { OpinionTopic, patchTopicSchema, topicSchema } from '../../shared/opinion.ts';
import type { AppContext } from '../context.ts';
import { transact } from '../db/transact.ts';
import { requireRole, type Actor } from '../auth/actor.ts';
import { conflict, notFound } from '../errors.ts';
import { toTopic } from './mapper.ts';
import { opinionWatchers } from './audience.ts';

export const TOPIC_EVENT = 'opinion.topic';

export async function listTopics(ctx: AppContext, actor: Actor): Promise<OpinionTopic[]> {
  requireRole(actor, 'analyst', 'leader');
  return (await ctx.db.selectFrom('opinion_topics').selectAll().orderBy('id').execute()).map(toTopic);
}

export async function createTopic(ctx: AppContext, actor: Actor, input: z.infer<typeof topicSchema>): Promise<OpinionTopic> {
  requireRole(actor, 'analyst');
  return transact(ctx, async (tx, record) => {
    if (await tx.selectFrom('opinion_topics').select('id').where('name', '=', input.name).executeTakeFirst()) {
      throw conflict(`a topic named "${input.name}" already exists`);
    }
    const now = ctx.clock.now();
    const row = await tx
      .insertInto('opinion_topics')
      .values({ name: input.name, keywords: input.keywords, excludes: input.excludes, enabled: input.enabled, created_at: now, updated_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
    const topic = toTopic(row);
    record({ type: TOPIC_EVENT, actorId: actor.id, userIds: await opinionWatchers(tx), payload: { topic } });
    return topic;
  });
}

export async function patchTopic(ctx: AppContext, actor: Actor, id: number, input: z.infer<typeof patchTopicSchema>): Promise<OpinionTopic> {
  requireRole(actor, 'analyst');
  return transact(ctx, async (tx, record) => {
    const row = await tx.selectFrom('opinion_topics').select('id').where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) throw notFound('topic');
    if (input.name && (await tx.selectFrom('opinion_topics').select('id').where('name', '=', input.name).where('id', '!=', id).executeTakeFirst())) {
      throw conflict(`a topic named "${input.name}" already exists`);
    }
    const updated = await tx
      .updateTable('opinion_topics')
      .set({ ...input, updated_at: ctx.clock.now() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const topic = toTopic(updated);
    record({ type: TOPIC_EVENT, actorId: actor.id, userIds: await opinionWatchers(tx), payload: { topic } });
    return topic;
  });
}
