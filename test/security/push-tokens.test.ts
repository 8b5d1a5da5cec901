// Push tokens are scoped to their source: a token only ever adds items to its own source (whatever the body
// claims), a disabled source's token is refused, a rotated token stops working at once, and no one but analysts
// ever sees a token (not leaders, not the event log, not the socket, not /metrics).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbKind, startHarness, type Harness } from '../support/harness.ts';

let h: Harness;
const analyst = 'po.analyst';
let A: { id: string; token: string };
let B: { id: string; token: string };

beforeAll(async () => {
  h = await startHarness({ start: '2026-11-22T03:00:00Z' });
  const make = async (name: string) => {
    const res = await h.api('POST', '/api/opinion/sources', { as: analyst, body: { name, kind: 'push' } });
    expect(res.status).toBe(201);
    expect(res.body.source.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    return { id: res.body.source.id as string, token: res.body.source.token as string };
  };
  A = await make('12345 热线');
  B = await make('市长信箱');
});
afterAll(() => h?.close());

const push = (token: string, body: unknown, as?: string) => h.api('POST', `/api/opinion/push/${token}`, { body, as });

async function itemsOf(sourceId: string): Promise<number> {
  const row = await h.beacon.ctx.db
    .selectFrom('opinion_items')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('source_id', '=', Number(sourceId))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe(`push tokens on ${dbKind}`, () => {
  it("a token adds items to its own source only, whatever the body or the caller's session claims", async () => {
    const [a0, b0] = [await itemsOf(A.id), await itemsOf(B.id)];
    const one = await push(A.token, { content: '小区停水两天', sourceId: B.id, source_id: Number(B.id), incidentId: '1', status: 'rumor' }, 'admin');
    expect(one.status).toBe(201);
    const many = await push(A.token, [
      { content: '路灯不亮', externalId: 'HL-1' },
      { content: '噪音扰民', externalId: 'HL-2', sourceId: B.id },
    ]);
    expect(many.status).toBe(201);
    const ids = [...one.body.ids, ...many.body.ids].map(Number);
    expect(ids).toHaveLength(3);
    const rows = await h.beacon.ctx.db.selectFrom('opinion_items').select(['source_id', 'incident_id', 'status']).where('id', 'in', ids).execute();
    expect(rows.map((r) => String(r.source_id))).toEqual([A.id, A.id, A.id]);
    // Nor can a push link an incident or pre-triage an item.
    expect(rows.every((r) => r.incident_id === null && r.status !== 'rumor')).toBe(true);
    expect([await itemsOf(A.id), await itemsOf(B.id)]).toEqual([a0 + 3, b0]);
    // The same external id on the other source is that source's own item, not a duplicate of A's.
    const b = await push(B.token, { content: '路灯不亮', externalId: 'HL-1' });
    expect(b.body).toMatchObject({ added: 1, duplicates: 0 });
    expect(await itemsOf(B.id)).toBe(b0 + 1);
  });

  it('a token that is not exactly a push source’s own is refused (401), adding nothing', async () => {
    const before = await h.beacon.ctx.db.selectFrom('opinion_items').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const manual = await h.api('POST', '/api/opinion/sources', { as: analyst, body: { name: '来访登记', kind: 'manual' } });
    expect(manual.body.source.token).toBeNull();
    for (const token of [A.token.toUpperCase(), A.token.slice(0, -1), `${A.token}x`, A.token.slice(0, 15), 'null', 'undefined', '%00', encodeURIComponent(`${A.token} `), 'x'.repeat(32)]) {
      const res = await push(token, { content: `伪造 ${token}` });
      expect(res.status, token).toBe(401);
      expect(res.body.error.message).toBe('unknown push token');
    }
    const after = await h.beacon.ctx.db.selectFrom('opinion_items').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('a disabled source’s token is refused (403) and adds nothing; enabled again, it works', async () => {
    expect((await h.api('PATCH', `/api/opinion/sources/${A.id}`, { as: analyst, body: { enabled: false } })).status).toBe(200);
    const before = await itemsOf(A.id);
    const refused = await push(A.token, { content: '停用后推送' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe('this push source is disabled');
    expect(await itemsOf(A.id)).toBe(before);
    expect((await h.api('PATCH', `/api/opinion/sources/${A.id}`, { as: analyst, body: { enabled: true } })).status).toBe(200);
    expect((await push(A.token, { content: '恢复后推送' })).status).toBe(201);
  });

  it('a rotated token stops working at once; the new one feeds the same source', async () => {
    const old = B.token;
    const rotated = await h.api('PATCH', `/api/opinion/sources/${B.id}`, { as: analyst, body: { rotateToken: true } });
    expect(rotated.status).toBe(200);
    const fresh: string = rotated.body.source.token;
    expect(fresh).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(fresh).not.toBe(old);
    expect((await push(old, { content: '旧令牌' })).status).toBe(401);
    const before = await itemsOf(B.id);
    expect((await push(fresh, { content: '新令牌' })).status).toBe(201);
    expect(await itemsOf(B.id)).toBe(before + 1);
    B = { ...B, token: fresh };
    // Only analysts may rotate.
    expect((await h.api('PATCH', `/api/opinion/sources/${B.id}`, { as: 'leader', body: { rotateToken: true } })).status).toBe(403);
  });

  it('tokens are shown to analysts only: not to leaders or anyone else, not in events, not in /metrics', async () => {
    const tokens = [A.token, B.token];
    const asAnalyst = await h.api('GET', '/api/opinion/sources', { as: analyst });
    expect(asAnalyst.status).toBe(200);
    expect(tokens.every((t) => JSON.stringify(asAnalyst.body).includes(t))).toBe(true);
    const asLeader = await h.api('GET', '/api/opinion/sources', { as: 'leader' });
    expect(asLeader.status).toBe(200);
    expect((asLeader.body.items as { kind: string; token: string | null }[]).filter((s) => s.kind === 'push').map((s) => s.token)).toEqual([null, null]);
    for (const who of ['duty', 'spokes', 'admin', 'em.leader', undefined]) {
      const res = await h.api('GET', '/api/opinion/sources', { as: who });
      expect(res.status, String(who)).toBe(who ? (who === 'em.leader' ? 200 : 403) : 401);
      for (const t of tokens) expect(JSON.stringify(res.body)).not.toContain(t);
    }
    // Nowhere in the event log (which is what sockets and /api/events carry), for anyone.
    const leaked = await sql<{ n: number }>`select count(*)::int as n from events where payload::text like ${`%${A.token}%`} or payload::text like ${`%${B.token}%`}`.execute(h.beacon.ctx.db);
    expect(leaked.rows[0].n).toBe(0);
    for (const who of [analyst, 'leader']) {
      const events = await h.api('GET', '/api/events?after=0&limit=5000', { as: who });
      expect(events.body.events.some((e: { type: string }) => e.type === 'opinion.source')).toBe(true);
      for (const t of tokens) expect(JSON.stringify(events.body)).not.toContain(t);
    }
    const metrics = await h.api('GET', '/metrics');
    expect(metrics.status).toBe(200);
    for (const t of tokens) expect(String(metrics.body)).not.toContain(t);
    expect(String(metrics.body)).toContain('/api/opinion/push/:token');
  });
});
