// Incidents, departments and people the console holds, kept current by HTTP loads and events.
import type { BeaconEvent, Department, Incident, Role } from '../../../shared/domain.ts';
import { api, ApiError } from './api.ts';
import { setServerTime } from './clock.svelte.ts';
import { errorText } from './errors.ts';
import { applyEventToList, mergeIncident, mergeList } from './events.ts';

export interface Person {
  id: string;
  name: string;
  departmentId: string;
  roles: Role[];
}

class Store {
  incidents = $state.raw<Incident[]>([]);
  departments = $state.raw<Department[]>([]);
  people = $state.raw<Person[]>([]);
  loading = $state(false);
  loaded = $state(false);
  error = $state<string | null>(null);

  departmentById = $derived(new Map(this.departments.map((d) => [d.id, d])));
  personById = $derived(new Map(this.people.map((p) => [p.id, p])));
}

export const store = new Store();

export function departmentName(id: string | null | undefined): string {
  if (!id) return '';
  return store.departmentById.get(id)?.name ?? `#${id}`;
}

export function personName(id: string | null | undefined): string {
  if (!id) return '';
  return store.personById.get(id)?.name ?? `#${id}`;
}

/** Ids added by events while a list load is in flight (the load's snapshot may predate them). */
let addedDuringLoad: Set<string> | null = null;
let loadSeq = 0;

export async function loadIncidents(): Promise<void> {
  const seq = ++loadSeq;
  store.loading = true;
  addedDuringLoad = new Set();
  // The dashboard carries serverNow: a second source for the clock offset besides the socket hello.
  void syncClockFromDashboard();
  try {
    const { items } = await api.get<{ items: Incident[] }>('/api/incidents');
    if (seq !== loadSeq) return;
    const merged = mergeList(store.incidents, items);
    const keep = store.incidents.filter((x) => addedDuringLoad?.has(x.id) && !merged.some((m) => m.id === x.id));
    store.incidents = [...merged, ...keep];
    store.loaded = true;
    store.error = null;
  } catch (err) {
    if (seq !== loadSeq) return;
    store.error = errorText(err);
  } finally {
    if (seq === loadSeq) {
      store.loading = false;
      addedDuringLoad = null;
    }
  }
}

async function syncClockFromDashboard(): Promise<void> {
  try {
    const sentAt = Date.now();
    const { serverNow } = await api.get<{ serverNow: string }>('/api/dashboard');
    if (typeof serverNow === 'string') setServerTime(serverNow, Date.now(), sentAt);
  } catch {
    /* the socket hello sets the offset too */
  }
}

export async function loadReference(): Promise<void> {
  const [departments, people] = await Promise.allSettled([
    api.get<{ items: Department[] }>('/api/departments'),
    api.get<{ items: Person[] }>('/api/people'),
  ]);
  if (departments.status === 'fulfilled') store.departments = departments.value.items;
  if (people.status === 'fulfilled') store.people = people.value.items;
}

/** Store the incident part of `incident` (a detail's history and related lists stay with the detail view). */
export function upsertIncident(full: Incident): void {
  const { history: _h, releases: _r, conferences: _c, tasks: _t, ...incident } = full as Incident &
    Partial<Record<'history' | 'releases' | 'conferences' | 'tasks', unknown>>;
  const i = store.incidents.findIndex((x) => x.id === incident.id);
  if (i < 0) {
    store.incidents = [...store.incidents, incident];
    addedDuringLoad?.add(incident.id);
  } else {
    store.incidents = store.incidents.map((x, j) => (j === i ? mergeIncident(x, incident) : x));
  }
}

export function removeIncident(id: string): void {
  store.incidents = store.incidents.filter((x) => x.id !== id);
}

/** Fetch one incident into the list (or drop it when it is gone or no longer visible). */
export async function refreshIncident(id: string): Promise<void> {
  try {
    const { incident } = await api.get<{ incident: Incident }>(`/api/incidents/${encodeURIComponent(id)}`);
    upsertIncident(incident);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 403)) removeIncident(id);
  }
}

export function applyEventToStore(e: BeaconEvent): void {
  const before = store.incidents;
  const { items, missingIncidentId } = applyEventToList(before, e);
  if (items !== before) {
    for (const x of items) if (!before.some((b) => b.id === x.id)) addedDuringLoad?.add(x.id);
    store.incidents = items;
  }
  if (missingIncidentId) void refreshIncident(missingIncidentId);
}

export function resetStore(): void {
  loadSeq++;
  store.incidents = [];
  store.departments = [];
  store.people = [];
  store.loaded = false;
  store.loading = false;
  store.error = null;
}
