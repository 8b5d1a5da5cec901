import type { Category, Deadline, DeadlineKind, Incident, Severity } from '../../shared/domain.ts';
import type { Selectable } from 'kysely';
import type { DeadlinesTable, IncidentsTable } from '../db/schema.ts';

export type IncidentRow = Selectable<IncidentsTable>;
export type DeadlineRow = Selectable<DeadlinesTable>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toDeadline(r: DeadlineRow): Deadline {
  return {
    id: String(r.id),
    incidentId: String(r.incident_id),
    opinionItemId: r.opinion_item_id === null ? null : String(r.opinion_item_id),
    kind: r.kind as DeadlineKind,
    dueAt: r.due_at.toISOString(),
    status: r.status,
    metAt: iso(r.met_at),
    waivedAt: iso(r.waived_at),
    waivedBy: r.waived_by === null ? null : String(r.waived_by),
    waiveReason: r.waive_reason,
    warningsSent: r.warnings_sent,
    policyVersion: r.policy_version,
    createdAt: r.created_at.toISOString(),
  };
}

export function toIncident(r: IncidentRow, deadlines: DeadlineRow[]): Incident {
  return {
    id: String(r.id),
    title: r.title,
    summary: r.summary,
    category: r.category as Category,
    severity: r.severity as Severity,
    status: r.status,
    occurredAt: r.occurred_at.toISOString(),
    reportedAt: r.reported_at.toISOString(),
    location: r.location,
    leadDepartmentId: String(r.lead_department_id),
    spokespersonId: r.spokesperson_id === null ? null : String(r.spokesperson_id),
    casualties: { deaths: r.deaths, injured: r.injured, missing: r.missing },
    significantImpact: r.significant_impact,
    sensitive: r.sensitive,
    keywords: r.keywords,
    loggedLate: r.logged_late,
    version: r.version,
    createdBy: String(r.created_by),
    updatedAt: r.updated_at.toISOString(),
    closedAt: iso(r.closed_at),
    deadlines: deadlines
      .filter((d) => d.incident_id === r.id)
      .sort((a, b) => a.due_at.getTime() - b.due_at.getTime() || a.id - b.id)
      .map(toDeadline),
  };
}
