// Appending to and reading the event log. Appends happen inside the caller's transaction.
import { sql, type Transaction } from 'kysely';
import type { BeaconEvent } from '../../shared/domain.ts';
import type { DB } from '../db/schema.ts';
import type { Database } from '../db/connect.ts';
import { eventHash } from './hash.ts';

export type Tx = Transaction<DB>;

export interface EventDraft {
  type: string;
  incidentId?: number | null;
  actorId?: number | null;
  /** Departments whose members may see it (for incident events: lead, task holders, coordinating). */
  deptIds?: number[];
  /** Users who must get it personally (escalations, mentions). */
  userIds?: number[];
  /** Visible to everyone signed in. */
  isPublic?: boolean;
  /**
   * Also file it in the notification centre of each of `userIds` (except the actor): one `notifications` row per
   * user, written in the same transaction (mentions, task assignments and escalations, missed clocks, reviews).
   */
  notify?: boolean;
  payload: Record<string, unknown>;
}

export interface EventRow {
  id: number;
  type: string;
  at: Date;
  incidentId: number | null;
  actorId: number | null;
  deptIds: number[];
  userIds: number[];
  isPublic: boolean;
  payload: Record<string, unknown>;
}

/** Appends events after the chain head, which it locks: appends are serialised, ids and hashes ascend together. */
export async function appendEvents(tx: Tx, drafts: EventDraft[], at: Date): Promise<EventRow[]> {
  if (drafts.length === 0) return [];
  const head = await tx.selectFrom('event_chain').selectAll().where('id', '=', 1).forUpdate().executeTakeFirstOrThrow();
  const ids = await sql<{ id: number }>`select nextval(pg_get_serial_sequence('events', 'id'))::int8 as id
    from generate_series(1, ${drafts.length})`.execute(tx);
  let prevHash = head.last_hash;
  const rows: (EventRow & { hash: string })[] = drafts.map((d, i) => {
    const row: EventRow = {
      id: ids.rows[i].id,
      type: d.type,
      at,
      incidentId: d.incidentId ?? null,
      actorId: d.actorId ?? null,
      deptIds: [...new Set(d.deptIds ?? [])].sort((a, b) => a - b),
      userIds: [...new Set(d.userIds ?? [])].sort((a, b) => a - b),
      isPublic: d.isPublic ?? false,
      payload: JSON.parse(JSON.stringify(d.payload)),
    };
    prevHash = eventHash(prevHash, row);
    return { ...row, hash: prevHash };
  });
  rows.sort((a, b) => a.id - b.id);
  for (let i = 0; i < rows.length; i += 500) {
    await tx
      .insertInto('events')
      .values(
        rows.slice(i, i + 500).map((r) => ({
          id: r.id,
          type: r.type,
          at: r.at,
          incident_id: r.incidentId,
          actor_id: r.actorId,
          dept_ids: r.deptIds,
          user_ids: r.userIds,
          is_public: r.isPublic,
          payload: JSON.stringify(r.payload),
          hash: r.hash,
        })),
      )
      .execute();
  }
  // Draft i got id ids.rows[i].id (rows were sorted by id since).
  const notifications: { user_id: number; event_id: number; created_at: Date }[] = [];
  drafts.forEach((d, i) => {
    if (!d.notify) return;
    const eventId = ids.rows[i].id;
    for (const userId of new Set(d.userIds ?? [])) if (userId !== d.actorId) notifications.push({ user_id: userId, event_id: eventId, created_at: at });
  });
  if (notifications.length) await tx.insertInto('notifications').values(notifications).execute();
  const last = rows[rows.length - 1];
  await tx.updateTable('event_chain').set({ last_id: last.id, last_hash: last.hash }).where('id', '=', 1).execute();
  return rows.map(({ hash: _hash, ...row }) => row);
}

export function toWireEvent(row: Pick<EventRow, 'id' | 'type' | 'at' | 'incidentId' | 'payload'>): BeaconEvent {
  return {
    id: String(row.id),
    type: row.type,
    at: row.at.toISOString(),
    incidentId: row.incidentId === null ? null : String(row.incidentId),
    payload: row.payload,
  };
}

export interface Viewer {
  id: number;
  departmentId: number;
}

/** Events after `afterId` that the viewer may see, oldest first. */
export async function eventsAfter(db: Database, viewer: Viewer, afterId: number, limit: number): Promise<EventRow[]> {
  const rows = await db
    .selectFrom('events')
    .select(['id', 'type', 'at', 'incident_id', 'actor_id', 'dept_ids', 'user_ids', 'is_public', 'payload'])
    .where('id', '>', afterId)
    .where((eb) =>
      eb.or([
        eb('is_public', '=', true),
        sql<boolean>`${viewer.departmentId}::int = any(dept_ids)`,
        sql<boolean>`${viewer.id}::int = any(user_ids)`,
      ]),
    )
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    type: r.type,
    at: r.at,
    incidentId: r.incident_id,
    actorId: r.actor_id,
    deptIds: r.dept_ids,
    userIds: r.user_ids,
    isPublic: r.is_public,
    payload: r.payload as Record<string, unknown>,
  }));
}

export async function lastEventId(db: Database): Promise<number> {
  const head = await db.selectFrom('event_chain').select('last_id').where('id', '=', 1).executeTakeFirstOrThrow();
  return head.last_id;
}

/** Recomputes the chain from the first event: the first row whose hash does not match was tampered with. */
export async function verifyChain(db: Database): Promise<{ ok: boolean; checked: number; firstBadId?: string }> {
  let prevHash = '';
  let afterId = 0;
  let checked = 0;
  for (;;) {
    const batch = await db.selectFrom('events').selectAll().where('id', '>', afterId).orderBy('id').limit(2000).execute();
    if (batch.length === 0) break;
    for (const r of batch) {
      const expected = eventHash(prevHash, {
        id: r.id,
        type: r.type,
        at: r.at,
        incidentId: r.incident_id,
        actorId: r.actor_id,
        deptIds: r.dept_ids,
        userIds: r.user_ids,
        isPublic: r.is_public,
        payload: r.payload,
      });
      if (expected !== r.hash) return { ok: false, checked, firstBadId: String(r.id) };
      prevHash = r.hash;
      checked++;
      afterId = r.id;
    }
  }
  // Rows cut from the end leave the chain head pointing past the last row.
  const head = await db.selectFrom('event_chain').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
  if (head.last_id !== afterId || head.last_hash !== prevHash) return { ok: false, checked, firstBadId: String(head.last_id) };
  return { ok: true, checked };
}
