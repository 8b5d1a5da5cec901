// The event log's hash chain: hash = sha256(prevHash + canonical row). Canonical JSON sorts keys,
// because jsonb does not keep the key order the row was written with.
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export interface HashedFields {
  id: number;
  type: string;
  at: Date;
  incidentId: number | null;
  actorId: number | null;
  deptIds: number[];
  userIds: number[];
  isPublic: boolean;
  payload: unknown;
}

export function eventHash(prevHash: string, row: HashedFields): string {
  return createHash('sha256')
    .update(prevHash)
    .update(
      canonicalJson({
        id: row.id,
        type: row.type,
        at: row.at.toISOString(),
        incidentId: row.incidentId,
        actorId: row.actorId,
        deptIds: row.deptIds,
        userIds: row.userIds,
        isPublic: row.isPublic,
        payload: row.payload,
      }),
    )
    .digest('hex');
}
