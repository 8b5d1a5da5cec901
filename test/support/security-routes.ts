// The authorisation table: every HTTP route of the app, who may call it, and a request valid enough that a 400
// cannot hide a missing check. test/security/authorisation.test.ts runs every row as anonymous and as each role in
// each department relation to the fixture incident (own = lead department, coordinating, unrelated).
//
// Outcomes: 'allow' (2xx, or a documented 409/422: never 400/401/403/404/5xx), 401 (not signed in), 403 (wrong role
// or wrong department for a thing the caller may see), 404 (a thing the caller may not see is indistinguishable from
// one that does not exist). Where the app names an incident in a body field, "does not exist" is a 400 on that field
// (the app's convention for references), so an invisible one must answer exactly that too.
import { SECRET, CHECKLIST, loginOf, type Rel, type Res, type SecRole, type World } from './security-world.ts';
import { chemicalPlant } from './harness.ts';

export type Expect = 'allow' | 400 | 401 | 403 | 404;
export type Rule = (role: SecRole, rel: Rel) => Expect;

export interface Cell {
  /** null: anonymous. */
  role: SecRole | null;
  rel: Rel | null;
  login: string | null;
}

export interface Req {
  path: string;
  body?: unknown;
  raw?: { text: string; type: string };
  /** A Cookie header to use instead of the cell's cached session. */
  cookie?: string;
  /** A pooled object this call uses up when it succeeds. */
  consumes?: string;
}

export interface Row {
  method: string;
  /** The route as Hono lists it in app.routes. */
  route: string;
  /** Told apart from the route's main row (a variant on other data). */
  variant?: string;
  /** Whether the department relation to the fixture incident matters (printed as "·" otherwise). */
  scoped: boolean;
  anon: Expect;
  rule: Rule;
  req(cell: Cell): Promise<Req>;
  /** Checks an allowed answer's content; returns what is wrong, or null. */
  check?(res: Res, cell: Cell): string | null;
  /** A hole known today: these cells are reported as HOLE instead of failing. Remove once fixed. */
  known?: { note: string; cells(role: SecRole, rel: Rel): boolean };
}

// ---- rules -----------------------------------------------------------------------------------------------------

export const anyone: Rule = () => 'allow';
/** Needs one of the roles; the data is not incident-scoped. */
export const roles =
  (...rs: SecRole[]): Rule =>
  (role) =>
    rs.includes(role) ? 'allow' : 403;
/** Needs one of the roles (none: any) and to see the fixture incident. The role is checked first. */
export const sees =
  (...rs: SecRole[]): Rule =>
  (role, rel) =>
    rs.length && !rs.includes(role) ? 403 : rel === 'unrelated' ? 404 : 'allow';
/** Needs the role, and names the fixture incident in the body: invisible = nonexistent = 400 on that field. */
export const seesByReference =
  (...rs: SecRole[]): Rule =>
  (role, rel) =>
    !rs.includes(role) ? 403 : rel === 'unrelated' ? 400 : 'allow';

// ---- pools of fresh objects ------------------------------------------------------------------------------------

export class Pool {
  #items = new Map<string, Promise<string>>();
  get(key: string, make: () => Promise<string>): Promise<string> {
    if (!this.#items.has(key)) this.#items.set(key, make());
    return this.#items.get(key)!;
  }
  consume(key: string): void {
    this.#items.delete(key);
  }
}

const has = (list: { id: string }[] | undefined, id: string) => !!list?.some((x) => x.id === id);
const visible = (rel: Rel | null) => rel !== 'unrelated';

/** Resolves a property on each access, so the table can be built before the world exists (vitest collects first). */
const lazy = <T extends object>(get: () => T): T => new Proxy({} as T, { get: (_t, key) => (get() as Record<string | symbol, unknown>)[key] });

export function routeTable(world: () => World, pool: Pool): Row[] {
  const w = lazy(world);
  const fx = lazy(() => world().fx);
  const make = lazy(() => world().make);
  const dept = lazy(() => world().dept);
  const h = lazy(() => world().h);
  const I = () => world().fx.incident.id;
  const db = () => world().h.beacon.ctx.db;
  const later = (minutes: number) => new Date(h.clock.now().getTime() + minutes * 60_000).toISOString();
  const incidentVersion = async (id: string) =>
    (await db().selectFrom('incidents').select('version').where('id', '=', Number(id)).executeTakeFirstOrThrow()).version;
  const releaseVersion = async (id: string) =>
    (await db().selectFrom('releases').select('version').where('id', '=', Number(id)).executeTakeFirstOrThrow()).version;
  const fresh = async (key: string, make: () => Promise<string>): Promise<{ id: string; consumes: string }> => ({ id: await pool.get(key, make), consumes: key });
  let sensitive: Promise<string> | null = null;
  const sensitiveIncident = () => (sensitive ??= make.incident({ sensitive: true, title: '敏感事件（安全测试）' }).then((i) => i.id));
  const openTask = () => make.task(I());
  const ackedTask = async () => {
    const id = await make.task(I());
    const res = await w.call('POST', `/api/tasks/${id}/ack`, { as: loginOf('duty_officer', 'own'), body: {} });
    if (res.status !== 200) throw new Error(`ack: ${res.status}`);
    return id;
  };
  const unique = () => world().uniq();

  const rows: Row[] = [
    // ---- operations and session ----
    { method: 'GET', route: '/healthz', scoped: false, anon: 'allow', rule: anyone, req: async () => ({ path: '/healthz' }) },
    { method: 'GET', route: '/metrics', scoped: false, anon: 'allow', rule: anyone, req: async () => ({ path: '/metrics' }) },
    { method: 'GET', route: '/api/openapi.json', scoped: false, anon: 'allow', rule: anyone, req: async () => ({ path: '/api/openapi.json' }) },
    {
      method: 'POST',
      route: '/api/session',
      scoped: false,
      anon: 'allow',
      rule: anyone,
      req: async (c) => ({ path: '/api/session', body: { login: c.login ?? loginOf('analyst', 'unrelated'), password: 'correct-horse-battery' } }),
    },
    { method: 'GET', route: '/api/session', scoped: false, anon: 401, rule: anyone, req: async () => ({ path: '/api/session' }) },
    {
      method: 'DELETE',
      route: '/api/session',
      scoped: false,
      anon: 401,
      rule: anyone,
      // Its own session: signing out the cached one would turn every later row into a 401.
      req: async (c) => ({ path: '/api/session', cookie: c.login ? await w.freshCookie(c.login) : undefined }),
    },
    {
      method: 'GET',
      route: '/api/demo-accounts',
      scoped: false,
      anon: 'allow',
      rule: anyone,
      req: async () => ({ path: '/api/demo-accounts' }),
      check: (res) => (res.body.accounts.length === 0 ? null : 'lists demo accounts outside demo mode'),
    },

    // ---- people ----
    { method: 'GET', route: '/api/departments', scoped: false, anon: 401, rule: anyone, req: async () => ({ path: '/api/departments' }) },
    { method: 'POST', route: '/api/departments', scoped: false, anon: 401, rule: roles('admin'), req: async () => ({ path: '/api/departments', body: { name: `新部门 ${unique()}` } }) },
    { method: 'GET', route: '/api/users', scoped: false, anon: 401, rule: roles('admin'), req: async () => ({ path: '/api/users' }) },
    {
      method: 'POST',
      route: '/api/users',
      scoped: false,
      anon: 401,
      rule: roles('admin'),
      req: async () => ({ path: '/api/users', body: { login: `u-${unique()}`, name: '新用户', password: 'a-long-password', departmentId: dept.own, roles: ['analyst'] } }),
    },
    {
      method: 'GET',
      route: '/api/people',
      scoped: false,
      anon: 401,
      rule: anyone,
      req: async () => ({ path: '/api/people' }),
      check: (res) => (/scrypt|password/i.test(res.text) ? 'exposes password material' : null),
    },

    // ---- incidents and deadlines ----
    {
      method: 'GET',
      route: '/api/incidents',
      scoped: true,
      anon: 401,
      rule: anyone,
      req: async () => ({ path: '/api/incidents' }),
      check: (res, c) => (has(res.body.items, I()) === visible(c.rel) ? null : `fixture incident ${visible(c.rel) ? 'missing from' : 'listed in'} the list`),
    },
    {
      method: 'POST',
      route: '/api/incidents',
      scoped: false,
      anon: 401,
      rule: roles('duty_officer'),
      req: async () => ({ path: '/api/incidents', body: chemicalPlant(h.city, later(-30), { leadDepartmentId: dept.own, title: `新事件 ${unique()}` }) }),
    },
    { method: 'GET', route: '/api/incidents/:id', scoped: true, anon: 401, rule: sees(), req: async () => ({ path: `/api/incidents/${I()}` }) },
    {
      method: 'PATCH',
      route: '/api/incidents/:id',
      scoped: true,
      anon: 401,
      rule: sees('duty_officer', 'leader'),
      req: async () => ({ path: `/api/incidents/${I()}`, body: { version: await incidentVersion(I()), location: `城东化工园区 ${unique()}` } }),
    },
    {
      method: 'POST',
      route: '/api/incidents/:id/close',
      scoped: true,
      anon: 401,
      rule: sees('leader'),
      req: async () => {
        const t = await fresh('closable', async () => (await make.incident({ severity: 'IV', casualties: { deaths: 0, injured: 0, missing: 0 } })).id);
        return { path: `/api/incidents/${t.id}/close`, consumes: t.consumes };
      },
    },
    {
      method: 'POST',
      route: '/api/deadlines/:id/waive',
      scoped: true,
      anon: 401,
      rule: sees('leader'),
      req: async () => {
        const t = await fresh('deadline', async () => (await make.incident()).deadlines.find((d) => d.kind === 'first_release')!.id);
        return { path: `/api/deadlines/${t.id}/waive`, body: { reason: '经研究豁免' }, consumes: t.consumes };
      },
    },
    { method: 'GET', route: '/api/policy', scoped: false, anon: 401, rule: anyone, req: async () => ({ path: '/api/policy' }) },
    {
      method: 'PUT',
      route: '/api/policy',
      scoped: false,
      anon: 401,
      rule: roles('admin'),
      req: async () => {
        const current = await w.call('GET', '/api/policy', { as: loginOf('admin', 'own') });
        return { path: '/api/policy', body: { rules: current.body.policy.rules, note: '复核' } };
      },
    },

    // ---- releases ----
    {
      method: 'POST',
      route: '/api/incidents/:id/releases',
      scoped: true,
      anon: 401,
      rule: sees('spokesperson'),
      req: async () => ({ path: `/api/incidents/${I()}/releases`, body: { kind: 'update', title: `续报 ${unique()}`, body: `续报正文 ${SECRET}` } }),
    },
    {
      method: 'GET',
      route: '/api/releases/review-queue',
      scoped: true,
      anon: 401,
      rule: roles('leader'),
      req: async () => ({ path: '/api/releases/review-queue' }),
      // Not sensitive: only the lead department's leaders review it.
      check: (res, c) => (has(res.body.items, fx.inReview) === (c.rel === 'own') ? null : 'review queue shows the wrong releases'),
    },
    { method: 'GET', route: '/api/releases/:id', scoped: true, anon: 401, rule: sees(), req: async () => ({ path: `/api/releases/${fx.inReview}` }) },
    {
      method: 'PATCH',
      route: '/api/releases/:id',
      scoped: true,
      anon: 401,
      rule: sees('spokesperson'),
      req: async () => ({ path: `/api/releases/${fx.draft}`, body: { version: await releaseVersion(fx.draft), body: `修改后的草稿 ${SECRET}` } }),
    },
    {
      method: 'POST',
      route: '/api/releases/:id/submit',
      scoped: true,
      anon: 401,
      rule: sees('spokesperson'),
      req: async () => {
        const t = await fresh('draft', () => make.release(I(), 'draft'));
        return { path: `/api/releases/${t.id}/submit`, body: {}, consumes: t.consumes };
      },
    },
    {
      method: 'POST',
      route: '/api/releases/:id/approve',
      scoped: true,
      anon: 401,
      // Not sensitive: a leader of the lead department; a coordinating leader sees it but may not approve.
      rule: (role, rel) => (role !== 'leader' ? 403 : rel === 'unrelated' ? 404 : rel === 'coordinating' ? 403 : 'allow'),
      req: async () => {
        const t = await fresh('in_review', () => make.release(I(), 'in_review'));
        return { path: `/api/releases/${t.id}/approve`, body: { version: await releaseVersion(t.id), checklist: CHECKLIST, comment: '' }, consumes: t.consumes };
      },
    },
    {
      method: 'POST',
      route: '/api/releases/:id/approve',
      variant: 'sensitive incident',
      scoped: true,
      anon: 401,
      // Sensitive: the lead department's or a coordinating department's leader (unified arrangement).
      rule: sees('leader'),
      req: async () => {
        const t = await fresh('in_review_sensitive', async () => make.release(await sensitiveIncident(), 'in_review'));
        return { path: `/api/releases/${t.id}/approve`, body: { version: await releaseVersion(t.id), checklist: CHECKLIST, comment: '' }, consumes: t.consumes };
      },
    },
    {
      method: 'POST',
      route: '/api/releases/:id/reject',
      scoped: true,
      anon: 401,
      rule: (role, rel) => (role !== 'leader' ? 403 : rel === 'unrelated' ? 404 : rel === 'coordinating' ? 403 : 'allow'),
      req: async () => {
        const t = await fresh('in_review', () => make.release(I(), 'in_review'));
        return { path: `/api/releases/${t.id}/reject`, body: { version: await releaseVersion(t.id), comment: '请补充伤亡数据来源' }, consumes: t.consumes };
      },
    },
    {
      method: 'POST',
      route: '/api/releases/:id/reject',
      variant: 'sensitive incident',
      scoped: true,
      anon: 401,
      rule: sees('leader'),
      req: async () => {
        const t = await fresh('in_review_sensitive', async () => make.release(await sensitiveIncident(), 'in_review'));
        return { path: `/api/releases/${t.id}/reject`, body: { version: await releaseVersion(t.id), comment: '口径需统一' }, consumes: t.consumes };
      },
    },
    {
      method: 'POST',
      route: '/api/releases/:id/publish',
      scoped: true,
      anon: 401,
      rule: sees('spokesperson'),
      req: async () => {
        const t = await fresh('approved', () => make.release(I(), 'approved'));
        return { path: `/api/releases/${t.id}/publish`, body: {}, consumes: t.consumes };
      },
    },
    {
      method: 'POST',
      route: '/api/releases/:id/unschedule',
      scoped: true,
      anon: 401,
      rule: sees('spokesperson', 'leader'),
      req: async () => {
        const t = await fresh('scheduled', () => make.release(I(), 'scheduled'));
        return { path: `/api/releases/${t.id}/unschedule`, consumes: t.consumes };
      },
    },
    {
      method: 'POST',
      route: '/api/releases/:id/retract',
      scoped: true,
      anon: 401,
      rule: sees('spokesperson', 'leader'),
      req: async () => {
        const t = await fresh('published', () => make.release(I(), 'published'));
        return { path: `/api/releases/${t.id}/retract`, body: { reason: '数据有误，撤回' }, consumes: t.consumes };
      },
    },
    { method: 'GET', route: '/api/releases/:id/deliveries', scoped: true, anon: 401, rule: sees(), req: async () => ({ path: `/api/releases/${fx.published}/deliveries` }) },

    // ---- conferences ----
    {
      method: 'POST',
      route: '/api/incidents/:id/conferences',
      scoped: true,
      anon: 401,
      rule: sees('spokesperson'),
      req: async () => ({ path: `/api/incidents/${I()}/conferences`, body: { scheduledAt: later(240), venue: `市新闻中心 ${unique()}` } }),
    },
    {
      method: 'POST',
      route: '/api/conferences/:id/hold',
      scoped: true,
      anon: 401,
      rule: sees('spokesperson'),
      req: async () => {
        const t = await fresh('conference_hold', () => make.conference(I()));
        return { path: `/api/conferences/${t.id}/hold`, body: { summary: '已召开' }, consumes: t.consumes };
      },
    },
    {
      method: 'POST',
      route: '/api/conferences/:id/cancel',
      scoped: true,
      anon: 401,
      rule: sees('spokesperson'),
      req: async () => {
        const t = await fresh('conference_cancel', () => make.conference(I()));
        return { path: `/api/conferences/${t.id}/cancel`, body: { reason: '改期举行' }, consumes: t.consumes };
      },
    },
    { method: 'GET', route: '/api/conferences/:id/briefing', scoped: true, anon: 401, rule: sees(), req: async () => ({ path: `/api/conferences/${fx.conference}/briefing` }) },

    // ---- channels ----
    { method: 'GET', route: '/api/channels', scoped: false, anon: 401, rule: roles('admin'), req: async () => ({ path: '/api/channels' }) },
    {
      method: 'POST',
      route: '/api/channels',
      scoped: false,
      anon: 401,
      rule: roles('admin'),
      req: async () => ({ path: '/api/channels', body: { name: `网站 ${unique()}`, url: 'https://hooks.example.org/site', enabled: false } }),
    },
    { method: 'PATCH', route: '/api/channels/:id', scoped: false, anon: 401, rule: roles('admin'), req: async () => ({ path: `/api/channels/${fx.channel}`, body: { name: `政务微博 ${unique()}` } }) },

    // ---- public opinion ----
    {
      method: 'GET',
      route: '/api/opinion/sources',
      scoped: false,
      anon: 401,
      rule: roles('analyst', 'leader'),
      req: async () => ({ path: '/api/opinion/sources' }),
      check: (res, c) => {
        const push = (res.body.items as { id: string; token: string | null }[]).find((s) => s.id === fx.pushSource.id);
        const shown = !!push?.token;
        return shown === (c.role === 'analyst') ? null : `push token ${shown ? 'shown to' : 'hidden from'} ${c.role}`;
      },
    },
    { method: 'POST', route: '/api/opinion/sources', scoped: false, anon: 401, rule: roles('analyst'), req: async () => ({ path: '/api/opinion/sources', body: { name: `信箱 ${unique()}`, kind: 'push' } }) },
    { method: 'PATCH', route: '/api/opinion/sources/:id', scoped: false, anon: 401, rule: roles('analyst'), req: async () => ({ path: `/api/opinion/sources/${fx.pushSource.id}`, body: { name: `12345热线 ${unique()}` } }) },
    { method: 'POST', route: '/api/opinion/sources/:id/poll', scoped: false, anon: 401, rule: roles('analyst'), req: async () => ({ path: `/api/opinion/sources/${fx.feedSource}/poll`, body: {} }) },
    {
      method: 'POST',
      route: '/api/opinion/push/:token',
      scoped: false,
      // The token is the credential: a session neither helps nor is needed.
      anon: 'allow',
      rule: anyone,
      req: async () => ({ path: `/api/opinion/push/${fx.pushSource.token}`, body: { content: `热线工单 ${unique()}`, externalId: unique() } }),
    },
    {
      method: 'POST',
      route: '/api/opinion/push/:token',
      variant: 'unknown token',
      scoped: false,
      anon: 401,
      rule: () => 401,
      req: async () => ({ path: `/api/opinion/push/${fx.pushSource.token.slice(0, -4)}AAAA`, body: { content: `伪造 ${unique()}` } }),
    },
    {
      method: 'GET',
      route: '/api/opinion/items',
      scoped: false,
      anon: 401,
      rule: roles('analyst', 'leader'),
      req: async () => ({ path: `/api/opinion/items?incidentId=${I()}` }),
    },
    {
      method: 'POST',
      route: '/api/opinion/items',
      scoped: true,
      anon: 401,
      rule: seesByReference('analyst'),
      req: async () => ({ path: '/api/opinion/items', body: { content: `来电反映 ${unique()}`, incidentId: I() } }),
    },
    {
      method: 'POST',
      route: '/api/opinion/import',
      scoped: false,
      anon: 401,
      rule: roles('analyst'),
      req: async () => {
        const id = unique();
        return { path: '/api/opinion/import', raw: { type: 'text/csv; charset=utf-8', text: `工单号,来电时间,诉求内容\nHL-${id},2026-11-22 10:30,小区停水 ${id}` } };
      },
    },
    {
      method: 'POST',
      route: '/api/opinion/items/:id/triage',
      scoped: true,
      anon: 401,
      rule: seesByReference('analyst'),
      req: async () => ({ path: `/api/opinion/items/${fx.opinionItem}/triage`, body: { status: 'relevant', incidentId: I() } }),
    },
    {
      method: 'POST',
      route: '/api/opinion/triage',
      scoped: true,
      anon: 401,
      rule: seesByReference('analyst'),
      req: async () => ({ path: '/api/opinion/triage', body: { itemIds: [fx.opinionItem], status: 'relevant', incidentId: I() } }),
    },
    { method: 'GET', route: '/api/opinion/topics', scoped: false, anon: 401, rule: roles('analyst', 'leader'), req: async () => ({ path: '/api/opinion/topics' }) },
    { method: 'POST', route: '/api/opinion/topics', scoped: false, anon: 401, rule: roles('analyst'), req: async () => ({ path: '/api/opinion/topics', body: { name: `话题 ${unique()}`, keywords: ['停水'] } }) },
    { method: 'PATCH', route: '/api/opinion/topics/:id', scoped: false, anon: 401, rule: roles('analyst'), req: async () => ({ path: `/api/opinion/topics/${fx.topic}`, body: { keywords: ['化工', '爆炸'] } }) },
    {
      method: 'GET',
      route: '/api/opinion/analysis',
      scoped: false,
      anon: 401,
      // Opinion volume is not incident-scoped data: counts and already-published release titles only.
      rule: roles('analyst', 'leader'),
      req: async () => ({ path: `/api/opinion/analysis?incidentId=${I()}` }),
    },
    { method: 'GET', route: '/api/opinion/settings', scoped: false, anon: 401, rule: roles('analyst', 'leader'), req: async () => ({ path: '/api/opinion/settings' }) },
    { method: 'PUT', route: '/api/opinion/settings', scoped: false, anon: 401, rule: roles('analyst'), req: async () => ({ path: '/api/opinion/settings', body: { minCount: 5 } }) },

    // ---- tasks ----
    {
      method: 'POST',
      route: '/api/incidents/:id/tasks',
      scoped: true,
      anon: 401,
      rule: sees('leader', 'duty_officer', 'spokesperson'),
      // Always to the lead department: a task to the unrelated department would make it related.
      req: async () => ({ path: `/api/incidents/${I()}/tasks`, body: { departmentId: dept.own, title: `核实现场 ${unique()}` } }),
    },
    {
      method: 'GET',
      route: '/api/tasks',
      scoped: true,
      anon: 401,
      rule: anyone,
      req: async () => ({ path: '/api/tasks?mine=0&limit=500' }),
      check: (res, c) => (has(res.body.items, fx.task) === visible(c.rel) ? null : `fixture task ${visible(c.rel) ? 'missing' : 'listed'}`),
    },
    { method: 'GET', route: '/api/tasks/inbox-count', scoped: false, anon: 401, rule: anyone, req: async () => ({ path: '/api/tasks/inbox-count' }) },
    { method: 'GET', route: '/api/tasks/:id', scoped: true, anon: 401, rule: sees(), req: async () => ({ path: `/api/tasks/${fx.task}` }) },
    ...(['ack', 'start', 'done'] as const).map(
      (step): Row => ({
        method: 'POST',
        route: `/api/tasks/:id/${step}`,
        scoped: true,
        anon: 401,
        // Members of the assigned department (the lead one here), whatever their role; others who see it: 403.
        rule: (_role, rel) => (rel === 'unrelated' ? 404 : rel === 'coordinating' ? 403 : 'allow'),
        req: async () => {
          const t = await fresh(`task_${step}`, step === 'done' ? ackedTask : openTask);
          return { path: `/api/tasks/${t.id}/${step}`, body: {}, consumes: t.consumes };
        },
      }),
    ),

    // ---- incident room ----
    {
      method: 'POST',
      route: '/api/incidents/:id/comments',
      scoped: true,
      anon: 401,
      rule: sees(),
      req: async () => ({ path: `/api/incidents/${I()}/comments`, body: { body: `补充情况 ${SECRET}` } }),
    },
    { method: 'GET', route: '/api/incidents/:id/comments', scoped: true, anon: 401, rule: sees(), req: async () => ({ path: `/api/incidents/${I()}/comments` }) },
    { method: 'GET', route: '/api/incidents/:id/presence', scoped: true, anon: 401, rule: sees(), req: async () => ({ path: `/api/incidents/${I()}/presence` }) },

    // ---- notifications ----
    { method: 'GET', route: '/api/notifications', scoped: false, anon: 401, rule: anyone, req: async () => ({ path: '/api/notifications' }) },
    { method: 'POST', route: '/api/notifications/read-all', scoped: false, anon: 401, rule: anyone, req: async () => ({ path: '/api/notifications/read-all', body: {} }) },
    {
      method: 'POST',
      route: '/api/notifications/:id/read',
      scoped: true,
      anon: 401,
      // Only its addressee (own.leader): anyone else's is indistinguishable from none.
      rule: (role, rel) => (role === 'leader' && rel === 'own' ? 'allow' : 404),
      req: async () => ({ path: `/api/notifications/${fx.notification}/read`, body: {} }),
    },

    // ---- dashboard, events, audit ----
    {
      method: 'GET',
      route: '/api/dashboard',
      scoped: true,
      anon: 401,
      rule: anyone,
      req: async () => ({ path: '/api/dashboard' }),
      check: (res, c) => (has(res.body.incidents, I()) === visible(c.rel) ? null : `fixture incident ${visible(c.rel) ? 'missing from' : 'on'} the dashboard`),
    },
    {
      method: 'GET',
      route: '/api/events',
      scoped: true,
      anon: 401,
      rule: anyone,
      req: async () => ({ path: '/api/events?after=0&limit=5000' }),
      check: (res, c) => {
        const about = (res.body.events as { type: string; incidentId?: string | null }[]).filter((e) => e.incidentId === I());
        if (visible(c.rel)) return about.length ? null : 'no event of the fixture incident';
        return about.length ? `sees ${about.length} event(s) of an invisible incident: ${[...new Set(about.map((e) => e.type))].join(', ')}` : null;
      },
    },
    { method: 'GET', route: '/api/audit/verify', scoped: false, anon: 401, rule: roles('admin'), req: async () => ({ path: '/api/audit/verify' }) },

    // ---- reports ----
    { method: 'GET', route: '/api/reports/incidents/:id', scoped: true, anon: 401, rule: sees(), req: async () => ({ path: `/api/reports/incidents/${I()}` }) },
    {
      method: 'GET',
      route: '/api/reports/compliance',
      scoped: false,
      anon: 401,
      rule: roles('leader'),
      req: async () => ({ path: '/api/reports/compliance?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z' }),
    },
    {
      method: 'GET',
      route: '/api/reports/daily',
      scoped: false,
      anon: 401,
      rule: roles('analyst', 'leader'),
      req: async () => ({ path: '/api/reports/daily?date=2026-11-22' }),
    },
    { method: 'GET', route: '/api/reports/daily/settings', scoped: false, anon: 401, rule: roles('admin', 'analyst', 'leader'), req: async () => ({ path: '/api/reports/daily/settings' }) },
    { method: 'PUT', route: '/api/reports/daily/settings', scoped: false, anon: 401, rule: roles('admin'), req: async () => ({ path: '/api/reports/daily/settings', body: { at: '07:30' } }) },

    // ---- the public site: anyone, published releases only ----
    ...['/public', '/public/', '/public/feed.rss', '/public/feed.atom', '/public/cap.atom'].map(
      (path): Row => ({ method: 'GET', route: path, scoped: false, anon: 'allow', rule: anyone, req: async () => ({ path }) }),
    ),
    { method: 'GET', route: '/public/releases/:id', scoped: false, anon: 'allow', rule: anyone, req: async () => ({ path: `/public/releases/${fx.published}` }) },
    { method: 'GET', route: '/public/releases/:id', variant: 'release in review', scoped: false, anon: 404, rule: () => 404, req: async () => ({ path: `/public/releases/${fx.inReview}` }) },
    { method: 'GET', route: '/public/releases/:id/cap.xml', scoped: false, anon: 'allow', rule: anyone, req: async () => ({ path: `/public/releases/${fx.published}/cap.xml` }) },
    { method: 'GET', route: '/public/releases/:id/cap.xml', variant: 'release in review', scoped: false, anon: 404, rule: () => 404, req: async () => ({ path: `/public/releases/${fx.inReview}/cap.xml` }) },
    { method: 'GET', route: '/public/*', scoped: false, anon: 404, rule: () => 404, req: async () => ({ path: '/public/nothing-here' }) },
  ];
  return rows;
}

/** Routes in app.routes that are middleware or catch-alls, not endpoints to authorise. */
export const INFRASTRUCTURE = new Set(['ALL /*', 'ALL /api/*', 'GET /*', 'ALL /assets/*', 'ALL /favicon.svg']);
