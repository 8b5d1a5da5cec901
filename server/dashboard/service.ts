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
 * department's members alike) until the next committed event or one second has passed: a wall of leaders'
 * screens refreshing together costs one query. `serverNow` is always fresh.
 */
export class DashboardCache {
  #entries = new Map<string, { at: number; body: string }>();

  constructor(
    private ctx: AppContext,
    private maxAgeMs = 1000,
  ) {
    ctx.bus.on(() => this.#entries.clear());
  }

  async json(actor: Actor): Promise<string> {
    const now = this.ctx.clock.now();
    const key = `${actor.coordinating ? 'all' : `dept:${actor.departmentId}`}|${hasRole(actor, 'analyst', 'leader') ? 'opinion' : ''}`;
    let entry = this.#entries.get(key);
    if (!entry || now.getTime() - entry.at > this.maxAgeMs || now.getTime() < entry.at) {
      const { serverNow: _ignored, ...rest } = await dashboard(this.ctx, actor);
      entry = { at: now.getTime(), body: JSON.stringify(rest).slice(1) };
      this.#entries.set(key, entry);
    }
    return `{"serverNow":${JSON.stringify(this.ctx.clock.now().toISOString())},${entry.body}`;
  }
}
