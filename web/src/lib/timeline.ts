// One line per step of an incident's timeline (GET /api/incidents/:id → timeline, newest first).
import type { TimelineEntry } from '../../../shared/domain.ts';
import { formatDuration } from '../../../shared/time.ts';
import { fieldLabel } from './factLabels.ts';
import { formatDateTime } from './format.ts';
import { hasKey, t } from './i18n.svelte.ts';
import { releaseHref } from './routes.ts';
import { excerpt } from './notifications.ts';
import { humanDuration } from './tasks.ts';

export type TimelineTone = 'fact' | 'clock' | 'warn' | 'bad' | 'good' | 'release' | 'conference' | 'task' | 'comment';

export interface TimelineLine {
  tone: TimelineTone;
  /** Short name of the step ("送审"). */
  label: string;
  /** One line saying what happened. */
  text: string;
  /** Where the step can be looked at (a release). */
  href: string | null;
}

type Obj = Record<string, unknown>;
const obj = (x: unknown): Obj | null => (typeof x === 'object' && x !== null ? (x as Obj) : null);
const str = (x: unknown): string => (typeof x === 'string' ? x : x === null || x === undefined ? '' : String(x));

function kindOf(d: Obj | null): string {
  const key = `kind.${str(d?.kind)}`;
  return hasKey(key) ? t(key) : str(d?.kind);
}

function releaseKind(r: Obj | null): string {
  const key = `releaseKind.${str(r?.kind)}`;
  return hasKey(key) ? t(key) : str(r?.kind);
}

function toneOf(type: string, s: Obj): TimelineTone {
  if (type === 'deadline.missed' || type === 'release.retracted' || type === 'conference.cancelled') return 'bad';
  if (type === 'deadline.warning' || type === 'release.rejected') return 'warn';
  if (type === 'deadline.met') return s.late ? 'bad' : 'good';
  if (type === 'release.published' || type === 'conference.held' || type === 'task.done') return 'good';
  if (type === 'task.overdue') return 'bad';
  if (type.startsWith('task.')) return 'task';
  if (type === 'comment.created') return 'comment';
  if (type.startsWith('release.')) return 'release';
  if (type.startsWith('conference.')) return 'conference';
  if (type.startsWith('deadline.')) return 'clock';
  return 'fact';
}

function labelOf(type: string): string {
  const key = `tl.${type}`;
  return hasKey(key) ? t(key) : type;
}

export function describeEntry(entry: TimelineEntry): TimelineLine {
  const s = obj(entry.summary) ?? {};
  const type = entry.type;
  const release = obj(s.release);
  const deadline = obj(s.deadline);
  const conference = obj(s.conference);
  const comment = str(s.comment).trim();
  const reason = str(s.reason).trim();
  let text = '';
  let href: string | null = null;

  if (type.startsWith('release.') && release) {
    href = release.id ? releaseHref(str(release.id)) : null;
    text = t('tlText.release', { title: str(release.title), kind: releaseKind(release) });
    if (type === 'release.approved') {
      if (release.status === 'in_review') text += t('tlText.partial');
      if (comment) text += t('tlText.comment', { comment });
    } else if (type === 'release.rejected') {
      if (comment) text += t('tlText.comment', { comment });
    } else if (type === 'release.scheduled') {
      text += t('tlText.scheduledFor', { time: formatDateTime(str(release.publishAt), { year: false }) });
    } else if (type === 'release.published' && !entry.byName && !s.by) {
      text += t('tlText.byScheduler');
    } else if (type === 'release.retracted' && reason) {
      text += t('tlText.reason', { reason });
    }
  } else if (type.startsWith('deadline.') && deadline) {
    const kind = kindOf(deadline);
    const due = formatDateTime(str(deadline.dueAt), { year: false });
    if (type === 'deadline.created') text = t('tlText.clockCreated', { kind, time: due });
    else if (type === 'deadline.warning') text = t('tlText.clockWarning', { kind, minutes: str(s.minutesBefore) });
    else if (type === 'deadline.missed') text = t('tlText.clockMissed', { kind, time: due });
    else if (type === 'deadline.met') {
      const metAt = str(deadline.metAt);
      const margin = metAt ? new Date(str(deadline.dueAt)).getTime() - new Date(metAt).getTime() : 0;
      const late = s.late === true || margin < 0;
      text = late
        ? t('tlText.clockMetLate', { kind, duration: formatDuration(margin) })
        : t('tlText.clockMet', { kind, duration: formatDuration(margin) });
    } else if (type === 'deadline.waived') text = reason ? t('tlText.clockWaived', { kind, reason }) : kind;
    else text = kind;
  } else if (type.startsWith('conference.') && conference) {
    const time = formatDateTime(str(conference.scheduledAt), { year: false });
    const venue = str(conference.venue);
    if (type === 'conference.planned') text = t('tlText.conferencePlanned', { time, venue });
    else if (type === 'conference.held') text = t('tlText.conferenceHeld', { venue });
    else text = reason ? t('tlText.cancelReason', { reason }) : venue;
  } else if (type.startsWith('task.') && obj(s.task)) {
    text = describeTask(type, obj(s.task)!, s);
  } else if (type === 'comment.created' && obj(s.comment)) {
    text = excerpt(str(obj(s.comment)!.body), 120);
  } else if (type === 'incident.updated') {
    const changes = obj(s.changes);
    const fields = changes ? Object.keys(changes).map(fieldLabel) : [];
    text = fields.length ? fields.join('、') : '';
  } else if (type === 'incident.created' || type === 'incident.closed') {
    text = '';
  }
  return { tone: toneOf(type, s), label: labelOf(type), text, href };
}

function describeTask(type: string, task: Obj, s: Obj): string {
  const title = str(task.title);
  const dept = str(task.departmentName);
  if (type === 'task.created') {
    const due = str(task.dueAt);
    return due
      ? t('tlText.taskCreatedDue', { title, dept, time: formatDateTime(due, { year: false }) })
      : t('tlText.taskCreated', { title, dept });
  }
  if (type === 'task.acked') {
    const secs = Number(task.ackSeconds);
    return Number.isFinite(secs) && task.ackSeconds !== null
      ? t('tlText.taskAcked', { title, dept, duration: humanDuration(secs) })
      : t('tlText.taskStarted', { title, dept });
  }
  if (type === 'task.started') return t('tlText.taskStarted', { title, dept });
  if (type === 'task.done') return t('tlText.taskDone', { title, dept });
  if (type === 'task.overdue') return t('tlText.taskOverdue', { title, dept });
  return title;
}

/** Who did it: the user, or the system for scheduler and clock steps. */
export function entryWho(entry: TimelineEntry): string {
  const by = obj(entry.summary)?.by;
  return entry.byName ?? (typeof by === 'string' && by ? by : t('detail.unknownUser'));
}
