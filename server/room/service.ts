// The incident room: comments with resolved @mentions (the mentioned get the comment personally and in their
// notification centre), and who is looking at the incident now.
import type { Comment, MentionSpan, PresenceUser } from '../../shared/coordination.ts';
import { COMMENT_EVENT } from '../../shared/coordination.ts';
import type { AppContext } from '../context.ts';
import type { Tx } from '../audit/event-log.ts';
import type { Database } from '../db/connect.ts';
import { transact } from '../db/transact.ts';
import type { Actor } from '../auth/actor.ts';
import { notFound } from '../errors.ts';
import { incidentAudience, visibleTo } from '../incidents/visibility.ts';
import { findMentions, type MentionTarget } from './mentions.ts';
import { presenceOf } from './presence.ts';

type Db = Pick<Tx, 'selectFrom'> | Database;

interface StoredMentions {
  userIds: number[];
  departmentIds: number[];
  spans: { start: number; length: number; kind: 'user' | 'department'; id: number }[];
}

interface CommentRow {
  id: number;
  incident_id: number;
  author_id: number;
  body: string;
  mentions: unknown;
  created_at: Date;
  author_name: string;
  author_department_id: number;
}

/** A mention that was recognised but not kept: the person or department cannot see this incident. */
export interface UnreachableMention {
  kind: 'user' | 'department';
  id: string;
  name: string;
}

async function visibleIncident(db: Db, actor: Actor, incidentId: number) {
  const row = await db
    .selectFrom('incidents')
    .select(['id', 'title', 'status', 'lead_department_id'])
    .where('id', '=', incidentId)
    .where(visibleTo(actor))
    .executeTakeFirst();
  if (!row) throw notFound('incident');
  return row;
}

function commentQuery(db: Db) {
  return db
    .selectFrom('comments')
    .innerJoin('users', 'users.id', 'comments.author_id')
    .select([
      'comments.id',
      'comments.incident_id',
      'comments.author_id',
      'comments.body',
      'comments.mentions',
      'comments.created_at',
      'users.name as author_name',
      'users.department_id as author_department_id',
    ]);
}

/** Maps rows, looking up the current names of everyone and every department they mention. */
async function toComments(db: Db, rows: CommentRow[]): Promise<Comment[]> {
  const stored = rows.map((r) => r.mentions as StoredMentions);
  const userIds = [...new Set(stored.flatMap((m) => m.userIds))];
  const deptIds = [...new Set(stored.flatMap((m) => m.departmentIds))];
  const users = new Map(
    (userIds.length ? await db.selectFrom('users').select(['id', 'name']).where('id', 'in', userIds).execute() : []).map((u) => [u.id, u.name]),
  );
  const depts = new Map(
    (deptIds.length ? await db.selectFrom('departments').select(['id', 'name']).where('id', 'in', deptIds).execute() : []).map((d) => [d.id, d.name]),
  );
  return rows.map((r, i) => ({
    id: String(r.id),
    incidentId: String(r.incident_id),
    authorId: String(r.author_id),
    authorName: r.author_name,
    authorDepartmentId: String(r.author_department_id),
    body: r.body,
    mentions: {
      users: stored[i].userIds.map((id) => ({ id: String(id), name: users.get(id) ?? '' })),
      departments: stored[i].departmentIds.map((id) => ({ id: String(id), name: depts.get(id) ?? '' })),
      spans: stored[i].spans.map((s): MentionSpan => ({ ...s, id: String(s.id) })),
    },
    createdAt: r.created_at.toISOString(),
  }));
}

/** Comments of incidents, oldest first (the incident detail). */
export async function commentsOf(db: Db, incidentIds: number[], limit = 500): Promise<Comment[]> {
  if (incidentIds.length === 0) return [];
  const rows = await commentQuery(db).where('comments.incident_id', 'in', incidentIds).orderBy('comments.id', 'desc').limit(limit).execute();
  return toComments(db, rows.reverse());
}

/**
 * Posts a comment as anyone who may see the incident. Mentions of people and departments that may see it are
 * resolved and stored; the comment goes to the incident's audience, and personally (with a notification) to each
 * mentioned user and each member of a mentioned department. A mention of someone who may not see the incident is
 * left as plain text and reported back as unreachable (assign their department a task to bring them in).
 */
export async function createComment(
  ctx: AppContext,
  actor: Actor,
  incidentId: number,
  body: string,
): Promise<{ comment: Comment; unreachable: UnreachableMention[] }> {
  return transact(ctx, async (tx, record) => {
    const incident = await visibleIncident(tx, actor, incidentId);
    const audience = new Set(await incidentAudience(tx, incident.id, incident.lead_department_id));
    const users = await tx.selectFrom('users').select(['id', 'login', 'name', 'department_id']).execute();
    const departments = await tx.selectFrom('departments').select(['id', 'name']).execute();
    const targets: MentionTarget[] = [
      ...users.flatMap((u) => [
        { kind: 'user' as const, id: u.id, text: u.name },
        { kind: 'user' as const, id: u.id, text: u.login },
      ]),
      ...departments.map((d) => ({ kind: 'department' as const, id: d.id, text: d.name })),
    ];
    const userDept = new Map(users.map((u) => [u.id, u.department_id]));
    const found = findMentions(body, targets);
    const reachable = (m: { kind: 'user' | 'department'; id: number }) =>
      audience.has(m.kind === 'user' ? userDept.get(m.id)! : m.id);
    const kept = found.filter(reachable);
    const unreachable = new Map<string, UnreachableMention>();
    for (const m of found.filter((x) => !reachable(x))) {
      const name = m.kind === 'user' ? users.find((u) => u.id === m.id)!.name : departments.find((d) => d.id === m.id)!.name;
      unreachable.set(`${m.kind}:${m.id}`, { kind: m.kind, id: String(m.id), name });
    }
    const mentions: StoredMentions = {
      userIds: [...new Set(kept.filter((m) => m.kind === 'user').map((m) => m.id))],
      departmentIds: [...new Set(kept.filter((m) => m.kind === 'department').map((m) => m.id))],
      spans: kept.map((m) => ({ start: m.start, length: m.length, kind: m.kind, id: m.id })),
    };
    const row = await tx
      .insertInto('comments')
      .values({ incident_id: incident.id, author_id: actor.id, body, mentions: JSON.stringify(mentions), created_at: ctx.clock.now() })
      .returning('id')
      .executeTakeFirstOrThrow();
    const [comment] = await toComments(tx, [await commentQuery(tx).where('comments.id', '=', row.id).executeTakeFirstOrThrow()]);
    const addressed = [
      ...mentions.userIds,
      ...users.filter((u) => mentions.departmentIds.includes(u.department_id)).map((u) => u.id),
    ];
    record({
      type: COMMENT_EVENT.created,
      incidentId: incident.id,
      actorId: actor.id,
      deptIds: [...audience],
      userIds: addressed,
      notify: true,
      payload: { comment, incidentTitle: incident.title, by: actor.name },
    });
    return { comment, unreachable: [...unreachable.values()] };
  });
}

export async function listComments(ctx: AppContext, actor: Actor, incidentId: number, opts: { limit: number; after?: number }): Promise<Comment[]> {
  await visibleIncident(ctx.db, actor, incidentId);
  let query = commentQuery(ctx.db).where('comments.incident_id', '=', incidentId);
  if (opts.after !== undefined) {
    const rows = await query.where('comments.id', '>', opts.after).orderBy('comments.id').limit(opts.limit).execute();
    return toComments(ctx.db, rows);
  }
  const rows = await query.orderBy('comments.id', 'desc').limit(opts.limit).execute();
  return toComments(ctx.db, rows.reverse());
}

/** Who is watching the incident now (in this process). */
export async function incidentPresence(ctx: AppContext, actor: Actor, incidentId: number): Promise<PresenceUser[]> {
  await visibleIncident(ctx.db, actor, incidentId);
  return presenceOf(ctx).users(incidentId);
}
