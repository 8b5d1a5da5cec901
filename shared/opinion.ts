// Public-opinion vocabulary shared by the server and the console.
import { z } from 'zod';

export const OPINION_STATUSES = ['new', 'relevant', 'irrelevant', 'rumor', 'needs_response'] as const;
export type OpinionStatus = (typeof OPINION_STATUSES)[number];
export const SENTIMENTS = ['negative', 'neutral', 'positive'] as const;
export type SentimentLabel = (typeof SENTIMENTS)[number];

export interface OpinionSource {
  id: string;
  name: string;
  kind: 'feed' | 'push' | 'manual';
  url: string | null;
  pollSeconds: number;
  enabled: boolean;
  /** Only for push sources, and only to analysts. */
  token: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  failures: number;
  nextPollAt: string | null;
  itemsTotal: number;
}

export interface MatchedRule {
  topicId: string;
  name: string;
  words: string[];
}

export interface OpinionItem {
  id: string;
  sourceId: string;
  sourceName: string;
  url: string | null;
  title: string;
  content: string;
  author: string | null;
  publishedAt: string | null;
  fetchedAt: string;
  language: string;
  sentiment: { label: SentimentLabel; score: number };
  topics: string[];
  matched: MatchedRule[];
  incidentId: string | null;
  status: OpinionStatus;
  departmentId: string | null;
  clusterId: string | null;
  clusterSize: number;
  triagedAt: string | null;
}

export interface OpinionTopic {
  id: string;
  name: string;
  keywords: string[];
  excludes: string[];
  enabled: boolean;
}

export interface OpinionBurst {
  id: string;
  key: string;
  label: string;
  incidentId: string | null;
  bucketStart: string;
  count: number;
  z: number;
  topTerms: { term: string; count: number }[];
  topSources: { name: string; count: number }[];
  sentimentMix: Record<string, number>;
  at: string;
}

const id = z.union([z.string().regex(/^\d+$/, 'must be an id'), z.number().int().positive()]).transform(String);
const isoTime = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 timestamp with a time zone' });

export const createSourceSchema = z
  .object({
    name: z.string().trim().min(1, 'is required').max(100),
    kind: z.enum(['feed', 'push', 'manual']),
    url: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).max(2000).optional(),
    pollSeconds: z.number().int().min(60, 'must be at least 60').max(86_400).optional().default(300),
    enabled: z.boolean().optional().default(true),
  })
  .refine((s) => s.kind !== 'feed' || !!s.url, { path: ['url'], message: 'is required for a feed' });

export const patchSourceSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    url: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).max(2000),
    pollSeconds: z.number().int().min(60, 'must be at least 60').max(86_400),
    enabled: z.boolean(),
    rotateToken: z.literal(true),
  })
  .partial()
  .strict();

export const pushItemSchema = z.object({
  title: z.string().trim().max(500).optional(),
  content: z.string().trim().min(1, 'is required').max(20_000),
  url: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).max(2000).optional(),
  author: z.string().trim().max(200).optional(),
  publishedAt: isoTime.optional(),
  externalId: z.string().trim().min(1).max(200).optional(),
});
export type PushItem = z.infer<typeof pushItemSchema>;
export const pushBodySchema = z.union([pushItemSchema, z.array(pushItemSchema).min(1).max(1000)]);

export const manualItemSchema = pushItemSchema.extend({
  sourceId: id.optional(),
  incidentId: id.optional(),
});

export const triageSchema = z.object({
  status: z.enum(['relevant', 'irrelevant', 'rumor', 'needs_response']),
  incidentId: id.nullable().optional(),
  topic: z.string().trim().min(1).max(100).optional(),
  departmentId: id.optional(),
});

export const bulkTriageSchema = triageSchema.extend({ itemIds: z.array(id).min(1).max(500) });

export const topicSchema = z.object({
  name: z.string().trim().min(1, 'is required').max(100),
  keywords: z.array(z.string().trim().min(1).max(50)).min(1, 'needs at least one keyword').max(200),
  excludes: z.array(z.string().trim().min(1).max(50)).max(200).optional().default([]),
  enabled: z.boolean().optional().default(true),
});
export const patchTopicSchema = topicSchema.partial().strict();

export const itemsQuerySchema = z.object({
  incidentId: id.optional(),
  topic: z.string().max(100).optional(),
  sentiment: z.enum(SENTIMENTS).optional(),
  status: z.enum(OPINION_STATUSES).optional(),
  q: z.string().max(200).optional(),
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  clustered: z.enum(['1', '0', 'true', 'false']).optional(),
});
