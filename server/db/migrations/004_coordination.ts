// Coordination: the task workflow (open → acked → in_progress → done, escalated once when overdue), the incident
// room's comments with resolved @mentions, and the in-app notification centre (one row per user and event).
import { sql, type Kysely } from 'kysely';

const statements = [
  // Existing rows (none are written before this migration) keep their status; it is now checked.
  `alter table tasks
     add column from_department_id integer references departments(id),
     add column acked_by integer references users(id),
     add column started_at timestamptz,
     add column started_by integer references users(id),
     add column done_by integer references users(id),
     add column escalated_at timestamptz`,
  `alter table tasks add constraint tasks_status check (status in ('open','acked','in_progress','done'))`,
  `create index tasks_incident on tasks (incident_id, id)`,
  `create index tasks_inbox on tasks (department_id, id desc)`,
  `create table comments (
     id serial primary key,
     incident_id integer not null references incidents(id),
     author_id integer not null references users(id),
     body text not null,
     mentions jsonb not null default '{"userIds":[],"departmentIds":[],"spans":[]}',
     created_at timestamptz not null)`,
  `create index comments_incident on comments (incident_id, id)`,
  `create table notifications (
     id bigserial primary key,
     user_id integer not null references users(id) on delete cascade,
     event_id bigint not null references events(id),
     created_at timestamptz not null,
     read_at timestamptz,
     unique (user_id, event_id))`,
  `create index notifications_user on notifications (user_id, id desc)`,
  `create index notifications_unread on notifications (user_id) where read_at is null`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    'drop table notifications',
    'drop table comments',
    'drop index tasks_inbox',
    'drop index tasks_incident',
    'alter table tasks drop constraint tasks_status',
    `alter table tasks drop column from_department_id, drop column acked_by, drop column started_at, drop column started_by,
       drop column done_by, drop column escalated_at`,
  ]) {
    await sql.raw(statement).execute(db);
  }
}
