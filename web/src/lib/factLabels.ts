// Labels for the incident fields named in fact changes (the history and the timeline).
import { hasKey, t, type MessageKey } from './i18n.svelte.ts';

const FIELD_LABELS: Record<string, MessageKey> = {
  title: 'form.title',
  summary: 'incident.summary',
  category: 'form.category',
  severity: 'form.severity',
  occurredAt: 'incident.occurredAt',
  location: 'incident.location',
  leadDepartmentId: 'incident.leadDepartment',
  spokespersonId: 'incident.spokesperson',
  casualties: 'incident.casualties',
  'casualties.deaths': 'form.deaths',
  'casualties.injured': 'form.injured',
  'casualties.missing': 'form.missing',
  deaths: 'form.deaths',
  injured: 'form.injured',
  missing: 'form.missing',
  significantImpact: 'incident.significantImpact',
  sensitive: 'incident.sensitive',
  keywords: 'incident.keywords',
  status: 'incident.status',
};

export function fieldLabel(field: string): string {
  const kind = field.startsWith('deadline.') ? `kind.${field.slice('deadline.'.length)}` : '';
  if (kind && hasKey(kind)) return t(kind);
  const key = FIELD_LABELS[field];
  return key ? t(key) : field;
}
