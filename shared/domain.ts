// Domain vocabulary shared by the server and the console. Pure data and types only.

export const ROLES = ['duty_officer', 'spokesperson', 'analyst', 'leader', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const SEVERITIES = ['I', 'II', 'III', 'IV'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CATEGORIES = ['natural_disaster', 'accident', 'public_health', 'social_security'] as const;
export type Category = (typeof CATEGORIES)[number];

export const DEADLINE_KINDS = ['first_release', 'press_conference', 'follow_up', 'opinion_response'] as const;
export type DeadlineKind = (typeof DEADLINE_KINDS)[number];

export const DEADLINE_STATUSES = ['pending', 'met', 'missed', 'waived'] as const;
export type DeadlineStatus = (typeof DEADLINE_STATUSES)[number];

export interface Casualties {
  deaths: number;
  injured: number;
  missing: number;
}

export interface Department {
  id: string;
  name: string;
  coordinating: boolean;
}

export interface User {
  id: string;
  login: string;
  name: string;
  departmentId: string;
  roles: Role[];
}

export interface Deadline {
  id: string;
  incidentId: string;
  opinionItemId: string | null;
  kind: DeadlineKind;
  dueAt: string;
  status: DeadlineStatus;
  metAt: string | null;
  waivedAt: string | null;
  waivedBy: string | null;
  waiveReason: string | null;
  /** Minutes-before-due warnings already sent (60, 30, 10). */
  warningsSent: number[];
  policyVersion: number;
  createdAt: string;
}

export interface Incident {
  id: string;
  title: string;
  summary: string;
  category: Category;
  severity: Severity;
  status: 'open' | 'closed';
  occurredAt: string;
  reportedAt: string;
  location: string;
  leadDepartmentId: string;
  spokespersonId: string | null;
  casualties: Casualties;
  significantImpact: boolean;
  sensitive: boolean;
  keywords: string[];
  loggedLate: boolean;
  version: number;
  createdBy: string;
  updatedAt: string;
  closedAt: string | null;
  deadlines: Deadline[];
}

/** One entry of an incident's history of facts, derived from its event log. */
export interface FactChange {
  eventId: string;
  at: string;
  by: string | null;
  byName: string | null;
  type: string;
  changes: Record<string, { from: unknown; to: unknown }>;
}

export interface IncidentDetail extends Incident {
  history: FactChange[];
  releases: unknown[];
  conferences: unknown[];
  tasks: unknown[];
}

export interface BeaconEvent {
  id: string;
  type: string;
  at: string;
  incidentId: string | null;
  payload: Record<string, unknown>;
}

export interface Hello {
  serverNow: string;
  user: User;
  lastEventId: string;
}

export interface DashboardIncident extends Incident {
  nextDeadline: Deadline | null;
}

export interface OverdueDeadline extends Deadline {
  incidentTitle: string;
  leadDepartmentId: string;
}

export interface Dashboard {
  serverNow: string;
  incidents: DashboardIncident[];
  overdue: OverdueDeadline[];
  opinion: { volume: number; negativeShare: number; bursts: unknown[] };
}
