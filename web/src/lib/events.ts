// Pure application of server events to the console's incident state.
import type { BeaconEvent, Deadline, Incident } from '../../../shared/domain.ts';

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

export function payloadIncident(e: BeaconEvent): Incident | null {
  const inc = e.payload?.incident;
  return isObject(inc) && typeof inc.id === 'string' ? (inc as unknown as Incident) : null;
}

export function payloadDeadline(e: BeaconEvent): Deadline | null {
  const d = e.payload?.deadline;
  return isObject(d) && typeof d.id === 'string' && typeof d.incidentId === 'string' ? (d as unknown as Deadline) : null;
}

/** The incident an event is about, if any. */
export function eventIncidentId(e: BeaconEvent): string | null {
  return e.incidentId ?? payloadIncident(e)?.id ?? payloadDeadline(e)?.incidentId ?? null;
}

/** Compare event ids (bigserial as decimal strings) numerically. */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length && /^\d+$/.test(a) && /^\d+$/.test(b)) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** How far a clock has progressed; state never goes backwards when old and new copies meet. */
function progress(d: Deadline): number {
  if (d.status === 'pending') return 0;
  if (d.status === 'missed' && !d.metAt) return 1;
  return 2;
}

/** The newer of two copies of one deadline. */
export function mergeDeadline(existing: Deadline | undefined, incoming: Deadline): Deadline {
  if (!existing) return incoming;
  return progress(incoming) >= progress(existing) ? incoming : existing;
}

function mergeDeadlines(existing: readonly Deadline[], incoming: readonly Deadline[]): Deadline[] {
  const byId = new Map(existing.map((d) => [d.id, d]));
  const out = incoming.map((d) => mergeDeadline(byId.get(d.id), d));
  const seen = new Set(incoming.map((d) => d.id));
  for (const d of existing) if (!seen.has(d.id)) out.push(d);
  return out;
}

/**
 * Combine what we hold with a copy from the server (a fetch or an event payload), so that a
 * late-arriving older copy never rolls the state back: lower `version` loses; deadlines merge by id.
 */
export function mergeIncident<T extends Incident>(existing: T | undefined, incoming: Incident): T {
  if (!existing) return incoming as T;
  if (incoming.version < existing.version) {
    return { ...existing, deadlines: mergeDeadlines(incoming.deadlines ?? [], existing.deadlines ?? []) };
  }
  const deadlines = Array.isArray(incoming.deadlines)
    ? mergeDeadlines(existing.deadlines ?? [], incoming.deadlines)
    : existing.deadlines;
  return { ...existing, ...incoming, deadlines };
}

/** Replace (or add) one deadline inside an incident. */
export function withDeadline<T extends Incident>(incident: T, deadline: Deadline): T {
  const list = incident.deadlines ?? [];
  const i = list.findIndex((d) => d.id === deadline.id);
  const deadlines = i < 0 ? [...list, deadline] : list.map((d, j) => (j === i ? mergeDeadline(d, deadline) : d));
  return { ...incident, deadlines };
}

/** Apply one event to one incident (returns the same object when the event does not touch it). */
export function applyEventToIncident<T extends Incident>(incident: T, e: BeaconEvent): T {
  const inc = payloadIncident(e);
  if (inc && inc.id === incident.id) return mergeIncident(incident, inc);
  const d = payloadDeadline(e);
  if (d && d.incidentId === incident.id) return withDeadline(incident, d);
  return incident;
}

export interface ListUpdate {
  items: Incident[];
  /** An incident the event is about that the list does not hold (fetch it if it should be visible). */
  missingIncidentId: string | null;
}

/** Apply one event to the board's list. */
export function applyEventToList(items: Incident[], e: BeaconEvent): ListUpdate {
  const inc = payloadIncident(e);
  if (inc) {
    const i = items.findIndex((x) => x.id === inc.id);
    if (i < 0) return { items: [...items, mergeIncident(undefined, inc)], missingIncidentId: null };
    return { items: items.map((x, j) => (j === i ? mergeIncident(x, inc) : x)), missingIncidentId: null };
  }
  const d = payloadDeadline(e);
  if (d) {
    const i = items.findIndex((x) => x.id === d.incidentId);
    if (i < 0) return { items, missingIncidentId: d.incidentId };
    return { items: items.map((x, j) => (j === i ? withDeadline(x, d) : x)), missingIncidentId: null };
  }
  const id = eventIncidentId(e);
  const known = id !== null && items.some((x) => x.id === id);
  return { items, missingIncidentId: id !== null && !known && e.type.startsWith('incident.') ? id : null };
}

/** Merge a freshly fetched list with what we hold (which may include newer copies from events). */
export function mergeList(current: readonly Incident[], fetched: readonly Incident[]): Incident[] {
  const byId = new Map(current.map((x) => [x.id, x]));
  return fetched.map((x) => mergeIncident(byId.get(x.id), x));
}
