// Outbound channels (webhooks) and their delivery log. Admins configure channels; the release service enqueues
// one delivery per enabled channel inside its publish/retract transaction; the DeliveryWorker sends them.
import { sql } from 'kysely';
import type { AppContext } from '../context.ts';
import type { Actor } from '../auth/actor.ts';
import type { Tx } from '../audit/event-log.ts';
import type { Database } from '../db/connect.ts';
import { transact, type RecordEvent } from '../db/transact.ts';
import { conflict, notFound } from '../errors.ts';
import { visibleTo } from '../incidents/visibility.ts';
import { toChannel, toDelivery, type Channel, type ChannelRow, type Delivery } from './mapper.ts';
import type { CreateChannelInput, PatchChannelInput } from './schemas.ts';
import { generateSecret } from './signature.ts';

export const CHANNEL_EVENT = {
  created: 'channel.created',
  updated: 'channel.updated',
} as const;

/** The event each delivery outcome writes (payload `{delivery, releaseId, channelName}`). */
export const DELIVERY_EVENT = 'release.delivery';

export type DeliveryAction = 'published' | 'retracted';

/**
 * Called by the release service inside its publish/retract transaction: one pending delivery per enabled channel,
 * due at once. A retried publish or retract never doubles them (unique channel+release+action). Returns how many
 * were added.
 */
export async function enqueueDeliveries(tx: Tx, input: { releaseId: number; action: DeliveryAction; now: Date }): Promise<number> {
  const channels = await tx.selectFrom('channels').select('id').where('enabled', '=', true).orderBy('id').execute();
  if (channels.length === 0) return 0;
  const added = await tx
    .insertInto('deliveries')
    .values(
      channels.map((c) => ({
        channel_id: c.id,
        release_id: input.releaseId,
        action: input.action,
        status: 'pending' as const,
        attempts: 0,
        next_attempt_at: input.now,
        created_at: input.now,
      })),
    )
    .onConflict((oc) => oc.columns(['channel_id', 'release_id', 'action']).doNothing())
    .returning('id')
    .execute();
  return added.length;
}

async function channelStats(db: Database | Tx, ids: number[]) {
  const stats = new Map<number, { pending: number; failed: number; lastDeliveredAt: Date | null }>();
  for (const id of ids) stats.set(id, { pending: 0, failed: 0, lastDeliveredAt: null });
  if (ids.length === 0) return stats;
  const rows = await db
    .selectFrom('deliveries')
    .select((eb) => [
      'channel_id',
      sql<number>`count(*) filter (where status = 'pending')`.as('pending'),
      sql<number>`count(*) filter (where status = 'failed')`.as('failed'),
      eb.fn.max('delivered_at').as('last_delivered_at'),
    ])
    .where('channel_id', 'in', ids)
    .groupBy('channel_id')
    .execute();
  for (const r of rows) {
    stats.set(r.channel_id, {
      pending: Number(r.pending),
      failed: Number(r.failed),
      lastDeliveredAt: r.last_delivered_at ? new Date(r.last_delivered_at as Date) : null,
    });
  }
  return stats;
}

async function withStats(db: Database | Tx, row: ChannelRow): Promise<Channel> {
  const stats = await channelStats(db, [row.id]);
  return toChannel(row, stats.get(row.id)!);
}

export async function listChannels(ctx: AppContext): Promise<Channel[]> {
  const rows = await ctx.db.selectFrom('channels').selectAll().orderBy('id').execute();
  const stats = await channelStats(
    ctx.db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => toChannel(r, stats.get(r.id)!));
}

/** Channel configuration is audited, but only admins get the events (a URL may carry a gateway key). */
async function adminIds(tx: Tx): Promise<number[]> {
  const rows = await tx.selectFrom('users').select('id').where(sql<boolean>`'admin' = any(roles)`).execute();
  return rows.map((r) => r.id);
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}

async function assertNameFree(tx: Tx, name: string, exceptId?: number): Promise<void> {
  let q = tx.selectFrom('channels').select('id').where('name', '=', name);
  if (exceptId !== undefined) q = q.where('id', '<>', exceptId);
  if (await q.executeTakeFirst()) throw conflict(`a channel named "${name}" already exists`);
}

async function recordChannel(tx: Tx, record: RecordEvent, type: string, actor: Actor, channel: Channel, extra = {}) {
  record({ type, actorId: actor.id, userIds: await adminIds(tx), payload: { channel, ...extra } });
}

/** Creates a channel; the secret (given or generated) is returned this once and never shown again. */
export async function createChannel(ctx: AppContext, actor: Actor, input: CreateChannelInput): Promise<{ channel: Channel; secret: string }> {
  const secret = input.secret ?? generateSecret();
  try {
    return await transact(ctx, async (tx, record) => {
      await assertNameFree(tx, input.name);
      const row = await tx
        .insertInto('channels')
        .values({ name: input.name, url: input.url, secret, enabled: input.enabled, created_at: ctx.clock.now() })
        .returningAll()
        .executeTakeFirstOrThrow();
      const channel = await withStats(tx, row);
      await recordChannel(tx, record, CHANNEL_EVENT.created, actor, channel);
      return { channel, secret };
    });
  } catch (err) {
    // Two admins creating the same name at once: the unique index decides, the loser gets a 409.
    if (isUniqueViolation(err)) throw conflict(`a channel named "${input.name}" already exists`);
    throw err;
  }
}

/** Edits a channel. With `rotateSecret` (or a new `secret`) the response carries the new secret, once. */
export async function patchChannel(
  ctx: AppContext,
  actor: Actor,
  id: number,
  input: PatchChannelInput,
): Promise<{ channel: Channel; secret?: string }> {
  const newSecret = input.rotateSecret ? generateSecret() : input.secret;
  try {
    return await transact(ctx, async (tx, record) => {
      const current = await tx.selectFrom('channels').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      if (!current) throw notFound('channel');
      if (input.name !== undefined) await assertNameFree(tx, input.name, id);
      const changes: Partial<Pick<ChannelRow, 'name' | 'url' | 'enabled' | 'secret'>> = {};
      if (input.name !== undefined && input.name !== current.name) changes.name = input.name;
      if (input.url !== undefined && input.url !== current.url) changes.url = input.url;
      if (input.enabled !== undefined && input.enabled !== current.enabled) changes.enabled = input.enabled;
      if (newSecret !== undefined) changes.secret = newSecret;
      const row =
        Object.keys(changes).length === 0
          ? current
          : await tx.updateTable('channels').set(changes).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
      const channel = await withStats(tx, row);
      if (Object.keys(changes).length > 0) {
        await recordChannel(tx, record, CHANNEL_EVENT.updated, actor, channel, { changed: Object.keys(changes) });
      }
      return newSecret !== undefined ? { channel, secret: newSecret } : { channel };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`a channel named "${input.name}" already exists`);
    throw err;
  }
}

/** The delivery log of a release, for anyone who may see its incident (404 otherwise, as if it did not exist). */
export async function listDeliveries(ctx: AppContext, actor: Actor, releaseId: number): Promise<Delivery[]> {
  const release = await ctx.db
    .selectFrom('releases')
    .innerJoin('incidents', 'incidents.id', 'releases.incident_id')
    .select('releases.id')
    .where('releases.id', '=', releaseId)
    .where(visibleTo(actor))
    .executeTakeFirst();
  if (!release) throw notFound('release');
  const rows = await ctx.db
    .selectFrom('deliveries')
    .innerJoin('channels', 'channels.id', 'deliveries.channel_id')
    .selectAll('deliveries')
    .select('channels.name as channel_name')
    .where('deliveries.release_id', '=', releaseId)
    .orderBy('deliveries.id')
    .execute();
  return rows.map(({ channel_name, ...r }) => toDelivery(r, channel_name));
}
