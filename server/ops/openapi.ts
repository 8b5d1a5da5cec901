// The API spec, with request bodies generated from the same zod schemas the routes use.
import { z } from 'zod';
import {
  createIncidentSchema,
  departmentSchema,
  loginSchema,
  patchIncidentSchema,
  userSchema,
  waiveSchema,
} from '../../shared/schemas.ts';

type Op = [method: string, path: string, summary: string, body?: z.ZodType];

const OPERATIONS: Op[] = [
  ['post', '/api/session', 'Sign in; sets the sid cookie', loginSchema],
  ['get', '/api/session', 'The signed-in user'],
  ['delete', '/api/session', 'Sign out'],
  ['get', '/api/departments', 'All departments'],
  ['post', '/api/departments', 'Create a department (admin)', departmentSchema],
  ['get', '/api/users', 'All users (admin)'],
  ['post', '/api/users', 'Create a user (admin)', userSchema],
  ['get', '/api/people', 'Names and roles, for pickers'],
  ['get', '/api/incidents', 'Visible incidents with their deadlines'],
  ['post', '/api/incidents', 'Log an incident (duty officer)', createIncidentSchema],
  ['get', '/api/incidents/{id}', 'One incident with deadlines and history'],
  ['patch', '/api/incidents/{id}', 'Correct facts (duty officer, leader); 409 when version is stale', patchIncidentSchema],
  ['post', '/api/incidents/{id}/close', 'Close (leader)'],
  ['post', '/api/deadlines/{id}/waive', 'Waive a running clock with a reason (leader)', waiveSchema],
  ['get', '/api/policy', 'The current deadline policy'],
  ['put', '/api/policy', 'Add a policy version (admin)'],
  ['get', '/api/dashboard', 'Open incidents with next deadline, overdue clocks'],
  ['get', '/api/events', 'Events after ?after=<id> that the user may see'],
  ['get', '/api/audit/verify', 'Verify the event hash chain (admin)'],
  ['get', '/healthz', 'Health with the database kind'],
  ['get', '/metrics', 'Prometheus metrics'],
];

export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [method, path, summary, schema] of OPERATIONS) {
    paths[path] ??= {};
    paths[path][method] = {
      summary,
      ...(schema && {
        requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) } } },
      }),
      responses: { default: { description: 'JSON; errors are {"error": {"code", "message", "field?"}}' } },
    };
  }
  return { openapi: '3.1.0', info: { title: 'Beacon API', version: '1' }, paths };
}
