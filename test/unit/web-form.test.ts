import { describe, expect, it } from 'vitest';
import type { Incident } from '../../shared/domain.ts';
import { createIncidentSchema, patchIncidentSchema } from '../../shared/schemas.ts';
import {
  emptyForm,
  fieldOf,
  formFromIncident,
  formToCreatePayload,
  formToPatch,
  fromDatetimeLocal,
  parseKeywords,
  toDatetimeLocal,
  zodFieldErrors,
} from '../../web/src/lib/incidentForm.ts';
import { parseHash, routeHref } from '../../web/src/lib/routes.ts';

const incident: Incident = {
  id: '7',
  title: '某区暴雨内涝',
  summary: '',
  category: 'natural_disaster',
  severity: 'III',
  status: 'open',
  occurredAt: '2025-07-14T01:02:03.000Z',
  reportedAt: '2025-07-14T02:00:00.000Z',
  location: '城东',
  leadDepartmentId: '3',
  spokespersonId: null,
  casualties: { deaths: 1, injured: 2, missing: 0 },
  significantImpact: false,
  sensitive: false,
  keywords: ['暴雨', '内涝'],
  loggedLate: false,
  version: 4,
  createdBy: '1',
  updatedAt: '2025-07-14T02:00:00.000Z',
  closedAt: null,
  deadlines: [],
};

describe('datetime-local conversion', () => {
  it('round-trips local time to ISO UTC', () => {
    const ms = new Date(2025, 6, 14, 3, 5).getTime();
    const local = toDatetimeLocal(ms);
    expect(local).toBe('2025-07-14T03:05');
    expect(fromDatetimeLocal(local)).toBe(new Date(ms).toISOString());
    expect(fromDatetimeLocal('2025-07-14T03:05:09')).toBe(new Date(2025, 6, 14, 3, 5, 9).toISOString());
  });

  it('rejects empty and impossible values', () => {
    expect(fromDatetimeLocal('')).toBeNull();
    expect(fromDatetimeLocal('2025-02-30T10:00')).toBeNull();
    expect(fromDatetimeLocal('yesterday')).toBeNull();
  });
});

describe('keywords', () => {
  it('splits on ASCII and full-width commas and 、, trims and dedupes', () => {
    expect(parseKeywords(' 暴雨, 内涝，转移安置、暴雨 ,, ')).toEqual(['暴雨', '内涝', '转移安置']);
    expect(parseKeywords('')).toEqual([]);
  });
});

describe('create payload', () => {
  it('passes createIncidentSchema for a filled form and converts the time to UTC', () => {
    const v = emptyForm(Date.parse('2025-07-14T05:00:00Z'));
    Object.assign(v, { title: '桥梁垮塌', category: 'accident', severity: 'II', leadDepartmentId: '2', keywordsText: '桥梁, 垮塌' });
    v.deaths = null; // an emptied number box counts as 0
    const payload = formToCreatePayload(v);
    const parsed = createIncidentSchema.safeParse(payload);
    expect(parsed.success).toBe(true);
    expect(payload.occurredAt).toBe(fromDatetimeLocal(v.occurredAtLocal));
    expect(payload.casualties).toEqual({ deaths: 0, injured: 0, missing: 0 });
    expect(payload.spokespersonId).toBeNull();
    expect(payload.keywords).toEqual(['桥梁', '垮塌']);
  });

  it('maps every zod issue to its form field', () => {
    const v = emptyForm(Date.now());
    v.deaths = -1;
    const parsed = createIncidentSchema.safeParse(formToCreatePayload(v));
    expect(parsed.success).toBe(false);
    if (parsed.success) return;
    const errors = zodFieldErrors(parsed.error);
    expect(Object.keys(errors)).toEqual(
      expect.arrayContaining(['title', 'category', 'severity', 'leadDepartmentId', 'casualties.deaths']),
    );
    expect(errors['casualties.deaths']).toBe('must not be negative');
  });
});

describe('patch', () => {
  it('is null when nothing changed, even though the input drops seconds', () => {
    expect(formToPatch(incident, formFromIncident(incident))).toBeNull();
  });

  it('carries only changed fields (and changed casualty counts) plus version', () => {
    const v = formFromIncident(incident);
    v.deaths = 3;
    v.severity = 'II';
    v.keywordsText = '暴雨，内涝, 停电';
    v.spokespersonId = '9';
    const patch = formToPatch(incident, v);
    expect(patch).toEqual({
      severity: 'II',
      casualties: { deaths: 3 },
      keywords: ['暴雨', '内涝', '停电'],
      spokespersonId: '9',
      version: 4,
    });
    expect(patchIncidentSchema.safeParse(patch).success).toBe(true);
  });

  it('sends occurredAt as ISO UTC when the time was moved', () => {
    const v = formFromIncident(incident);
    v.occurredAtLocal = toDatetimeLocal(Date.parse('2025-07-13T22:00:00Z'));
    expect(formToPatch(incident, v)).toEqual({ occurredAt: '2025-07-13T22:00:00.000Z', version: 4 });
  });
});

describe('fieldOf', () => {
  it('places server error fields on form fields', () => {
    expect(fieldOf('casualties.deaths')).toBe('casualties.deaths');
    expect(fieldOf('keywords.3')).toBe('keywords');
    expect(fieldOf('title')).toBe('title');
    expect(fieldOf('(body)')).toBeNull();
    expect(fieldOf(null)).toBeNull();
  });
});

describe('routes', () => {
  it('parses hash routes', () => {
    expect(parseHash('')).toEqual({ name: 'board' });
    expect(parseHash('#/')).toEqual({ name: 'board' });
    expect(parseHash('#/new')).toEqual({ name: 'new' });
    expect(parseHash('#/incidents/42')).toEqual({ name: 'incident', id: '42' });
    expect(parseHash('#/incidents/42/')).toEqual({ name: 'incident', id: '42' });
    expect(parseHash('#/nope')).toEqual({ name: 'notFound', path: '/nope' });
    expect(routeHref({ name: 'incident', id: '42' })).toBe('#/incidents/42');
  });
});
