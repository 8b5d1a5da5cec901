// kill -9 during publication, for real: 40 approved releases on 40 incidents, all scheduled for one instant ≈ 3 s
// ahead, on a `server/main.ts` process with a webhook channel. The scheduler publishes them in batches (25 timers per
// transaction, each release with its clocks met, the follow-up clock started and its deliveries queued); the moment a
// watching socket hears the first `release.published` the process is SIGKILLed, so the next batch is in flight.
// Restarted on the same data: every release published exactly once (one `release.published` each), each incident's
// first-release clock met exactly once, one follow-up clock and one delivery per release, no release left scheduled
// nor any publish timer unfired, the audit chain intact.
import { afterAll, describe, expect, it } from 'vitest';
import { allEvents, call, dbKind, FaultServer, seedFaultCity, sleep, waitFor, watcher } from '../support/faults.ts';

const N = 40;
const CHECKLIST = { noStateSecrets: true, noPersonalPrivacy: true, figuresVerified: true };

describe(`kill -9 during publication (${dbKind})`, () => {
  const server = new FaultServer('publish');

  afterAll(() => server.cleanup(), 30_000);

  it('publishes every scheduled release exactly once across a kill and a restart', async () => {
    const t0 = Date.now();
    const phases: string[] = [];
    const phase = (what: string) => phases.push(`${what} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await server.start();
    phase('started');
    const city = await seedFaultCity(server.base);
    const { admin, duty, spokes, emlead } = city;
    const channel = await call(server.base, 'POST', '/api/channels', admin, { name: '政务新媒体', url: 'https://media.example.cn/hook' });
    expect(channel.status, JSON.stringify(channel.body)).toBe(201);

    const incidents: string[] = [];
    const releases: string[] = [];
    const firstClock = new Map<string, string>(); // incident → its first_release deadline
    for (let i = 0; i < N; i++) {
      const inc = await call(server.base, 'POST', '/api/incidents', duty, {
        title: `城区内涝点 ${i + 1} 号`,
        category: 'natural_disaster',
        severity: 'II',
        occurredAt: new Date(Date.now() - 3600_000).toISOString(),
        leadDepartmentId: city.em.id,
      });
      expect(inc.status, JSON.stringify(inc.body)).toBe(201);
      const incidentId = String(inc.body.incident.id);
      const clock = inc.body.incident.deadlines.find((d: any) => d.kind === 'first_release');
      expect(clock?.status).toBe('pending');
      firstClock.set(incidentId, String(clock.id));
      const rel = await call(server.base, 'POST', `/api/incidents/${incidentId}/releases`, spokes, {
        kind: 'initial',
        title: `关于城区内涝点 ${i + 1} 号的情况通报`,
        body: '受强降雨影响，该路段出现积水，交警已实施临时交通管制，请市民绕行。',
      });
      expect(rel.status, JSON.stringify(rel.body)).toBe(201);
      const id = String(rel.body.release.id);
      expect((await call(server.base, 'POST', `/api/releases/${id}/submit`, spokes, {})).status).toBe(200);
      const approved = await call(server.base, 'POST', `/api/releases/${id}/approve`, emlead, { version: 1, checklist: CHECKLIST });
      expect(approved.body.release?.status, JSON.stringify(approved.body)).toBe('approved');
      incidents.push(incidentId);
      releases.push(id);
    }
    phase('approved');

    const w = await watcher(server.base, emlead);
    const at = new Date(Date.now() + 3000).toISOString();
    const scheduled = await Promise.all(releases.map((id) => call(server.base, 'POST', `/api/releases/${id}/publish`, spokes, { at })));
    for (const s of scheduled) expect(s.body.release?.status, JSON.stringify(s.body)).toBe('scheduled');
    expect(Date.now(), 'scheduling took too long: the releases fell due before all were scheduled').toBeLessThan(Date.parse(at) - 500);
    phase('scheduled');

    let heardBeforeKill = 0;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no release.published within 20 s\n${server.logs()}`)), 20_000);
      w.socket.on('event', (e: any) => {
        if (e.type !== 'release.published' || heardBeforeKill++ > 0) return;
        clearTimeout(t);
        void server.kill().then(resolve, reject);
      });
    });
    const killedAt = Date.now();
    w.close();
    phase('killed');

    await server.start();
    phase('restarted');
    // The scheduler catches up with what fell due while no process ran.
    const statuses = async () =>
      Promise.all(releases.map(async (id) => (await call(server.base, 'GET', `/api/releases/${id}`, spokes)).body.release));
    const published = await waitFor(
      async () => {
        const all = await statuses();
        return all.every((r) => r.status === 'published') ? all : undefined;
      },
      30_000,
      () => `every release published after the restart\n${server.logs()}`,
    );
    phase('all published');
    for (const r of published) {
      expect(r.publishAt).toBeNull();
      expect(r.publishedAt).not.toBeNull();
    }
    await sleep(2500); // more than one scheduler cycle: nothing fires again

    const events = await allEvents(server.base, emlead);
    const publishedEvents = events.filter((e) => e.type === 'release.published');
    for (const id of releases) expect(publishedEvents.filter((e) => String(e.payload.release.id) === id), `release.published of ${id}`).toHaveLength(1);
    expect(publishedEvents).toHaveLength(N);
    const met = events.filter((e) => e.type === 'deadline.met');
    for (const [incidentId, clockId] of firstClock) {
      expect(met.filter((e) => String(e.payload.deadline.id) === clockId), `first_release of incident ${incidentId} met`).toHaveLength(1);
    }
    // Published by the killed process (its clock is ours): some, and not all, else the kill tested nothing.
    const byFirst = published.filter((r) => Date.parse(r.publishedAt) < killedAt).length;
    expect(byFirst).toBeGreaterThan(0);
    expect(byFirst, 'every release was published before the kill landed; nothing was tested').toBeLessThan(N);

    const verify = await call(server.base, 'GET', '/api/audit/verify', admin);
    expect(verify.body.ok, JSON.stringify(verify.body)).toBe(true);
    await server.stop();
    phase('stopped');

    const ids = releases.map(Number);
    const incIds = incidents.map(Number);
    const [rel] = await server.sql(
      `select count(*) filter (where status = 'published' and publish_at is null and published_at is not null)::int as published,
              count(*) filter (where status = 'scheduled')::int as scheduled
         from releases where id = any($1::int[])`,
      [ids],
    );
    expect(rel).toEqual({ published: N, scheduled: 0 });
    const [timers] = await server.sql(
      `select count(*)::int as n, count(*) filter (where fired_at is null)::int as unfired, count(distinct ref_id)::int as releases
         from timers where kind = 'release.publish' and ref_id = any($1::int[])`,
      [ids],
    );
    expect(timers).toEqual({ n: N, unfired: 0, releases: N });
    const clocks = await server.sql(
      `select d.incident_id, d.kind, d.status, d.met_at, r.published_at
         from deadlines d join releases r on r.incident_id = d.incident_id
        where d.incident_id = any($1::int[]) and d.kind in ('first_release', 'follow_up')`,
      [incIds],
    );
    for (const incidentId of incIds) {
      const first = clocks.filter((c) => c.incident_id === incidentId && c.kind === 'first_release');
      expect(first, `first_release of incident ${incidentId}`).toHaveLength(1);
      expect(first[0].status).toBe('met');
      expect(new Date(first[0].met_at).getTime()).toBe(new Date(first[0].published_at).getTime());
      expect(clocks.filter((c) => c.incident_id === incidentId && c.kind === 'follow_up'), `follow_up clocks of ${incidentId}`).toHaveLength(1);
    }
    const deliveries = await server.sql(`select release_id, count(*)::int as n from deliveries where release_id = any($1::int[]) group by 1`, [ids]);
    expect(deliveries).toHaveLength(N);
    for (const d of deliveries) expect(d.n, `deliveries of release ${d.release_id}`).toBe(1);
    const [evRows] = await server.sql(
      `select count(*)::int as n, count(distinct payload->'release'->>'id')::int as releases from events
        where type = 'release.published' and (payload->'release'->>'id')::int = any($1::int[])`,
      [ids],
    );
    expect(evRows).toEqual({ n: N, releases: N });
    phase('checked');
    console.log(
      `kill-publish (${dbKind}): ${N} releases due at ${at}; ${byFirst} published by the killed process, ` +
        `${N - byFirst} after the restart. ${phases.join(', ')}`,
    );
  }, 170_000);
});
