// The in-app notification centre. Rows are written by the event log itself (EventDraft.notify: one row per user the
// event is addressed to personally, in the event's transaction); here they are listed and marked read. Reading is
// personal state, not an event: it writes no event-log row and sends nothing over the socket.
import type { Notification } from '../../shared/coordination.ts';
import type { AppContext } from '../context.ts';
import type { Actor } from '../auth/actor.ts';
import { toWireEvent } from '../audit/event-log.ts';
import { notFound } from '../errors.ts';

function notificationQuery(ctx: AppContext, actor: Actor) {
  return ctx.db
    .selectFrom('notifications')
    .innerJoin('events', 'events.id', 'notifications.event_id')
    .select([
      'notifications.id',
      'notifications.read_at',
      'events.id as event_id',
      'events.type',
      'events.at',
      'events.incident_id',
      'events.payload',
    ])
    .where('notifications.user_id', '=', actor.id);
}

type Row = Awaited<ReturnType<ReturnType<typeof notificationQuery>['execute']>>[number];

function toNotification(r: Row): Notification {
  return {
    id: String(r.id),
    event: toWireEvent({ id: r.event_id, type: r.type, at: r.at, incidentId: r.incident_id, payload: r.payload as Record<string, unknown> }),
    readAt: r.read_at ? r.read_at.toISOString() : null,
  };
}

export async function unreadCount(ctx: AppContext, actor: Actor): Promise<number> {
  const row = await ctx.db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', actor.id)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Newest first; `before` pages back by id. */
export async function listNotifications(
  ctx: AppContext,
  actor: Actor,
  opts: { unreadOnly: boolean; limit: number; before?: number },
): Promise<{ items: Notification[]; unread: number }> {
  let query = notificationQuery(ctx, actor);
  if (opts.unreadOnly) query = query.where('notifications.read_at', 'is', null);
  if (opts.before !== undefined) query = query.where('notifications.id', '<', opts.before);
  const rows = await query.orderBy('notifications.id', 'desc').limit(opts.limit).execute();
  return { items: rows.map(toNotification), unread: await unreadCount(ctx, actor) };
}

/** Marks one of my notifications read (again is harmless: the first read time stays). Someone else's is 404. */
export async function markRead(ctx: AppContext, actor: Actor, id: number): Promise<{ notification: Notification; unread: number }> {
  await ctx.db
    .updateTable('notifications')
    .set({ read_at: ctx.clock.now() })
    .where('id', '=', id)
    .where('user_id', '=', actor.id)
    .where('read_at', 'is', null)
    .execute();
  const row = await notificationQuery(ctx, actor).where('notifications.id', '=', id).executeTakeFirst();
  if (!row) throw notFound('notification');
  return { notification: toNotification(row), unread: await unreadCount(ctx, actor) };
}

export async function markAllRead(ctx: AppContext, actor: Actor): Promise<{ marked: number; unread: number }> {
  const result = await ctx.db
    .updateTable('notifications')
    .set({ read_at: ctx.clock.now() })
    .where('user_id', '=', actor.id)
    .where('read_at', 'is', null)
    .executeTakeFirst();
  return { marked: Number(result.numUpdatedRows), unread: await unreadCount(ctx, actor) };
}
