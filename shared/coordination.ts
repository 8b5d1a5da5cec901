// Coordination vocabulary shared by the server and the console: department tasks, the incident room (comments,
// @mentions, presence) and the in-app notification centre.
import { z } from 'zod';
import type { BeaconEvent } from './domain.ts';

// ---- tasks -----------------------------------------------------------------------------------------------------

export const TASK_STATUSES = ['open', 'acked', 'in_progress', 'done'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const TASK_STEPS = ['ack', 'start', 'done'] as const;
export type TaskStep = (typeof TASK_STEPS)[number];

/** Where each step may be taken from: ack may be skipped by start; done needs an acknowledgement first. */
export const TASK_STEP_FROM: Record<TaskStep, readonly TaskStatus[]> = {
  ack: ['open'],
  start: ['open', 'acked'],
  done: ['acked', 'in_progress'],
};

export const TASK_EVENT = {
  created: 'task.created',
  acked: 'task.acked',
  started: 'task.started',
  done: 'task.done',
  overdue: 'task.overdue',
} as const;

export interface Task {
  id: string;
  incidentId: string;
  incidentTitle: string;
  /** The department the task is assigned to. */
  departmentId: string;
  departmentName: string;
  /** The assigning department. */
  fromDepartmentId: string | null;
  title: string;
  detail: string;
  status: TaskStatus;
  dueAt: string | null;
  createdBy: string;
  createdByName: string;
  createdAt: string;
  ackedAt: string | null;
  ackedBy: string | null;
  /** Acknowledgement latency: ackedAt − createdAt, in seconds (null until acknowledged). */
  ackSeconds: number | null;
  startedAt: string | null;
  doneAt: string | null;
  /** When the overdue escalation went out (it goes out once). */
  escalatedAt: string | null;
  /** Due and not done, by the server clock at the time of the response. */
  overdue: boolean;
  /** Not yet acknowledged by the assigned department. */
  unread: boolean;
  version: number;
}

const id = z.union([z.string().regex(/^\d{1,9}$/, 'must be an id'), z.number().int().positive().max(2_147_483_647)]).transform(String);
const isoTime = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 timestamp with a time zone' });

export const createTaskSchema = z.object({
  departmentId: id,
  title: z.string().trim().min(1, 'is required').max(200),
  detail: z.string().trim().max(5000).optional().default(''),
  dueAt: isoTime.nullable().optional().default(null),
});
export type CreateTaskInput = z.infer<typeof createTaskSchema>;

/** Body of /ack, /start, /done: optional; `version`, when given, must be the version on screen (else 409). */
export const taskStepSchema = z.object({ version: z.number().int().positive().optional() }).strict();

export const taskListQuery = z.object({
  /** One status or a comma-separated list. */
  status: z
    .string()
    .optional()
    .transform((s, c) => {
      if (!s) return undefined;
      const list = s.split(',').map((x) => x.trim());
      const bad = list.find((x) => !(TASK_STATUSES as readonly string[]).includes(x));
      if (bad !== undefined) {
        c.addIssue({ code: 'custom', message: `must be one or more of ${TASK_STATUSES.join(', ')}` });
        return z.NEVER;
      }
      return list as TaskStatus[];
    }),
  /** 1 (default): my department's inbox. 0: every task on the incidents I may see. */
  mine: z.enum(['0', '1']).optional().default('1'),
  incidentId: z.string().regex(/^\d{1,9}$/, 'must be an id').optional(),
  limit: z.coerce.number().int().min(1).max(500).optional().default(200),
});

// ---- incident room -----------------------------------------------------------------------------------------------

export const COMMENT_EVENT = { created: 'comment.created' } as const;

export interface MentionSpan {
  /** UTF-16 offset of the '@' in the body, and the length of the mention including it. */
  start: number;
  length: number;
  kind: 'user' | 'department';
  id: string;
}

export interface Comment {
  id: string;
  incidentId: string;
  authorId: string;
  authorName: string;
  authorDepartmentId: string;
  body: string;
  mentions: {
    users: { id: string; name: string }[];
    departments: { id: string; name: string }[];
    /** Where each resolved mention sits in the body (for rendering it as a chip). */
    spans: MentionSpan[];
  };
  createdAt: string;
}

export const createCommentSchema = z.object({ body: z.string().trim().min(1, 'is required').max(5000) });

export interface PresenceUser {
  id: string;
  name: string;
  /** Since when this user has been watching (earliest of their connections). */
  since: string;
}

/** Socket message `presence`, sent to `incident:<id>` whenever who is watching changes. Not an event-log row. */
export interface PresenceMessage {
  incidentId: string;
  users: PresenceUser[];
}

// ---- notifications -----------------------------------------------------------------------------------------------

export interface Notification {
  id: string;
  event: BeaconEvent;
  readAt: string | null;
}

export interface NotificationList {
  items: Notification[];
  unread: number;
}

/**
 * Event types that may file a notification (for the console: on such an `event`, refetch the unread count).
 * Whether it did for this user is known only to the server: GET /api/notifications?unread=1&limit=1 tells.
 */
export const NOTIFIABLE_EVENT_TYPES = [
  'comment.created',
  'task.created',
  'task.overdue',
  'deadline.missed',
  'release.submitted',
  'release.rejected',
] as const;

export const notificationListQuery = z.object({
  unread: z.enum(['0', '1']).optional().default('0'),
  limit: z.coerce.number().int().min(1).max(200).optional().default(50),
  /** Paging: only notifications with a smaller id. */
  before: z.string().regex(/^\d{1,15}$/, 'must be an id').optional(),
});
