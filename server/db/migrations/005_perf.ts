// Performance: the dashboard's opinion strip counts the last 24 hours of opinion items, all of them and the negative
// ones (opinion/analysis.ts windowStats). `opinion_items_time` finds the rows, but the negative filter needs
// `sentiment_label`, so PostgreSQL visited the heap page of every row in the window: with 40,000 items in the last
// 24 h (test/bench/api.bench.ts) a bitmap heap scan over ~3,500 pages, 25–37 ms. With the label in the index the count
// is an index-only scan, 5–8 ms, and the dashboard's median over HTTP halves (coordinating leader 40 → 26 ms, line
// leader 23 → 10 ms). A plain CREATE INDEX (the migrator runs in a transaction) blocks writes to opinion_items while it
// builds: well under a second for 200,000 rows.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index opinion_items_window on opinion_items (fetched_at) include (sentiment_label)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index opinion_items_window`.execute(db);
}
