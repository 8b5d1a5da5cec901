// The leaders' one screen: every open incident with its next clock, and what is overdue.
import type { Dashboard } from '../../shared/domain.ts';
import type { AppContext } from '../context.ts';
import { hasRole, type Actor } from '../auth/actor.ts';
import { listIncidents } from '../incidents/service.ts';
import { opinionSummary } from '../opinion/analysis.ts';

export async function dashboard(ctx: AppContext, actor: Actor): Promise<Dashboard> {
  const now = ctx.clock.now();
  const open = await listIncidents(ctx, actor, { status: 'open' });
  const incidents = open.map((incident) => ({
    ...incident,
    nextDeadline: incident.deadlines.filter((d) => d.status === 'pending').sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0] ?? null,
  }));
  const overdue = open
    .flatMap((i) =>
      i.deadlines
        .filter((d) => (d.status === 'missed' && !d.metAt) || (d.status === 'pending' && new Date(d.dueAt) <= now))
        .map((d) => ({ ...d, incidentTitle: i.title, leadDepartmentId: i.leadDepartmentId })),
    )
    .sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  incidents.sort(
    (a, b) =>
      (a.nextDeadline?.dueAt ?? '9999').localeCompare(b.nextDeadline?.dueAt ?? '9999') || b.occurredAt.localeCompare(a.occurredAt),
  );
  // Opinion figures are for analysts and leaders, as /api/opinion/analysis is.
  const opinion = hasRole(actor, 'analyst', 'leader') ? await opinionSummary(ctx) : { volume: 0, negativeShare: 0, bursts: [] };
  return { serverNow: now.toISOString(), incidents, overdue, opinion };
}

/**
 * The dashboard as JSON, shared between everyone who sees the same thing (coordinating departments alike; a line
 * department's members alike). A committed event drops every entry, so the next request rebuilds it; otherwise an
 * entry older than a second is served once more while one rebuild runs (its countdown fields are absolute times,
 * and `serverNow` is always fresh). Concurrent misses share one rebuild.
 */
export class DashboardCache {
  #entries = new Map<string, { at: number; body: Promise<string>; refreshing: boolean }>();

  constructor(
    private ctx: AppContext,
    private maxAgeMs = 1000,
  ) {
    ctx.bus.on(() => this.#entries.clear());
  }

  #build(actor: Actor, key: string): Promise<string> {
    const at = this.ctx.clock.now().getTime();
    const body = dashboard(this.ctx, actor).then(({ serverNow: _ignored, ...rest }) => JSON.stringify(rest).slice(1));
    const entry = { at, body, refreshing: false };
    this.#entries.set(key, entry);
    body.catch(() => this.#entries.get(key) === entry && this.#entries.delete(key));
    return body;
  }

  async json(actor: Actor): Promise<string> {
    const now = this.ctx.clock.now().getTime();
    const key = `${actor.coordinating ? 'all' : `dept:${actor.departmentId}`}|${hasRole(actor, 'analyst', 'leader') ? 'opinion' : ''}`;
    const entry = this.#entries.get(key);
    let body: Promise<string>;
    if (!entry || now < entry.at || now - entry.at > 10 * this.maxAgeMs) body = this.#build(actor, key);
    else {
      body = entry.body;
      if (now - entry.at > this.maxAgeMs && !entry.refreshing) {
        entry.refreshing = true;
        const current = entry;
        const next = dashboard(this.ctx, actor).then(({ serverNow: _ignored, ...rest }) => JSON.stringify(rest).slice(1));
        next.then(
          () => this.#entries.get(key) === current && this.#entries.set(key, { at: this.ctx.clock.now().getTime(), body: next, refreshing: false }),
          () => (current.refreshing = false),
        );
      }
    }
    return `{"serverNow":${JSON.stringify(this.ctx.clock.now().toISOString())},${await body}`;
  }
}
