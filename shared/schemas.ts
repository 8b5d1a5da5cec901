// zod schemas for every request body: used by the server routes and the console's forms.
import { z } from 'zod';
import { CATEGORIES, ROLES, SEVERITIES } from './domain.ts';

const id = z.union([z.string().regex(/^\d+$/, 'must be an id'), z.number().int().positive()]).transform(String);
const isoTime = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 timestamp with a time zone' });
const count = z.number().int('must be a whole number').min(0, 'must not be negative').max(1_000_000);

export const loginSchema = z.object({
  login: z.string().trim().min(1, 'is required').max(64),
  password: z.string().min(1, 'is required').max(200),
});

export const departmentSchema = z.object({
  name: z.string().trim().min(1, 'is required').max(100),
  coordinating: z.boolean().optional().default(false),
});

export const userSchema = z.object({
  login: z.string().trim().regex(/^[a-z0-9_.-]{2,32}$/, 'must be 2–32 lowercase letters, digits, . _ -'),
  name: z.string().trim().min(1, 'is required').max(100),
  password: z.string().min(10, 'must be at least 10 characters').max(200),
  departmentId: id,
  roles: z.array(z.enum(ROLES)).min(1, 'needs at least one role'),
});

export const casualtiesSchema = z.object({
  deaths: count.default(0),
  injured: count.default(0),
  missing: count.default(0),
});

const incidentFields = {
  title: z.string().trim().min(1, 'is required').max(200),
  summary: z.string().trim().max(5000),
  category: z.enum(CATEGORIES),
  severity: z.enum(SEVERITIES),
  occurredAt: isoTime,
  location: z.string().trim().max(200),
  leadDepartmentId: id,
  spokespersonId: id.nullable(),
  casualties: casualtiesSchema,
  significantImpact: z.boolean(),
  sensitive: z.boolean(),
  keywords: z.array(z.string().trim().min(1).max(40)).max(50),
};

export const createIncidentSchema = z.object({
  ...incidentFields,
  summary: incidentFields.summary.optional().default(''),
  location: incidentFields.location.optional().default(''),
  spokespersonId: incidentFields.spokespersonId.optional().default(null),
  casualties: casualtiesSchema.optional().default({ deaths: 0, injured: 0, missing: 0 }),
  significantImpact: z.boolean().optional().default(false),
  sensitive: z.boolean().optional().default(false),
  keywords: incidentFields.keywords.optional().default([]),
});
export type CreateIncidentInput = z.infer<typeof createIncidentSchema>;

export const patchIncidentSchema = z
  .object({
    ...incidentFields,
    casualties: casualtiesSchema.partial(),
    version: z.number().int().positive(),
  })
  .partial()
  .required({ version: true })
  .strict();
export type PatchIncidentInput = z.infer<typeof patchIncidentSchema>;

export const waiveSchema = z.object({ reason: z.string().trim().min(2, 'is required').max(1000) });

export const policyRulesSchema = z.object({
  trigger: z.object({
    severities: z.array(z.enum(SEVERITIES)),
    minDeaths: count,
    significantImpact: z.boolean(),
  }),
  firstReleaseHours: z.number().positive().max(720),
  pressConferenceHours: z.number().positive().max(720),
  followUpHours: z.number().positive().max(720),
  opinionResponseHours: z.number().positive().max(720),
  warningMinutes: z.array(z.number().int().positive().max(1440)).max(10),
});
export type PolicyRules = z.infer<typeof policyRulesSchema>;

/** Turns a zod error into the first offending field and a readable message. */
export function describeZodError(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0];
  const field = issue?.path.join('.') || '(body)';
  return { field, message: `${field}: ${issue?.message ?? 'invalid'}` };
}

const releaseText = {
  title: z.string().trim().min(1, 'is required').max(200),
  body: z.string().trim().min(1, 'is required').max(50_000),
};

export const createReleaseSchema = z.object({
  kind: z.enum(['initial', 'update', 'clarification', 'correction']),
  ...releaseText,
  opinionItemIds: z.array(id).max(500).optional().default([]),
  correctsReleaseId: id.optional(),
});
export type CreateReleaseInput = z.infer<typeof createReleaseSchema>;

export const patchReleaseSchema = z
  .object({ ...releaseText, opinionItemIds: z.array(id).max(500), version: z.number().int().positive() })
  .partial()
  .required({ version: true })
  .strict();
export type PatchReleaseInput = z.infer<typeof patchReleaseSchema>;

export const approveReleaseSchema = z.object({
  version: z.number().int().positive(),
  checklist: z.object({
    noStateSecrets: z.literal(true, 'must be confirmed: no state secrets'),
    noPersonalPrivacy: z.literal(true, 'must be confirmed: no personal privacy'),
    figuresVerified: z.literal(true, 'must be confirmed: figures verified with the responsible department'),
  }),
  comment: z.string().trim().max(2000).optional().default(''),
});

export const rejectReleaseSchema = z.object({
  version: z.number().int().positive(),
  comment: z.string().trim().min(2, 'is required: say what must change').max(2000),
});

export const submitReleaseSchema = z.object({ version: z.number().int().positive().optional() });

export const publishReleaseSchema = z.object({ at: isoTime.optional() });

export const retractReleaseSchema = z.object({ reason: z.string().trim().min(2, 'is required').max(2000) });

export const createConferenceSchema = z.object({
  scheduledAt: isoTime,
  venue: z.string().trim().min(1, 'is required').max(200),
  notes: z.string().trim().max(10_000).optional().default(''),
  spokespersonIds: z.array(id).max(20).optional().default([]),
  departmentIds: z.array(id).max(50).optional().default([]),
  talkingPoints: z
    .array(z.object({ text: z.string().trim().min(1, 'is required').max(2000), releaseId: id.nullable().optional().default(null) }))
    .max(50)
    .optional()
    .default([]),
});
export type CreateConferenceInput = z.infer<typeof createConferenceSchema>;

export const holdConferenceSchema = z.object({
  heldAt: isoTime.optional(),
  summary: z.string().trim().max(10_000).optional().default(''),
});

export const cancelConferenceSchema = z.object({ reason: z.string().trim().min(2, 'is required').max(2000) });
