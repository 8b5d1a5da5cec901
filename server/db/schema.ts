// Row types of the database, as Kysely sees them. Ids are integers in the database and strings in the API.
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface DepartmentsTable {
  id: Generated<number>;
  name: string;
  coordinating: boolean;
  created_at: Timestamp;
}

export interface UsersTable {
  id: Generated<number>;
  login: string;
  name: string;
  password_hash: string;
  department_id: number;
  roles: string[];
  created_at: Timestamp;
}

export interface SessionsTable {
  id: string;
  user_id: number;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface DeadlinePoliciesTable {
  version: Generated<number>;
  rules: Json<unknown>;
  note: string;
  created_by: number | null;
  created_at: Timestamp;
}

export interface IncidentsTable {
  id: Generated<number>;
  title: string;
  summary: string;
  category: string;
  severity: string;
  status: 'open' | 'closed';
  occurred_at: Timestamp;
  reported_at: Timestamp;
  location: string;
  lead_department_id: number;
  spokesperson_id: number | null;
  deaths: number;
  injured: number;
  missing: number;
  significant_impact: boolean;
  sensitive: boolean;
  keywords: string[];
  logged_late: boolean;
  version: number;
  created_by: number;
  updated_at: Timestamp;
  closed_at: Timestamp | null;
}

export interface DeadlinesTable {
  id: Generated<number>;
  incident_id: number | null;
  opinion_item_id: number | null;
  kind: string;
  due_at: Timestamp;
  status: 'pending' | 'met' | 'missed' | 'waived';
  met_at: Timestamp | null;
  waived_at: Timestamp | null;
  waived_by: number | null;
  waive_reason: string | null;
  warnings_sent: number[];
  policy_version: number;
  created_at: Timestamp;
}

export interface TimersTable {
  id: Generated<number>;
  kind: string;
  ref_id: number;
  run_at: Timestamp;
  payload: Json<Record<string, unknown>>;
  fired_at: Timestamp | null;
  created_at: Timestamp;
}

export interface EventsTable {
  id: Generated<number>;
  type: string;
  at: Timestamp;
  incident_id: number | null;
  actor_id: number | null;
  dept_ids: number[];
  user_ids: number[];
  is_public: boolean;
  payload: Json<Record<string, unknown>>;
  hash: string;
}

export interface EventChainTable {
  id: number;
  last_id: number;
  last_hash: string;
}

export interface TasksTable {
  id: Generated<number>;
  incident_id: number;
  department_id: number;
  title: string;
  detail: string;
  status: string;
  due_at: Timestamp | null;
  created_by: number;
  created_at: Timestamp;
  acked_at: Timestamp | null;
  done_at: Timestamp | null;
  version: number;
}

export interface ReleasesTable {
  id: Generated<number>;
  incident_id: number;
  kind: 'initial' | 'update' | 'clarification' | 'correction';
  title: string;
  body: string;
  status: 'draft' | 'in_review' | 'approved' | 'scheduled' | 'published' | 'retracted';
  version: number;
  opinion_item_ids: number[];
  corrects_release_id: number | null;
  publish_at: Timestamp | null;
  published_at: Timestamp | null;
  retracted_at: Timestamp | null;
  retract_reason: string | null;
  created_by: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ReleaseRevisionsTable {
  id: Generated<number>;
  release_id: number;
  version: number;
  title: string;
  body: string;
  edited_by: number;
  edited_at: Timestamp;
}

export interface ReleaseReviewsTable {
  id: Generated<number>;
  release_id: number;
  version: number;
  reviewer_id: number;
  department_id: number;
  as_coordinating: boolean;
  decision: 'approved' | 'rejected';
  comment: string;
  checklist: Json<Record<string, boolean>>;
  at: Timestamp;
}

export interface ConferencesTable {
  id: Generated<number>;
  incident_id: number;
  scheduled_at: Timestamp;
  venue: string;
  notes: string;
  spokesperson_ids: number[];
  department_ids: number[];
  talking_points: Json<{ text: string; releaseId: string | null }[]>;
  status: 'planned' | 'held' | 'cancelled';
  held_at: Timestamp | null;
  summary: string;
  cancel_reason: string | null;
  version: number;
  created_by: number;
  created_at: Timestamp;
}

export interface ChannelsTable {
  id: Generated<number>;
  name: string;
  url: string;
  secret: string;
  enabled: boolean;
  created_at: Timestamp;
}

export interface DeliveriesTable {
  id: Generated<number>;
  channel_id: number;
  release_id: number;
  action: 'published' | 'retracted';
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  next_attempt_at: Timestamp;
  leased_until: Timestamp | null;
  delivered_at: Timestamp | null;
  created_at: Timestamp;
}

export interface OpinionSourcesTable {
  id: Generated<number>;
  name: string;
  kind: 'feed' | 'push' | 'manual';
  url: string | null;
  poll_seconds: number;
  enabled: boolean;
  token: string | null;
  etag: string | null;
  last_modified: string | null;
  last_success_at: Timestamp | null;
  last_error: string | null;
  last_error_at: Timestamp | null;
  failures: Generated<number>;
  next_poll_at: Timestamp | null;
  leased_until: Timestamp | null;
  items_total: Generated<number>;
  created_at: Timestamp;
}

export interface OpinionTopicsTable {
  id: Generated<number>;
  name: string;
  keywords: string[];
  excludes: string[];
  enabled: boolean;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface OpinionClustersTable {
  id: Generated<number>;
  simhash: string;
  title: string;
  size: number;
  first_seen_at: Timestamp;
  last_seen_at: Timestamp;
}

export interface OpinionItemsTable {
  id: Generated<number>;
  source_id: number;
  external_id: string | null;
  url: string | null;
  canonical_url: string | null;
  title: string;
  content: string;
  author: string | null;
  published_at: Timestamp | null;
  fetched_at: Timestamp;
  language: string;
  sentiment_label: 'negative' | 'neutral' | 'positive';
  sentiment_score: number;
  topics: string[];
  matched: Json<{ topicId: string; name: string; words: string[] }[]>;
  tokens: string[];
  incident_id: number | null;
  status: 'new' | 'relevant' | 'irrelevant' | 'rumor' | 'needs_response';
  department_id: number | null;
  triaged_by: number | null;
  triaged_at: Timestamp | null;
  content_hash: string;
  simhash: string;
  cluster_id: number | null;
}

export interface OpinionModelsTable {
  name: string;
  model: string;
  examples: number;
  trained_at: Timestamp;
}

export interface OpinionBurstStateTable {
  key: string;
  state: Json<unknown>;
}

export interface OpinionBurstsTable {
  id: Generated<number>;
  key: string;
  label: string;
  incident_id: number | null;
  bucket_start: Timestamp;
  count: number;
  z: number;
  top_terms: Json<{ term: string; count: number }[]>;
  top_sources: Json<{ name: string; count: number }[]>;
  sentiment_mix: Json<Record<string, number>>;
  created_at: Timestamp;
}

export interface SettingsTable {
  key: string;
  value: Json<unknown>;
  updated_at: Timestamp;
}

export interface DB {
  departments: DepartmentsTable;
  users: UsersTable;
  sessions: SessionsTable;
  deadline_policies: DeadlinePoliciesTable;
  incidents: IncidentsTable;
  deadlines: DeadlinesTable;
  timers: TimersTable;
  events: EventsTable;
  event_chain: EventChainTable;
  tasks: CoordinatedTasksTable;
  releases: ReleasesTable;
  release_revisions: ReleaseRevisionsTable;
  release_reviews: ReleaseReviewsTable;
  conferences: ConferencesTable;
  channels: ChannelsTable;
  deliveries: DeliveriesTable;
  opinion_sources: OpinionSourcesTable;
  opinion_topics: OpinionTopicsTable;
  opinion_clusters: OpinionClustersTable;
  opinion_items: OpinionItemsTable;
  opinion_models: OpinionModelsTable;
  opinion_burst_state: OpinionBurstStateTable;
  opinion_bursts: OpinionBurstsTable;
  settings: SettingsTable;
  comments: CommentsTable;
  notifications: NotificationsTable;
}

// ---- 004_coordination: tasks workflow columns, the incident room's comments, notifications ----------------------

/** `tasks` as 004_coordination leaves it: a checked status, who did each step, and the one-time escalation. */
export interface CoordinatedTasksTable extends Omit<TasksTable, 'status'> {
  status: 'open' | 'acked' | 'in_progress' | 'done';
  /** The assigning department (the creator's department when the task was made). */
  from_department_id: number | null;
  acked_by: number | null;
  started_at: Timestamp | null;
  started_by: number | null;
  done_by: number | null;
  /** Set by the overdue timer when it escalates; never escalates twice. */
  escalated_at: Timestamp | null;
}

export interface CommentsTable {
  id: Generated<number>;
  incident_id: number;
  author_id: number;
  body: string;
  mentions: Json<{ userIds: number[]; departmentIds: number[]; spans: { start: number; length: number; kind: 'user' | 'department'; id: number }[] }>;
  created_at: Timestamp;
}

export interface NotificationsTable {
  id: Generated<number>;
  user_id: number;
  event_id: number;
  created_at: Timestamp;
  read_at: Timestamp | null;
}
