// Domain vocabulary shared by the server and the console. Pure data and types only.
import type { Comment, Task } from './coordination.ts';
import type { OpinionBurst } from './opinion.ts';

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

export interface TimelineEntry {
  eventId: string;
  at: string;
  type: string;
  byName: string | null;
  summary: Record<string, unknown>;
}

export interface IncidentDetail extends Incident {
  history: FactChange[];
  /** Every event of the incident, newest first: facts, clocks, releases, conferences. */
  timeline: TimelineEntry[];
  releases: Release[];
  conferences: Conference[];
  tasks: Task[];
  comments: Comment[];
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
  /** Zeros for users who are neither analysts nor leaders. */
  opinion: { volume: number; negativeShare: number; bursts: OpinionBurst[] };
}

export const RELEASE_KINDS = ['initial', 'update', 'clarification', 'correction'] as const;
export type ReleaseKind = (typeof RELEASE_KINDS)[number];
export const RELEASE_STATUSES = ['draft', 'in_review', 'approved', 'scheduled', 'published', 'retracted'] as const;
export type ReleaseStatus = (typeof RELEASE_STATUSES)[number];

/** The confidentiality review a leader confirms with an approval ("review first, then disclose"). */
export const REVIEW_CHECKS = ['noStateSecrets', 'noPersonalPrivacy', 'figuresVerified'] as const;
export type ReviewCheck = (typeof REVIEW_CHECKS)[number];

export interface ReleaseReview {
  id: string;
  version: number;
  reviewerId: string;
  reviewerName: string;
  departmentId: string;
  asCoordinating: boolean;
  decision: 'approved' | 'rejected';
  comment: string;
  checklist: Record<ReviewCheck, boolean>;
  at: string;
}

export interface Release {
  id: string;
  incidentId: string;
  kind: ReleaseKind;
  title: string;
  body: string;
  status: ReleaseStatus;
  version: number;
  opinionItemIds: string[];
  correctsReleaseId: string | null;
  /** Approvals of the version under review (current version only). */
  approvals: ReleaseReview[];
  /** Approvals still needed before it can be published: 'lead' and/or 'coordinating'. */
  approvalsNeeded: ('lead' | 'coordinating')[];
  publishAt: string | null;
  publishedAt: string | null;
  retractedAt: string | null;
  retractReason: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface ReleaseRevision {
  version: number;
  title: string;
  body: string;
  editedBy: string;
  editedByName: string;
  editedAt: string;
}

export interface ReleaseDetail extends Release {
  revisions: ReleaseRevision[];
  reviews: ReleaseReview[];
  incidentTitle: string;
  sensitive: boolean;
}

export interface TalkingPoint {
  text: string;
  releaseId: string | null;
}

export interface Conference {
  id: string;
  incidentId: string;
  scheduledAt: string;
  venue: string;
  notes: string;
  spokespersonIds: string[];
  departmentIds: string[];
  talkingPoints: TalkingPoint[];
  status: 'planned' | 'held' | 'cancelled';
  heldAt: string | null;
  summary: string;
  cancelReason: string | null;
  version: number;
  createdAt: string;
}
