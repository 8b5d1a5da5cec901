import { sql, type Kysely } from 'kysely';

const statements = [
  `create table releases (
     id serial primary key,
     incident_id integer not null references incidents(id),
     kind text not null check (kind in ('initial','update','clarification','correction')),
     title text not null,
     body text not null,
     status text not null default 'draft'
       check (status in ('draft','in_review','approved','scheduled','published','retracted')),
     version integer not null default 1,
     opinion_item_ids integer[] not null default '{}',
     corrects_release_id integer references releases(id),
     publish_at timestamptz,
     published_at timestamptz,
     retracted_at timestamptz,
     retract_reason text,
     created_by integer not null references users(id),
     created_at timestamptz not null,
     updated_at timestamptz not null)`,
  `create index releases_incident on releases (incident_id, id)`,
  `create index releases_public on releases (published_at desc) where status in ('published', 'retracted')`,
  `create table release_revisions (
     id serial primary key,
     release_id integer not null references releases(id),
     version integer not null,
     title text not null,
     body text not null,
     edited_by integer not null references users(id),
     edited_at timestamptz not null,
     unique (release_id, version))`,
  `create table release_reviews (
     id serial primary key,
     release_id integer not null references releases(id),
     version integer not null,
     reviewer_id integer not null references users(id),
     department_id integer not null references departments(id),
     as_coordinating boolean not null,
     decision text not null check (decision in ('approved','rejected')),
     comment text not null default '',
     checklist jsonb not null,
     at timestamptz not null)`,
  `create index release_reviews_release on release_reviews (release_id, id)`,
  `create table conferences (
     id serial primary key,
     incident_id integer not null references incidents(id),
     scheduled_at timestamptz not null,
     venue text not null,
     notes text not null default '',
     spokesperson_ids integer[] not null default '{}',
     department_ids integer[] not null default '{}',
     talking_points jsonb not null default '[]',
     status text not null default 'planned' check (status in ('planned','held','cancelled')),
     held_at timestamptz,
     summary text not null default '',
     cancel_reason text,
     version integer not null default 1,
     created_by integer not null references users(id),
     created_at timestamptz not null)`,
  `create index conferences_incident on conferences (incident_id)`,
  `create table channels (
     id serial primary key,
     name text not null unique,
     url text not null,
     secret text not null,
     enabled boolean not null default true,
     created_at timestamptz not null)`,
  `create table deliveries (
     id bigserial primary key,
     channel_id integer not null references channels(id),
     release_id integer not null references releases(id),
     action text not null check (action in ('published','retracted')),
     status text not null default 'pending' check (status in ('pending','delivered','failed')),
     attempts integer not null default 0,
     last_status integer,
     last_error text,
     next_attempt_at timestamptz not null,
     leased_until timestamptz,
     delivered_at timestamptz,
     created_at timestamptz not null,
     unique (channel_id, release_id, action))`,
  `create index deliveries_release on deliveries (release_id)`,
  `create index deliveries_due on deliveries (next_attempt_at) where status = 'pending'`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(): Promise<void> {
  throw new Error('not reversible');
}
