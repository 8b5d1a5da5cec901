// Ingest: 20,000 feed items through parse → dedupe → understand → store, on PGlite and on PostgreSQL, beside the
// parse-only rate of the same feeds in the same run. Goal: the whole pipeline ≥ 1,000 items/s on PostgreSQL.
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { createBeacon } from '../../server/beacon.ts';
import { ingestItems } from '../../server/opinion/ingest.ts';
import { parseFeed } from '../../server/opinion/fetch/parse-feed.ts';
import { opinionRuntime } from '../../server/opinion/runtime.ts';
import { benchDatabases, table, type Bench } from './bench.ts';

const TOTAL = Number(process.env.BENCH_ITEMS ?? 20_000);
const PER_FEED = 200;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Feeds of realistic Chinese posts (the labelled set, varied so every item is distinct). */
function feeds(): string[] {
  const posts = readFileSync(new URL('../fixtures/opinion/labelled.jsonl', import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { text: string }).text);
  const out: string[] = [];
  for (let f = 0; f < TOTAL / PER_FEED; f++) {
    const items = [];
    for (let i = 0; i < PER_FEED; i++) {
      const n = f * PER_FEED + i;
      const text = `${posts[n % posts.length]}（第${n}条，${['城东', '滨江', '高新区', '老城'][n % 4]}网友${n % 997}）`;
      items.push(`<item><guid>post-${n}</guid><title>${esc(text.slice(0, 20))}</title><link>https://bbs.example.cn/t/${n}</link><description>${esc(text)}</description><pubDate>Sun, 22 Nov 2026 02:30:00 GMT</pubDate></item>`);
    }
    out.push(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>论坛${f}</title><link>https://bbs.example.cn/</link><description>d</description>${items.join('')}</channel></rss>`);
  }
  return out;
}

const bench: Bench = {
  name: 'ingest',
  description: `${TOTAL} items: parse → dedupe → segment, sentiment, rules, classifier, incident links, SimHash → store`,
  async run() {
    const xml = feeds();
    const parsed = [];
    const t0 = performance.now();
    for (const doc of xml) parsed.push(await parseFeed(doc));
    const parseRate = TOTAL / ((performance.now() - t0) / 1000);
    const rows: (string | number)[][] = [];
    let ok = true;
    for (const db of benchDatabases()) {
      const testDb = await db.open();
      const beacon = await createBeacon({ handle: testDb.handle, log: pino({ level: 'silent' }), runScheduler: false });
      await opinionRuntime(beacon.ctx); // the segmenter loads once per process, not per item
      const source = await beacon.ctx.db
        .insertInto('opinion_sources')
        .values({ name: 'bench', kind: 'feed', url: 'https://bbs.example.cn/rss', poll_seconds: 300, enabled: false, created_at: new Date() })
        .returning('id')
        .executeTakeFirstOrThrow();
      await beacon.ctx.db
        .insertInto('opinion_topics')
        .values([
          { name: '安全生产', keywords: ['爆炸', '化工', '泄漏'], excludes: ['演练'], enabled: true, created_at: new Date(), updated_at: new Date() },
          { name: '暴雨交通', keywords: ['暴雨', '积水', '内涝', '地铁'], excludes: [], enabled: true, created_at: new Date(), updated_at: new Date() },
        ])
        .execute();
      const started = performance.now();
      let added = 0;
      for (const feed of parsed) {
        const items = feed.items.map((i) => ({
          externalId: i.guid ?? undefined,
          title: i.title ?? undefined,
          content: i.content ?? '',
          url: i.link ?? undefined,
          publishedAt: i.publishedAt ?? undefined,
        }));
        added += (await ingestItems(beacon.ctx, source.id, items)).added;
      }
      const seconds = (performance.now() - started) / 1000;
      // A second pass over the same feeds must add nothing.
      const again = await ingestItems(beacon.ctx, source.id, parsed[0].items.map((i) => ({ externalId: i.guid ?? undefined, content: i.content ?? '', url: i.link ?? undefined })));
      const stored = Number((await beacon.ctx.db.selectFrom('opinion_items').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      const correct = added === TOTAL && stored === TOTAL && again.added === 0;
      ok &&= correct;
      rows.push([db.kind, TOTAL, stored, correct ? 'yes' : 'NO', Math.round(TOTAL / seconds), Math.round(parseRate), seconds.toFixed(1)]);
      await beacon.stop();
      await testDb.handle.close();
      await testDb.drop();
    }
    console.log(table(['db', 'items', 'stored', 'no dupes/losses', 'pipeline items/s', 'parse-only items/s (same run)', 'seconds'], rows));
    return { ok };
  },
};

export default bench;
