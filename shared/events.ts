// Event type names carried by the event log, `GET /api/events` and the socket `event` message.
export const EVENT = {
  departmentCreated: 'department.created',
  userCreated: 'user.created',
  incidentCreated: 'incident.created',
  incidentUpdated: 'incident.updated',
  incidentClosed: 'incident.closed',
  deadlineCreated: 'deadline.created',
  deadlineWarning: 'deadline.warning',
  deadlineMissed: 'deadline.missed',
  deadlineMet: 'deadline.met',
  deadlineWaived: 'deadline.waived',
  policyUpdated: 'policy.updated',
} as const;
export type EventType = (typeof EVENT)[keyof typeof EVENT];

export const RELEASE_EVENT = {
  created: 'release.created',
  updated: 'release.updated',
  submitted: 'release.submitted',
  approved: 'release.approved',
  rejected: 'release.rejected',
  scheduled: 'release.scheduled',
  unscheduled: 'release.unscheduled',
  published: 'release.published',
  retracted: 'release.retracted',
  delivery: 'release.delivery',
} as const;

export const CONFERENCE_EVENT = {
  planned: 'conference.planned',
  held: 'conference.held',
  cancelled: 'conference.cancelled',
} as const;
