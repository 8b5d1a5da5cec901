import { describe, expect, it } from 'vitest';
import type { BeaconEvent, Deadline, Incident } from '../../shared/domain.ts';
import {
  applyEventToIncident,
  applyEventToList,
  compareIds,
  eventIncidentId,
  mergeIncident,
  mergeList,
} from '../../web/src/lib/events.ts';

const dl = (over: Partial<Deadline> & { id: string }): Deadline => ({
  incidentId: '1',
  opinionItemId: null,
  kind: 'first_release',
  dueAt: '2025-07-14T05:00:00.000Z',
  status: 'pending',
  metAt: null,
  waivedAt: null,
  waivedBy: null,
  waiveReason: null,
  warningsSent: [],
  policyVersion: 1,
  createdAt: '2025-07-14T00:00:00.000Z',
  ...over,
});

const inc = (over: Partial<Incident> & { id: string }): Incident =>
  ({
    title: 't',
    status: 'open',
    version: 1,
    deadlines: [],
    ...over,
  }) as Incident;

const ev = (id: string, type: string, payload: Record<string, unknown>, incidentId: string | null = null): BeaconEvent => ({
  id,
  type,
  at: '2025-07-14T00:00:00.000Z',
  incidentId,
  payload,
});

describe('applying events', () => {
  it('upserts incidents from incident.* payloads', () => {
    const a = inc({ id: '1', title: 'old' });
    const created = ev('10', 'incident.created', { incident: inc({ id: '2' }) });
    const r1 = applyEventToList([a], created);
    expect(r1.items.map((x) => x.id)).toEqual(['1', '2']);
    const updated = ev('11', 'incident.updated', { incident: inc({ id: '1', title: 'new', version: 2 }) });
    expect(applyEventToList(r1.items, updated).items[0].title).toBe('new');
  });

  it('never rolls back to an older version', () => {
    const current = inc({ id: '1', title: 'v3', version: 3 });
    const stale = ev('9', 'incident.updated', { incident: inc({ id: '1', title: 'v2', version: 2 }) });
    expect(applyEventToIncident(current, stale).title).toBe('v3');
  });

  it('replaces a deadline inside its incident, and asks for unknown incidents', () => {
    const a = inc({ id: '1', deadlines: [dl({ id: 'd1' }), dl({ id: 'd2', kind: 'press_conference' })] });
    const missed = ev('12', 'deadline.missed', { deadline: dl({ id: 'd1', status: 'missed' }), incidentTitle: 't' });
    const r = applyEventToList([a], missed);
    expect(r.items[0].deadlines.map((d) => d.status)).toEqual(['missed', 'pending']);
    expect(r.missingIncidentId).toBeNull();
    const other = ev('13', 'deadline.warning', { deadline: dl({ id: 'x', incidentId: '99' }), minutesBefore: 30 });
    expect(applyEventToList([a], other).missingIncidentId).toBe('99');
    expect(eventIncidentId(other)).toBe('99');
  });

  it('keeps a met deadline when an older pending copy arrives', () => {
    const a = inc({ id: '1', deadlines: [dl({ id: 'd1', status: 'met', metAt: '2025-07-14T01:00:00.000Z' })] });
    const old = ev('5', 'deadline.created', { deadline: dl({ id: 'd1' }) });
    expect(applyEventToIncident(a, old).deadlines[0].status).toBe('met');
  });

  it('leaves the list untouched for unrelated events', () => {
    const items = [inc({ id: '1' })];
    expect(applyEventToList(items, ev('1', 'policy.updated', {})).items).toBe(items);
  });

  it('merges a fetched list without losing newer event state', () => {
    const fromEvent = inc({ id: '1', version: 5, title: 'newer' });
    const fetched = [inc({ id: '1', version: 4, title: 'older' }), inc({ id: '2' })];
    const merged = mergeList([fromEvent], fetched);
    expect(merged.map((x) => x.title)).toEqual(['newer', 't']);
    expect(mergeIncident(undefined, fetched[1])).toBe(fetched[1]);
  });

  it('compares bigserial ids numerically', () => {
    expect(compareIds('9', '10')).toBeLessThan(0);
    expect(compareIds('100', '99')).toBeGreaterThan(0);
    expect(compareIds('5', '5')).toBe(0);
  });
});
