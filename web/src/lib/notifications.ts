// Pure helpers of the notification centre: one line per notified event, where clicking it goes, and which
// live events sound a cue.
import type { BeaconEvent } from '../../../shared/domain.ts';
import type { Cue } from './audio.svelte.ts';
import { hasKey, t } from './i18n.svelte.ts';
import { incidentHref } from './routes.ts';

type Obj = Record<string, unknown>;
const obj = (x: unknown): Obj | null => (typeof x === 'object' && x !== null ? (x as Obj) : null);
const str = (x: unknown): string => (typeof x === 'string' ? x : x === null || x === undefined ? '' : String(x));

export interface NotificationLine {
  tone: 'danger' | 'warning' | 'info';
  /** The short headline ("截止时限已超时"). */
  title: string;
  /** One line of detail, plain text. */
  text: string;
  /** Where clicking it goes: the incident. */
  href: string | null;
}

/** Cut a long text to `max` characters (by code point), with an ellipsis. */
export function excerpt(text: string, max = 80): string {
  const chars = [...text.replace(/\s+/g, ' ').trim()];
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}

function kindLabel(kind: unknown): string {
  const key = `kind.${str(kind)}`;
  return hasKey(key) ? t(key) : str(kind);
}

export function incidentOf(e: BeaconEvent): string | null {
  if (e.incidentId) return e.incidentId;
  const p = e.payload ?? {};
  for (const k of ['task', 'comment', 'deadline', 'release']) {
    const id = obj(p[k])?.incidentId;
    if (typeof id === 'string' && id) return id;
  }
  return null;
}

/** Whether a comment mentions me by name, or only my department. */
function mentionOf(comment: Obj | null, me: Me | undefined): 'me' | 'dept' | null {
  const mentions = obj(comment?.mentions);
  if (!me || !mentions) return null;
  const ids = (list: unknown) => (Array.isArray(list) ? list.map((x) => str(obj(x)?.id)) : []);
  if (ids(mentions.users).includes(me.id)) return 'me';
  if (ids(mentions.departments).includes(me.departmentId)) return 'dept';
  return null;
}

export interface Me {
  id: string;
  departmentId: string;
}

export function describeNotification(e: BeaconEvent, me?: Me): NotificationLine {
  const p = e.payload ?? {};
  const incident = str(p.incidentTitle);
  const by = str(p.by);
  const incidentId = incidentOf(e);
  const href = incidentId ? incidentHref(incidentId) : null;
  const task = obj(p.task);
  const release = obj(p.release);
  const comment = obj(p.comment);
  const deadline = obj(p.deadline);
  switch (e.type) {
    case 'comment.created': {
      const who = by || str(comment?.authorName);
      const how = mentionOf(comment, me);
      return {
        tone: 'info',
        title:
          how === 'dept'
            ? t('notif.mentionDept', { by: who, incident })
            : how === 'me'
              ? t('notif.mention', { by: who, incident })
              : t('notif.comment', { by: who, incident }),
        text: excerpt(str(comment?.body)),
        href,
      };
    }
    case 'task.created':
      return {
        tone: 'warning',
        title: t('notif.taskCreated', { dept: str(task?.departmentName) }),
        text: t('notif.taskLine', { title: str(task?.title), incident }),
        href,
      };
    case 'task.overdue':
      return {
        tone: 'danger',
        title: t('notif.taskOverdue', { dept: str(task?.departmentName) }),
        text: t('notif.taskLine', { title: str(task?.title), incident }),
        href,
      };
    case 'deadline.missed':
      return { tone: 'danger', title: t('notif.deadlineMissed', { kind: kindLabel(deadline?.kind) }), text: incident, href };
    case 'deadline.warning':
      return {
        tone: 'warning',
        title: t('notif.deadlineWarning', { kind: kindLabel(deadline?.kind), minutes: str(p.minutesBefore) }),
        text: incident,
        href,
      };
    case 'release.submitted':
      return { tone: 'warning', title: t('notif.releaseSubmitted'), text: t('notif.releaseLine', { title: str(release?.title), incident }), href };
    case 'release.rejected': {
      const why = str(p.comment);
      return {
        tone: 'warning',
        title: t('notif.releaseRejected'),
        text: t('notif.releaseLine', { title: str(release?.title), incident }) + (why ? ` — ${excerpt(why, 60)}` : ''),
        href,
      };
    }
    default: {
      const key = `tl.${e.type}`;
      return { tone: 'info', title: hasKey(key) ? t(key) : e.type, text: incident, href };
    }
  }
}

/** Events that sound a cue, and which. */
export function cueFor(type: string): Cue | null {
  if (type === 'deadline.warning') return 'warning';
  if (type === 'deadline.missed' || type === 'task.overdue') return 'missed';
  return null;
}

/** A cue only for what is happening now: events replayed after a reconnect (older than this) stay silent. */
export const CUE_FRESH_MS = 2 * 60_000;

export function shouldCue(e: Pick<BeaconEvent, 'type' | 'at'>, serverNowMs: number): Cue | null {
  const cue = cueFor(e.type);
  if (!cue) return null;
  const at = new Date(e.at).getTime();
  if (!Number.isFinite(at) || serverNowMs - at > CUE_FRESH_MS) return null;
  return cue;
}
