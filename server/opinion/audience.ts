// Who hears opinion events: analysts and leaders (public opinion is their work), plus the departments it concerns.
import { sql } from 'kysely';
import type { Tx } from '../audit/event-log.ts';
import type { Database } from '../db/connect.ts';

export async function opinionWatchers(db: Tx | Database): Promise<number[]> {
  const rows = await db
    .selectFrom('users')
    .select('id')
    .where(sql<boolean>`users.roles && array['analyst','leader']::text[]`)
    .execute();
  return rows.map((r) => r.id);
}
