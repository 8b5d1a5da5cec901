// Socket authorisation (DESIGN §6): `watch` and `unwatch` × department relation to an incident, and no event of an
// incident ever reaching the socket of a department that may not see it. A related client's receipt is the
// synchronisation point; a barrier event that does reach the unrelated clients proves they were listening.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BeaconEvent } from '../../shared/domain.ts';
import { chemicalPlant, dbKind } from '../support/harness.ts';
import { CHECKLIST, loginOf, SECRET, startWorld, type World } from '../support/security-world.ts';
import { connectClient, sleep, waitFor, type Client } from '../support/security-sockets.ts';

let w: World;
let url: string;
const clients: Client[] = [];

beforeAll(async () => {
  w = await startWorld();
  url = await w.h.beacon.listen(0);
}, 60_000);
afterAll(async () => {
  for (const c of clients) c.close();
  await w?.close();
});

async function client(login: string): Promise<Client> {
  const c = await connectClient(url, login, await w.freshCookie(login));
  clients.push(c);
  return c;
}

const own = loginOf('leader', 'own');
const coord = loginOf('leader', 'coordinating');
/** Everyone in the unrelated department, plus an analyst of another unrelated one (police). */
const unrelatedLogins = [loginOf('leader', 'unrelated'), loginOf('duty_officer', 'unrelated'), loginOf('analyst', 'unrelated'), loginOf('spokesperson', 'unrelated'), 'po.analyst'];

const about = (id: string) => (e: BeaconEvent) =>
  e.incidentId === id || JSON.stringify(e.payload).includes(`"incidentId":"${id}"`) || (e.payload as { incident?: { id?: string } }).incident?.id === id;

function presenceOf(c: Client, incidentId: string) {
  return c.messages.filter((m) => m.name === 'presence' && (m.data as { incidentId?: string }).incidentId === incidentId);
}

describe(`socket authorisation on ${dbKind}`, () => {
  it('watch: own and coordinating departments join; an unrelated one is refused exactly as for no such incident', async () => {
    const I = w.fx.incident.id;
    const [o, c, u] = [await client(own), await client(coord), await client(loginOf('leader', 'unrelated'))];
    expect(await o.watch(I)).toEqual({ ok: true });
    expect(await c.watch(I)).toEqual({ ok: true });
    const refused = await u.watch(I);
    expect(refused).toEqual({ ok: false, error: 'not_found' });
    expect(await u.watch('2147483000')).toEqual(refused);
    // Junk never joins anything nor crashes the handler.
    for (const junk of [undefined, null, 'abc', -1, 0, 1.5, 1e12, '1 OR 1=1', { $gt: 0 }, `${I}abc`, `incident:${I}`]) {
      expect(await u.watch(junk), JSON.stringify(junk)).toEqual({ ok: false, error: 'not_found' });
    }
    u.socket.emit('watch', 'not an object');
    u.socket.emit('watch');
    // Presence of the incident goes to its room: the others see each other, the refused socket sees nothing.
    await waitFor(() => presenceOf(o, I).some((m) => JSON.stringify(m.data).includes(w.userId[coord])), 5000, 'own to see coord present');
    const rooms = [...(w.h.beacon.io.of('/').sockets.get(u.socket.id!)?.rooms ?? [])];
    expect(rooms.filter((r) => r.startsWith('incident:'))).toEqual([]);
    expect(presenceOf(u, I)).toEqual([]);
    // Over HTTP the unrelated leader cannot read who is present either.
    expect((await w.call('GET', `/api/incidents/${I}/presence`, { as: loginOf('leader', 'unrelated') })).status).toBe(404);
  });

  it('unwatch: harmless from anyone; an unrelated socket cannot remove others from the room', async () => {
    const I = w.fx.incident.id;
    const [o, u] = [await client(loginOf('duty_officer', 'own')), await client(loginOf('duty_officer', 'unrelated'))];
    expect(await o.watch(I)).toEqual({ ok: true });
    for (const junk of [I, undefined, 'incident:1', { incidentId: I }]) u.socket.emit('unwatch', { incidentId: junk });
    u.socket.emit('unwatch');
    u.socket.emit('unwatch', null);
    await sleep(100);
    const present = await w.call('GET', `/api/incidents/${I}/presence`, { as: own });
    expect(present.status).toBe(200);
    expect((present.body.users as { id: string }[]).map((x) => x.id)).toContain(w.userId[loginOf('duty_officer', 'own')]);
    // The own department's unwatch works: it leaves the room and stops hearing presence.
    o.socket.emit('unwatch', { incidentId: I });
    await waitFor(
      () => ![...(w.h.beacon.io.of('/').sockets.get(o.socket.id!)?.rooms ?? [])].includes(`incident:${I}`),
      5000,
      'own socket to leave the room',
    );
    expect(presenceOf(u, I)).toEqual([]);
  });

  it('no event of an incident reaches an unrelated department: create, patch, release steps, task, comment, conference', async () => {
    const related = await client(coord);
    const lead = await client(own);
    const unrelated = await Promise.all(unrelatedLogins.map(client));
    const as = { duty: loginOf('duty_officer', 'own'), spokes: loginOf('spokesperson', 'own'), leader: own };
    const ok = async (p: Promise<{ status: number; text: string; body: any }>, what: string) => {
      const r = await p;
      expect(r.status, `${what}: ${r.text.slice(0, 200)}`).toBeLessThan(300);
      return r.body;
    };
    const later = (m: number) => new Date(w.h.clock.now().getTime() + m * 60_000).toISOString();

    const title = `城西隧道坍塌 ${w.uniq()}`;
    const inc = (await ok(w.call('POST', '/api/incidents', { as: as.duty, body: chemicalPlant(w.h.city, later(-30), { title, leadDepartmentId: w.dept.own, summary: SECRET }) }), 'create')).incident;
    const J: string = inc.id;
    await related.next((e) => e.type === 'incident.created' && about(J)(e), 'incident.created');
    await ok(w.call('PATCH', `/api/incidents/${J}`, { as: as.duty, body: { version: inc.version, casualties: { injured: 20 } } }), 'patch');
    const rel = (await ok(w.call('POST', `/api/incidents/${J}/releases`, { as: as.spokes, body: { kind: 'initial', title: `${title} 首报`, body: SECRET } }), 'release')).release;
    await ok(w.call('POST', `/api/releases/${rel.id}/submit`, { as: as.spokes, body: {} }), 'submit');
    await ok(w.call('POST', `/api/releases/${rel.id}/approve`, { as: as.leader, body: { version: rel.version, checklist: CHECKLIST, comment: SECRET } }), 'approve');
    await ok(w.call('POST', `/api/releases/${rel.id}/publish`, { as: as.spokes, body: { at: later(90) } }), 'schedule');
    await ok(w.call('POST', `/api/releases/${rel.id}/unschedule`, { as: as.spokes }), 'unschedule');
    const task = (await ok(w.call('POST', `/api/incidents/${J}/tasks`, { as: as.duty, body: { departmentId: w.dept.own, title: SECRET } }), 'task')).task;
    await ok(w.call('POST', `/api/tasks/${task.id}/ack`, { as: as.duty, body: {} }), 'ack');
    // Mentioning people who may not see the incident neither notifies nor reaches them.
    await ok(
      w.call('POST', `/api/incidents/${J}/comments`, { as: as.leader, body: { body: `@${loginOf('leader', 'unrelated')} @po.analyst 请关注 ${SECRET}` } }),
      'comment',
    );
    await ok(w.call('POST', `/api/incidents/${J}/conferences`, { as: as.spokes, body: { scheduledAt: later(300), venue: SECRET } }), 'conference');
    await ok(w.call('POST', `/api/releases/${rel.id}/publish`, { as: as.spokes, body: {} }), 'publish');
    const expected = ['incident.created', 'incident.updated', 'release.created', 'release.submitted', 'release.approved', 'release.scheduled', 'release.unscheduled', 'task.created', 'task.acked', 'comment.created', 'conference.planned', 'release.published'];
    await waitFor(() => expected.every((t) => related.events.some((e) => e.type === t && about(J)(e))), 8000, `the coordinating client to receive ${expected.join(', ')}`);
    await waitFor(() => expected.every((t) => lead.events.some((e) => e.type === t && about(J)(e))), 8000, 'the lead client to receive them too');

    // Barriers: incidents the unrelated departments lead. Once each unrelated socket has its barrier, anything
    // emitted to it before has arrived (one connection delivers in order).
    const barriers = await Promise.all(
      [w.dept.unrelated, w.h.city.depts.police].map(async (lead) =>
        (await ok(w.call('POST', '/api/incidents', { as: as.duty, body: chemicalPlant(w.h.city, later(-5), { title: `屏障 ${w.uniq()}`, leadDepartmentId: lead }) }), 'barrier')).incident.id as string,
      ),
    );
    for (const u of unrelated) {
      await u.next((e) => e.type === 'incident.created' && barriers.some((b) => about(b)(e)), 'its barrier event');
    }
    for (const u of unrelated) {
      const leaked = u.events.filter((e) => about(J)(e) || JSON.stringify(e).includes(SECRET) || JSON.stringify(e).includes(title));
      expect(leaked.map((e) => e.type), `${u.login} received events of an incident it may not see`).toEqual([]);
      expect(u.messages.filter((m) => m.name === 'presence' && (m.data as { incidentId?: string }).incidentId === J)).toEqual([]);
    }
    // The same holds for the catch-up over HTTP.
    for (const login of unrelatedLogins) {
      const res = await w.call('GET', '/api/events?after=0&limit=5000', { as: login });
      const leaked = (res.body.events as BeaconEvent[]).filter((e) => about(J)(e) || JSON.stringify(e).includes(SECRET));
      expect(leaked.map((e) => e.type), `${login} /api/events`).toEqual([]);
    }
  });

  // KNOWN HOLE (server/opinion/triage.ts startResponseClock): the deadline.created event of an opinion clock goes
  // to every analyst and leader (opinionWatchers) with the incident's id and title, whether or not they may see the
  // incident. Remove `.fails` once the event is addressed only to watchers who may see the incident.
  it('triaging opinion onto an incident tells no unrelated analyst or leader about it', async () => {
    const related = await client(coord);
    const unrelated = [await client(loginOf('leader', 'unrelated')), await client(loginOf('analyst', 'unrelated'))];
    const analyst = loginOf('analyst', 'own');
    const item = (await w.call('POST', '/api/opinion/items', { as: analyst, body: { content: `网传隧道内仍有人员被困 ${w.uniq()}` } })).body.item;
    const J = w.fx.incident.id;
    const triaged = await w.call('POST', `/api/opinion/items/${item.id}/triage`, { as: analyst, body: { status: 'rumor', incidentId: J } });
    expect(triaged.status).toBe(200);
    await related.next((e) => e.type === 'deadline.created' && about(J)(e), 'deadline.created');
    const barrier = (await w.call('POST', '/api/incidents', { as: loginOf('duty_officer', 'unrelated'), body: chemicalPlant(w.h.city, new Date(w.h.clock.now().getTime() - 60_000).toISOString(), { title: `屏障 ${w.uniq()}`, leadDepartmentId: w.dept.unrelated }) })).body.incident.id;
    for (const u of unrelated) await u.next((e) => about(barrier)(e), 'barrier');
    for (const u of unrelated) expect(u.events.filter(about(J)).map((e) => e.type), u.login).toEqual([]);
  });
});
