// A city's worth of history for the benchmarks, inserted in bulk (multi-row INSERTs, no services, no events): more
// line departments beside test/support/harness.ts's city, incidents over three years (the recent ones mostly
// open) with the statutory clocks of the major ones and tasks handed to other departments, opinion sources and
// opinion items (realistic rows: the labelled posts varied, tokens, topics, sentiment, hashes) with a share of them
// in the last 24 hours, and a few bursts. Deterministic: the same sizes give the same rows.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import type { Database } from '../../server/db/connect.ts';
import type { City } from '../support/harness.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;

export interface BulkOptions {
  incidents: number;
  opinionItems: number;
  /** Of the incidents, how many are open (the most recent ones, mostly). */
  openIncidents: number;
  /** Share of the opinion items fetched in the last 24 hours (the rest over `opinionDays`). */
  lastDayShare: number;
  opinionDays: number;
  now: Date;
  log?: (line: string) => void;
}

export interface BulkResult {
  departments: number;
  incidents: number;
  open: number;
  deadlines: number;
  tasks: number;
  opinionItems: number;
  lastDayItems: number;
  /** Incidents each line department sees (leads or holds a task on), for the emergency department. */
  emergencyVisible: number;
  emergencyOpen: number;
  ms: number;
}

const LINE_DEPARTMENTS = [
  '市交通运输局', '市水务局', '市住房和城乡建设局', '市生态环境局', '市教育局', '市市场监督管理局', '市气象局',
  '市消防救援支队', '市自然资源和规划局', '市城市管理局', '市民政局', '市农业农村局', '市商务局', '市文化广电旅游局', '市能源局',
];
const PLACES = ['城东化工园区', '滨江区', '高新区', '老城区', '北部新区', '南湖街道', '机场高速', '第三中学', '人民医院', '地铁2号线'];
const WHAT = ['储罐爆炸', '暴雨内涝', '食物中毒', '山体滑坡', '燃气泄漏', '桥梁垮塌', '大面积停电', '群体性事件', '交通事故', '火灾'];
const CATEGORY_OF: Record<string, string> = {
  储罐爆炸: 'accident', 暴雨内涝: 'natural_disaster', 食物中毒: 'public_health', 山体滑坡: 'natural_disaster', 燃气泄漏: 'accident',
  桥梁垮塌: 'accident', 大面积停电: 'accident', 群体性事件: 'social_security', 交通事故: 'accident', 火灾: 'accident',
};
const TOPICS = ['安全生产', '暴雨交通', '食品安全', '疫情医疗', '社会治安', '环境污染', '政务服务'];

/** A small deterministic generator (mulberry32). */
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function insertChunks<T>(rows: T[], size: number, insert: (chunk: T[]) => Promise<unknown>) {
  for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size));
}

export async function loadCity(db: Database, city: City, opts: BulkOptions): Promise<BulkResult> {
  const started = performance.now();
  const log = opts.log ?? (() => {});
  const rand = rng(42);
  const now = opts.now.getTime();
  const pick = <T>(a: readonly T[]) => a[Math.floor(rand() * a.length)];

  const extra = await db
    .insertInto('departments')
    .values(LINE_DEPARTMENTS.map((name) => ({ name, coordinating: false, created_at: opts.now })))
    .returning('id')
    .execute();
  const emergency = Number(city.depts.emergency);
  const lines = [emergency, Number(city.depts.health), Number(city.depts.police), ...extra.map((d) => d.id)];
  const createdBy = Number(city.users.duty);

  // Incidents: i = 0 is the newest; occurred over three years. The emergency department leads a quarter.
  const incidentRows = [];
  const openFlags: boolean[] = [];
  const recent = Math.min(opts.incidents, Math.round(opts.openIncidents * 1.25));
  let openLeft = opts.openIncidents;
  for (let i = 0; i < opts.incidents; i++) {
    // The newest `recent` incidents are open but for one in five; the rest of the open ones are spread over the past.
    let open = false;
    if (openLeft > 0) {
      if (i < recent) open = i % 5 !== 4;
      else open = rand() < openLeft / (opts.incidents - i);
    }
    if (open) openLeft--;
    openFlags.push(open);
    const occurred = i < recent ? now - (i / recent) * 30 * DAY - rand() * HOUR : now - 30 * DAY - ((i - recent) / opts.incidents) * 3 * 365 * DAY;
    const severity = i % 50 === 0 ? 'I' : i % 10 === 1 ? 'II' : i % 10 <= 4 ? 'III' : 'IV';
    const what = pick(WHAT);
    const place = pick(PLACES);
    const lead = rand() < 0.25 ? emergency : lines[1 + Math.floor(rand() * (lines.length - 1))];
    incidentRows.push({
      title: `${place}${what}`,
      summary: `${place}发生${what}，现场处置中，伤亡及影响情况正在核实。`,
      category: CATEGORY_OF[what],
      severity,
      status: (open ? 'open' : 'closed') as 'open' | 'closed',
      occurred_at: new Date(occurred),
      reported_at: new Date(occurred + 20 * 60_000),
      location: place,
      lead_department_id: lead,
      spokesperson_id: null,
      deaths: severity === 'I' ? 3 + Math.floor(rand() * 10) : severity === 'II' ? Math.floor(rand() * 3) : 0,
      injured: Math.floor(rand() * 20),
      missing: 0,
      significant_impact: severity === 'I',
      sensitive: rand() < 0.05,
      keywords: [what.slice(0, 2), place.slice(0, 2)],
      logged_late: false,
      version: 1 + Math.floor(rand() * 4),
      created_by: createdBy,
      updated_at: new Date(occurred + HOUR),
      closed_at: open ? null : new Date(occurred + 3 * DAY),
    });
  }
  const ids: { id: number; occurred: number; open: boolean; major: boolean; lead: number }[] = [];
  await insertChunks(incidentRows, 500, async (chunk) => {
    const rows = await db.insertInto('incidents').values(chunk).returning(['id', 'occurred_at', 'status', 'severity', 'lead_department_id']).execute();
    for (const r of rows) ids.push({ id: r.id, occurred: r.occurred_at.getTime(), open: r.status === 'open', major: r.severity === 'I' || r.severity === 'II', lead: r.lead_department_id });
  });

  // Clocks of the major incidents: first release (5 h), press conference (24 h), follow-ups after releases.
  const deadlineRows = [];
  for (const inc of ids.filter((x) => x.major)) {
    const base = { incident_id: inc.id, opinion_item_id: null, warnings_sent: [] as number[], policy_version: 1, created_at: new Date(inc.occurred + 20 * 60_000), waived_at: null, waived_by: null, waive_reason: null };
    const fr = inc.occurred + 5 * HOUR;
    const pc = inc.occurred + 24 * HOUR;
    const settle = (due: number): { status: 'pending' | 'met' | 'missed'; met_at: Date | null } => {
      if (!inc.open) return { status: 'met', met_at: new Date(due - HOUR) };
      if (due > now) return { status: 'pending', met_at: null };
      return rand() < 0.85 ? { status: 'met', met_at: new Date(due - 30 * 60_000) } : { status: 'missed', met_at: null };
    };
    deadlineRows.push({ ...base, kind: 'first_release', due_at: new Date(fr), ...settle(fr), warnings_sent: [60, 30, 10] });
    deadlineRows.push({ ...base, kind: 'press_conference', due_at: new Date(pc), ...settle(pc) });
    const followUps = inc.open ? 1 + Math.floor(rand() * 3) : 2;
    for (let k = 0; k < followUps; k++) {
      const due = fr + (k + 1) * 12 * HOUR;
      const last = k === followUps - 1;
      deadlineRows.push({ ...base, kind: 'follow_up', due_at: new Date(due), ...(inc.open && last ? { status: due > now ? ('pending' as const) : ('missed' as const), met_at: null } : { status: 'met' as const, met_at: new Date(due - HOUR) }) });
    }
  }
  await insertChunks(deadlineRows, 1000, (chunk) => db.insertInto('deadlines').values(chunk).execute());

  // Tasks: one incident in five hands one or two tasks to other line departments.
  const taskRows = [];
  for (const inc of ids) {
    if (rand() >= 0.2) continue;
    const n = 1 + Math.floor(rand() * 2);
    for (let k = 0; k < n; k++) {
      let dept = pick(lines);
      if (dept === inc.lead) dept = lines[(lines.indexOf(dept) + 1) % lines.length];
      taskRows.push({
        incident_id: inc.id,
        department_id: dept,
        from_department_id: inc.lead,
        title: pick(['现场秩序维护', '伤员救治', '交通管制', '环境监测', '舆情研判', '群众安置']),
        detail: '',
        status: (inc.open ? pick(['open', 'acked', 'in_progress', 'done'] as const) : 'done') as 'open' | 'acked' | 'in_progress' | 'done',
        due_at: new Date(inc.occurred + 6 * HOUR),
        created_by: createdBy,
        created_at: new Date(inc.occurred + HOUR),
        version: 1,
      });
    }
  }
  await insertChunks(taskRows, 1000, (chunk) => db.insertInto('tasks').values(chunk).execute());
  log(`incidents ${ids.length} (${ids.filter((x) => x.open).length} open), deadlines ${deadlineRows.length}, tasks ${taskRows.length}: ${((performance.now() - started) / 1000).toFixed(1)} s`);

  // Opinion: twenty sources, the labelled posts varied so every item is distinct.
  const sources = await db
    .insertInto('opinion_sources')
    .values(Array.from({ length: 20 }, (_, k) => ({ name: `论坛${k}`, kind: 'feed' as const, url: `https://bbs${k}.example.cn/rss`, poll_seconds: 300, enabled: false, created_at: opts.now })))
    .returning('id')
    .execute();
  const posts = readFileSync(new URL('../fixtures/opinion/labelled.jsonl', import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { text: string; sentiment: 'negative' | 'neutral' | 'positive'; topic?: string });
  const openIds = ids.filter((x) => x.open).map((x) => x.id);
  const lastDay = Math.round(opts.opinionItems * opts.lastDayShare);
  const itemsStarted = performance.now();
  const CHUNK = 1000; // 24 columns: 24,000 parameters a statement, under PostgreSQL's 65,535
  for (let start = 0; start < opts.opinionItems; start += CHUNK) {
    const chunk = [];
    for (let n = start; n < Math.min(opts.opinionItems, start + CHUNK); n++) {
      const post = posts[n % posts.length];
      const text = `${post.text}（第${n}条，${PLACES[n % PLACES.length]}网友${n % 997}）`;
      const fetched = n < lastDay ? now - rand() * DAY : now - DAY - rand() * (opts.opinionDays - 1) * DAY;
      const chars = [...post.text.replace(/[，。！？、；：“”（）\s]/g, '')];
      const tokens: string[] = [];
      for (let k = 0; k + 1 < chars.length && tokens.length < 24; k += 2) tokens.push(chars[k] + chars[k + 1]);
      const topic = post.topic && TOPICS.includes(post.topic) ? post.topic : null;
      const hash = createHash('sha1').update(text).digest('hex');
      const source = sources[n % sources.length].id;
      chunk.push({
        source_id: source,
        external_id: `post-${n}`,
        url: `https://bbs${n % sources.length}.example.cn/t/${n}`,
        canonical_url: `https://bbs${n % sources.length}.example.cn/t/${n}`,
        title: text.slice(0, 20),
        content: text,
        author: `网友${n % 997}`,
        published_at: new Date(fetched - rand() * HOUR),
        fetched_at: new Date(fetched),
        language: 'zh',
        sentiment_label: post.sentiment,
        sentiment_score: post.sentiment === 'negative' ? -0.6 - rand() * 0.4 : post.sentiment === 'positive' ? 0.5 + rand() * 0.5 : rand() * 0.2 - 0.1,
        topics: topic ? [topic] : [],
        matched: JSON.stringify(topic ? [{ topicId: String(1 + TOPICS.indexOf(topic)), name: topic, words: tokens.slice(0, 2) }] : []),
        tokens,
        incident_id: openIds.length && n % 10 === 0 ? openIds[n % openIds.length] : null,
        status: (n % 7 === 0 ? 'relevant' : 'new') as 'relevant' | 'new',
        department_id: null,
        triaged_by: null,
        triaged_at: null,
        content_hash: hash,
        simhash: hash.slice(0, 16),
        cluster_id: null,
      });
    }
    await db.insertInto('opinion_items').values(chunk).execute();
    if ((start / CHUNK) % 50 === 49) log(`opinion items ${start + CHUNK}: ${((performance.now() - itemsStarted) / 1000).toFixed(1)} s`);
  }
  await db
    .insertInto('opinion_bursts')
    .values(
      Array.from({ length: 6 }, (_, k) => ({
        key: `topic:${TOPICS[k % TOPICS.length]}`,
        label: TOPICS[k % TOPICS.length],
        incident_id: openIds[k] ?? null,
        bucket_start: new Date(now - (k + 1) * 3 * HOUR),
        count: 120 + k * 10,
        z: 4.2,
        top_terms: JSON.stringify([{ term: '爆炸', count: 40 }]),
        top_sources: JSON.stringify([{ name: '论坛1', count: 30 }]),
        sentiment_mix: JSON.stringify({ negative: 0.6, neutral: 0.3, positive: 0.1 }),
        created_at: new Date(now - (k + 1) * 3 * HOUR + 15 * 60_000),
      })),
    )
    .execute();
  // What autovacuum would have done by the time a real database held this much: statistics and the visibility map.
  await sql`vacuum analyze`.execute(db);

  const visible = await sql<{ n: string; open: string }>`
    select count(*) as n, count(*) filter (where status = 'open') as open from incidents i
    where i.lead_department_id = ${emergency} or exists (select 1 from tasks t where t.incident_id = i.id and t.department_id = ${emergency})`.execute(db);
  return {
    departments: 5 + extra.length,
    incidents: ids.length,
    open: ids.filter((x) => x.open).length,
    deadlines: deadlineRows.length,
    tasks: taskRows.length,
    opinionItems: opts.opinionItems,
    lastDayItems: lastDay,
    emergencyVisible: Number(visible.rows[0].n),
    emergencyOpen: Number(visible.rows[0].open),
    ms: performance.now() - started,
  };
}
