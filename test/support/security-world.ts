// The security suites' world: the harness's city plus one user per role in each department relation to a fixture
// incident (own = its lead department, coordinating, unrelated), the fixtures every route needs, factories for
// fresh objects a state-changing call consumes, and a fingerprint of the whole database ("nothing changed").
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { SESSION_COOKIE } from '../../server/auth/routes.ts';
import { SESSION_DAYS } from '../../server/auth/service.ts';
import { createUser } from '../../server/people/service.ts';
import type { Role } from '../../shared/domain.ts';
import { chemicalPlant, PASSWORD, startHarness, type Harness } from './harness.ts';

export const ROLES = ['duty_officer', 'spokesperson', 'analyst', 'leader', 'admin'] as const satisfies readonly Role[];
export type SecRole = (typeof ROLES)[number];
export const RELS = ['own', 'coordinating', 'unrelated'] as const;
export type Rel = (typeof RELS)[number];

/** The login of the user with `role` in the department standing in `rel` to the fixture incident. */
export const loginOf = (role: SecRole, rel: Rel) => `${rel === 'own' ? 'own' : rel === 'coordinating' ? 'coord' : 'unrel'}.${role}`;

/** Text that only those who may see the fixture incident may ever read (its summary, the draft, the comment…). */
export const SECRET = 'SECRET-7F3A-不得外泄';

export interface Res {
  status: number;
  text: string;
  body: any;
  headers: Headers;
}

export interface CallOpts {
  /** A login (its cached session), a raw Cookie header, or nobody. */
  as?: string;
  cookie?: string;
  /** JSON-encoded with content-type application/json unless `raw` is given. */
  body?: unknown;
  raw?: { text: string; type: string };
  headers?: Record<string, string>;
}

export interface World {
  h: Harness;
  /** Department ids: own = emergency (leads the fixture incident), coordinating = the government office, unrelated = health. */
  dept: Record<Rel, string>;
  userId: Record<string, string>;
  call(method: string, path: string, opts?: CallOpts): Promise<Res>;
  /** A fresh session of `login` not shared with `call` (for sign-out). */
  freshCookie(login: string): Promise<string>;
  fx: Fixtures;
  make: Factories;
  /** A digest of every table's rows: equal before and after means the request changed nothing. */
  fingerprint(): Promise<string>;
  /** Unique suffix for names that must not collide. */
  uniq(): string;
  close(): Promise<void>;
}

export interface Fixtures {
  /** Led by the emergency department; its summary carries SECRET. */
  incident: { id: string; title: string };
  /** Also led by the emergency department, never published; its title carries SECRET; opinion is linked to it. */
  hiddenIncident: string;
  deadlineId: string;
  draft: string;
  inReview: string;
  published: string;
  conference: string;
  task: string;
  comment: string;
  opinionItem: string;
  /** An item triaged onto the incident as needs_response (starts an opinion clock on it). */
  triagedItem: string;
  pushSource: { id: string; token: string };
  feedSource: string;
  topic: string;
  channel: string;
  /** A notification of own.leader (the review request for `inReview`). */
  notification: string;
}

export interface Factories {
  incident(extra?: Record<string, unknown>): Promise<{ id: string; version: number; deadlines: { id: string; kind: string }[] }>;
  release(incidentId: string, state: 'draft' | 'in_review' | 'approved' | 'scheduled' | 'published', extra?: Record<string, unknown>): Promise<string>;
  conference(incidentId: string): Promise<string>;
  task(incidentId: string, departmentId?: string): Promise<string>;
}

const ok = (res: Res, what: string, status = [200, 201, 204]) => {
  if (!status.includes(res.status)) throw new Error(`${what}: ${res.status} ${res.text.slice(0, 300)}`);
  return res;
};

export const CHECKLIST = { noStateSecrets: true, noPersonalPrivacy: true, figuresVerified: true } as const;

export async function startWorld(opts: { start?: string } = {}): Promise<World> {
  const h = await startHarness({ start: opts.start ?? '2026-11-22T03:00:00Z' });
  const ctx = h.beacon.ctx;
  const dept: Record<Rel, string> = { own: h.city.depts.emergency, coordinating: h.city.depts.office, unrelated: h.city.depts.health };
  const userId: Record<string, string> = { ...h.city.users };
  await Promise.all(
    RELS.flatMap((rel) =>
      ROLES.map(async (role) => {
        const user = await createUser(ctx, null, { login: loginOf(role, rel), name: loginOf(role, rel), password: PASSWORD, departmentId: dept[rel], roles: [role] });
        userId[loginOf(role, rel)] = user.id;
      }),
    ),
  );

  const cookies = new Map<string, string>();
  // A session row as POST /api/session writes it, without paying scrypt for every one of a few hundred sign-ins
  // (signing in itself is covered by its own row and by login-throttle.test.ts).
  const freshCookie = async (login: string) => {
    const sid = randomBytes(32).toString('base64url');
    const now = h.clock.now();
    await ctx.db
      .insertInto('sessions')
      .values({ id: sid, user_id: Number(userId[login]), created_at: now, expires_at: new Date(now.getTime() + SESSION_DAYS * 86_400_000) })
      .execute();
    return `${SESSION_COOKIE}=${sid}`;
  };
  const call: World['call'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = {};
    if (o.as) {
      if (!cookies.has(o.as)) cookies.set(o.as, await freshCookie(o.as));
      headers.cookie = cookies.get(o.as)!;
    }
    if (o.cookie) headers.cookie = o.cookie;
    let body: string | undefined;
    if (o.raw) {
      body = o.raw.text;
      headers['content-type'] = o.raw.type;
    } else if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] = 'application/json';
    }
    Object.assign(headers, o.headers);
    const res = await h.beacon.app.request(path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {}
    return { status: res.status, text, body: parsed, headers: res.headers };
  };
  await Promise.all(Object.keys(userId).map(async (login) => cookies.set(login, await freshCookie(login))));

  let n = 0;
  const uniq = () => `${Date.now().toString(36)}-${++n}`;
  const minutesFromNow = (m: number) => new Date(h.clock.now().getTime() + m * 60_000).toISOString();

  const make: Factories = {
    async incident(extra = {}) {
      const res = ok(
        await call('POST', '/api/incidents', {
          as: loginOf('duty_officer', 'own'),
          body: chemicalPlant(h.city, minutesFromNow(-60), { leadDepartmentId: dept.own, summary: `概要 ${SECRET}`, ...extra }),
        }),
        'create incident',
      );
      return res.body.incident;
    },
    async release(incidentId, state, extra = {}) {
      const sp = loginOf('spokesperson', 'own');
      const created = ok(
        await call('POST', `/api/incidents/${incidentId}/releases`, {
          as: sp,
          body: { kind: 'update', title: `进展通报 ${uniq()}`, body: `通报正文 ${uniq()}`, ...extra },
        }),
        'create release',
      );
      const id: string = created.body.release.id;
      if (state === 'draft') return id;
      ok(await call('POST', `/api/releases/${id}/submit`, { as: sp, body: {} }), 'submit');
      if (state === 'in_review') return id;
      const version: number = created.body.release.version;
      ok(await call('POST', `/api/releases/${id}/approve`, { as: loginOf('leader', 'own'), body: { version, checklist: CHECKLIST, comment: '' } }), 'approve');
      const coordNeeded = (await call('GET', `/api/releases/${id}`, { as: sp })).body.release.approvalsNeeded as string[];
      if (coordNeeded.includes('coordinating')) {
        ok(await call('POST', `/api/releases/${id}/approve`, { as: loginOf('leader', 'coordinating'), body: { version, checklist: CHECKLIST, comment: '' } }), 'approve (coordinating)');
      }
      if (state === 'approved') return id;
      if (state === 'scheduled') {
        ok(await call('POST', `/api/releases/${id}/publish`, { as: sp, body: { at: minutesFromNow(120) } }), 'schedule');
        return id;
      }
      ok(await call('POST', `/api/releases/${id}/publish`, { as: sp, body: {} }), 'publish');
      return id;
    },
    async conference(incidentId) {
      const res = ok(
        await call('POST', `/api/incidents/${incidentId}/conferences`, {
          as: loginOf('spokesperson', 'own'),
          body: { scheduledAt: minutesFromNow(180), venue: `新闻中心 ${SECRET}`, notes: SECRET },
        }),
        'plan conference',
      );
      return res.body.conference.id;
    },
    async task(incidentId, departmentId = dept.own) {
      const res = ok(
        await call('POST', `/api/incidents/${incidentId}/tasks`, {
          as: loginOf('duty_officer', 'own'),
          body: { departmentId, title: `核实伤亡 ${SECRET}`, detail: SECRET },
        }),
        'create task',
      );
      return res.body.task.id;
    },
  };

  // ---- the fixtures ----
  const incident = await make.incident({ title: '城东化工园区储罐爆炸（安全测试）' });
  const deadlineId = incident.deadlines.find((d) => d.kind === 'first_release')!.id;
  const draft = await make.release(incident.id, 'draft', { title: `草稿 ${SECRET}`, body: SECRET });
  const inReview = await make.release(incident.id, 'in_review', { title: `送审稿 ${SECRET}`, body: `送审正文 ${SECRET}` });
  const published = await make.release(incident.id, 'published', { kind: 'initial', title: '城东化工园区储罐爆炸情况通报', body: '已发布的通报正文。' });
  const conference = await make.conference(incident.id);
  const task = await make.task(incident.id);
  const comment = ok(await call('POST', `/api/incidents/${incident.id}/comments`, { as: loginOf('leader', 'own'), body: { body: `现场情况 ${SECRET}` } }), 'comment').body.comment.id;
  const analyst = loginOf('analyst', 'own');
  const opinionItem = ok(await call('POST', '/api/opinion/items', { as: analyst, body: { content: `市民来电反映化工园区有异味 ${uniq()}` } }), 'opinion item').body.item.id;
  const triagedItem = ok(await call('POST', '/api/opinion/items', { as: analyst, body: { content: `网传化工园区爆炸死亡数十人 ${uniq()}` } }), 'opinion item 2').body.item.id;
  ok(await call('POST', `/api/opinion/items/${triagedItem}/triage`, { as: analyst, body: { status: 'needs_response', incidentId: incident.id } }), 'triage');
  // A second incident of the lead department, never published, whose very title is secret, with opinion on it.
  const hidden = await make.incident({ title: `隐情 ${SECRET}` });
  const hiddenItem = ok(await call('POST', '/api/opinion/items', { as: analyst, body: { content: `有人反映隧道渗水 ${uniq()}` } }), 'opinion item 3').body.item.id;
  ok(await call('POST', `/api/opinion/items/${hiddenItem}/triage`, { as: analyst, body: { status: 'relevant', incidentId: hidden.id } }), 'triage 3');
  const push = ok(await call('POST', '/api/opinion/sources', { as: analyst, body: { name: `12345热线 ${uniq()}`, kind: 'push' } }), 'push source').body.source;
  const feed = ok(await call('POST', '/api/opinion/sources', { as: analyst, body: { name: `内网源 ${uniq()}`, kind: 'feed', url: 'http://127.0.0.1:9/feed' } }), 'feed').body.source;
  const topic = ok(await call('POST', '/api/opinion/topics', { as: analyst, body: { name: `化工 ${uniq()}`, keywords: ['化工'] } }), 'topic').body.topic.id;
  const channel = ok(await call('POST', '/api/channels', { as: loginOf('admin', 'own'), body: { name: `政务微博 ${uniq()}`, url: 'https://hooks.example.org/beacon' } }), 'channel').body.channel.id;
  const note = await ctx.db
    .selectFrom('notifications')
    .select('id')
    .where('user_id', '=', Number(userId[loginOf('leader', 'own')]))
    .orderBy('id')
    .executeTakeFirstOrThrow();

  const fx: Fixtures = {
    incident: { id: incident.id, title: '城东化工园区储罐爆炸（安全测试）' },
    hiddenIncident: hidden.id,
    deadlineId,
    draft,
    inReview,
    published,
    conference,
    task,
    comment,
    opinionItem,
    triagedItem,
    pushSource: { id: push.id, token: push.token },
    feedSource: feed.id,
    topic,
    channel,
    notification: String(note.id),
  };

  const fingerprint = async () => {
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(ctx.db);
    const parts: string[] = [];
    for (const { table_name } of tables.rows) {
      const row = await sql<{ d: string | null; n: number }>`
        select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as d, count(*)::int as n from ${sql.table(table_name)} t`.execute(ctx.db);
      parts.push(`${table_name}:${row.rows[0].n}:${row.rows[0].d}`);
    }
    return parts.join('\n');
  };

  return { h, dept, userId, call, freshCookie, fx, make, fingerprint, uniq, close: () => h.close() };
}
