import { sql, type Kysely } from 'kysely';
import { DEFAULT_POLICY_RULES } from '../../deadlines/policy.ts';

const statements = [
  `create table departments (
     id serial primary key,
     name text not null unique,
     coordinating boolean not null default false,
     created_at timestamptz not null default now())`,
  `create table users (
     id serial primary key,
     login text not null unique,
     name text not null,
     password_hash text not null,
     department_id integer not null references departments(id),
     roles text[] not null,
     created_at timestamptz not null default now())`,
  `create table sessions (
     id text primary key,
     user_id integer not null references users(id) on delete cascade,
     created_at timestamptz not null,
     expires_at timestamptz not null)`,
  `create table deadline_policies (
     version serial primary key,
     rules jsonb not null,
     note text not null default '',
     created_by integer references users(id),
     created_at timestamptz not null default now())`,
  `create table incidents (
     id serial primary key,
     title text not null,
     summary text not null default '',
     category text not null,
     severity text not null check (severity in ('I','II','III','IV')),
     status text not null default 'open' check (status in ('open','closed')),
     occurred_at timestamptz not null,
     reported_at timestamptz not null,
     location text not null default '',
     lead_department_id integer not null references departments(id),
     spokesperson_id integer references users(id),
     deaths integer not null default 0,
     injured integer not null default 0,
     missing integer not null default 0,
     significant_impact boolean not null default false,
     sensitive boolean not null default false,
     keywords text[] not null default '{}',
     logged_late boolean not null default false,
     version integer not null default 1,
     created_by integer not null references users(id),
     updated_at timestamptz not null,
     closed_at timestamptz)`,
  `create index incidents_open on incidents (status, lead_department_id)`,
  `create table deadlines (
     id serial primary key,
     incident_id integer references incidents(id),
     opinion_item_id integer,
     kind text not null,
     due_at timestamptz not null,
     status text not null default 'pending' check (status in ('pending','met','missed','waived')),
     met_at timestamptz,
     waived_at timestamptz,
     waived_by integer references users(id),
     waive_reason text,
     warnings_sent integer[] not null default '{}',
     policy_version integer not null references deadline_policies(version),
     created_at timestamptz not null)`,
  `create unique index deadlines_once_per_incident on deadlines (incident_id, kind)
     where kind in ('first_release', 'press_conference')`,
  `create index deadlines_incident on deadlines (incident_id)`,
  `create table timers (
     id bigserial primary key,
     kind text not null,
     ref_id integer not null,
     run_at timestamptz not null,
     payload jsonb not null default '{}',
     fired_at timestamptz,
     created_at timestamptz not null)`,
  `create index timers_due on timers (run_at) where fired_at is null`,
  `create index timers_ref on timers (kind, ref_id) where fired_at is null`,
  `create table events (
     id bigserial primary key,
     type text not null,
     at timestamptz not null,
     incident_id integer,
     actor_id integer,
     dept_ids integer[] not null default '{}',
     user_ids integer[] not null default '{}',
     is_public boolean not null default false,
     payload jsonb not null,
     hash text not null)`,
  `create index events_incident on events (incident_id, id)`,
  `create table event_chain (id integer primary key, last_id bigint not null, last_hash text not null)`,
  `insert into event_chain (id, last_id, last_hash) values (1, 0, '')`,
  `create table tasks (
     id serial primary key,
     incident_id integer not null references incidents(id),
     department_id integer not null references departments(id),
     title text not null,
     detail text not null default '',
     status text not null default 'open',
     due_at timestamptz,
     created_by integer not null references users(id),
     created_at timestamptz not null,
     acked_at timestamptz,
     done_at timestamptz,
     version integer not null default 1)`,
  `create index tasks_department on tasks (department_id, incident_id)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
  await sql`insert into deadline_policies (rules, note) values (${JSON.stringify(DEFAULT_POLICY_RULES)}, 'default policy')`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('the foundation migration is not reversible');
}
