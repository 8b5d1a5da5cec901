import { describe, expect, it } from 'vitest';
import type { BeaconEvent, Release, ReleaseDetail, ReleaseReview, TimelineEntry } from '../../shared/domain.ts';
import { ApiError } from '../../web/src/lib/api.ts';
import { setLang } from '../../web/src/lib/i18n.svelte.ts';
import { releaseErrorText } from '../../web/src/lib/releaseErrors.ts';
import {
  charCount,
  checkSchedule,
  checklistComplete,
  correctable,
  defaultScheduleLocal,
  emptyChecklist,
  lastRejection,
  paragraphs,
  payloadConference,
  payloadRelease,
  redlineBase,
  sortReleases,
  upsertConference,
  upsertRelease,
  zodIssues,
} from '../../web/src/lib/releases.ts';
import { parseHash, routeHref, newReleaseHref } from '../../web/src/lib/routes.ts';
import { describeEntry, entryWho } from '../../web/src/lib/timeline.ts';
import { createConferenceSchema } from '../../shared/schemas.ts';

const rel = (over: Partial<Release> & { id: string }): Release => ({
  incidentId: '1',
  kind: 'initial',
  title: '通报',
  body: '正文',
  status: 'draft',
  version: 1,
  opinionItemIds: [],
  correctsReleaseId: null,
  approvals: [],
  approvalsNeeded: ['lead'],
  publishAt: null,
  publishedAt: null,
  retractedAt: null,
  retractReason: null,
  createdBy: '7',
  createdAt: '2026-11-22T03:00:00.000Z',
  updatedAt: '2026-11-22T03:00:00.000Z',
  ...over,
});

const review = (over: Partial<ReleaseReview> & { id: string; version: number }): ReleaseReview => ({
  reviewerId: '5',
  reviewerName: 'em.leader',
  departmentId: '3',
  asCoordinating: false,
  decision: 'approved',
  comment: '',
  checklist: { noStateSecrets: true, noPersonalPrivacy: true, figuresVerified: true },
  at: '2026-11-22T03:10:00.000Z',
  ...over,
});

const revision = (version: number, body: string) => ({
  version,
  title: `v${version}`,
  body,
  editedBy: '7',
  editedByName: 'spokes',
  editedAt: '2026-11-22T03:00:00.000Z',
});

describe('release preview', () => {
  it('makes one paragraph per non-empty line, as the public page does', () => {
    expect(paragraphs('第一段\n\n  第二段  \r\n第三段\u2028第四段\n')).toEqual(['第一段', '第二段', '第三段', '第四段']);
    expect(paragraphs('   \n')).toEqual([]);
    // Text stays text: markup is just characters (the component renders it as text, never as HTML).
    expect(paragraphs('<b>粗体</b>')).toEqual(['<b>粗体</b>']);
  });

  it('counts visible characters', () => {
    expect(charCount('一 二\n三')).toBe(3);
    expect(charCount('😀a')).toBe(2);
  });
});

describe('redline base', () => {
  it('is the latest version reviewed before the current one; none on a first submission', () => {
    const revisions = [revision(1, 'a'), revision(2, 'ab'), revision(3, 'abc')];
    expect(redlineBase({ version: 1, reviews: [], revisions: [revision(1, 'a')] })).toBeNull();
    expect(redlineBase({ version: 3, reviews: [], revisions })).toBeNull();
    const reviews = [review({ id: '1', version: 1, decision: 'rejected' }), review({ id: '2', version: 2, decision: 'rejected' })];
    expect(redlineBase({ version: 3, reviews, revisions })?.version).toBe(2);
    // An approval of the current version (first half of a sensitive approval) is not the base.
    expect(redlineBase({ version: 2, reviews: [review({ id: '1', version: 1, decision: 'rejected' }), review({ id: '3', version: 2 })], revisions })?.version).toBe(1);
  });

  it('finds the last rejection', () => {
    expect(lastRejection({ reviews: [] })).toBeNull();
    const reviews = [review({ id: '1', version: 1, decision: 'rejected', comment: 'a' }), review({ id: '2', version: 2, decision: 'rejected', comment: 'b' })];
    expect(lastRejection({ reviews })?.comment).toBe('b');
  });
});

describe('merging live copies', () => {
  it('never rolls a release back; status steps without a version bump still apply', () => {
    const list = [rel({ id: '1', status: 'in_review', updatedAt: '2026-11-22T03:05:00.000Z' })];
    const approved = rel({ id: '1', status: 'approved', updatedAt: '2026-11-22T03:06:00.000Z' });
    expect(upsertRelease(list, approved)[0].status).toBe('approved');
    const stale = rel({ id: '1', status: 'draft', updatedAt: '2026-11-22T03:01:00.000Z' });
    expect(upsertRelease(upsertRelease(list, approved), stale)[0].status).toBe('approved');
    expect(upsertRelease(list, rel({ id: '2' })).map((r) => r.id)).toEqual(['1', '2']);
    const newerVersion = rel({ id: '1', version: 2, updatedAt: '2026-11-22T03:00:00.000Z' });
    expect(upsertRelease(list, newerVersion)[0].version).toBe(2);
  });

  it('keeps conferences by version and reads payloads', () => {
    const c = { id: '9', incidentId: '1', status: 'planned', version: 1 } as never;
    const held = { id: '9', incidentId: '1', status: 'held', version: 2 } as never;
    expect(upsertConference(upsertConference([c], held), c)[0]).toMatchObject({ status: 'held' });
    const e = (payload: Record<string, unknown>): BeaconEvent => ({ id: '1', type: 'x', at: '', incidentId: '1', payload });
    expect(payloadRelease(e({ release: rel({ id: '4' }) }))?.id).toBe('4');
    expect(payloadRelease(e({ release: { id: 4 } }))).toBeNull();
    expect(payloadConference(e({ conference: { id: '9', status: 'held' } }))?.id).toBe('9');
  });

  it('orders newest first and offers published or retracted releases to correct', () => {
    const list = [
      rel({ id: '1', status: 'published', createdAt: '2026-11-22T03:00:00.000Z' }),
      rel({ id: '2', status: 'draft', createdAt: '2026-11-22T04:00:00.000Z' }),
      rel({ id: '3', status: 'retracted', createdAt: '2026-11-22T05:00:00.000Z' }),
    ];
    expect(sortReleases(list).map((r) => r.id)).toEqual(['3', '2', '1']);
    expect(correctable(list).map((r) => r.id)).toEqual(['3', '1']);
  });
});

describe('review checklist and schedule picker', () => {
  it('approves only with all three checks', () => {
    const c = emptyChecklist();
    expect(checklistComplete(c)).toBe(false);
    c.noStateSecrets = c.noPersonalPrivacy = true;
    expect(checklistComplete(c)).toBe(false);
    c.figuresVerified = true;
    expect(checklistComplete(c)).toBe(true);
  });

  it('turns local time into ISO UTC and refuses the past (the server would publish at once)', () => {
    const now = new Date(2026, 10, 22, 3, 0, 0).getTime();
    const ok = checkSchedule('2026-11-22T05:30', now);
    expect(ok).toEqual({ ok: true, at: new Date(2026, 10, 22, 5, 30).toISOString(), ms: 2.5 * 3_600_000 });
    expect(checkSchedule('2026-11-22T02:59', now)).toEqual({ ok: false, error: 'past' });
    expect(checkSchedule('2026-11-22T03:00', now)).toEqual({ ok: false, error: 'past' });
    expect(checkSchedule('tomorrow', now)).toEqual({ ok: false, error: 'time' });
    expect(defaultScheduleLocal(new Date(2026, 10, 22, 3, 2).getTime())).toBe('2026-11-22T03:35');
  });

  it('collects zod issues by path', () => {
    const parsed = createConferenceSchema.safeParse({ scheduledAt: 'x', venue: '', talkingPoints: [{ text: '' }] });
    expect(parsed.success).toBe(false);
    const issues = zodIssues(parsed.error!);
    expect(Object.keys(issues)).toEqual(expect.arrayContaining(['scheduledAt', 'venue', 'talkingPoints.0.text']));
  });
});

describe('routes', () => {
  it('parses and builds the release routes', () => {
    expect(parseHash('#/releases/12')).toEqual({ name: 'release', id: '12' });
    expect(parseHash('#/review')).toEqual({ name: 'review', id: null });
    expect(parseHash('#/review/12')).toEqual({ name: 'review', id: '12' });
    expect(parseHash('#/incidents/3/releases/new')).toEqual({ name: 'newRelease', incidentId: '3', corrects: null });
    expect(parseHash('#/incidents/3/releases/new?corrects=8')).toEqual({ name: 'newRelease', incidentId: '3', corrects: '8' });
    expect(newReleaseHref('3', '8')).toBe('#/incidents/3/releases/new?corrects=8');
    for (const hash of ['#/releases/12', '#/review', '#/review/4', '#/incidents/3/releases/new']) {
      expect(routeHref(parseHash(hash))).toBe(hash);
    }
  });
});

describe('timeline lines', () => {
  const entry = (type: string, summary: Record<string, unknown>, byName: string | null = 'spokes'): TimelineEntry => ({
    eventId: '1',
    at: '2026-11-22T03:00:00.000Z',
    type,
    byName,
    summary,
  });

  it('says what each step did, in one line', () => {
    setLang('zh');
    const release = { id: '4', kind: 'initial', title: '情况通报', status: 'published', publishAt: null };
    expect(describeEntry(entry('release.published', { release }))).toMatchObject({
      label: '发布',
      text: '《情况通报》（首次发布）',
      href: '#/releases/4',
      tone: 'good',
    });
    expect(describeEntry(entry('release.published', { release }, null)).text).toContain('定时自动发布');
    expect(describeEntry(entry('release.rejected', { release: { ...release, status: 'draft' }, comment: '核实数字' })).text).toBe(
      '《情况通报》（首次发布）；意见：核实数字',
    );
    expect(describeEntry(entry('release.approved', { release: { ...release, status: 'in_review' } })).text).toContain('尚待另一级审批');
    const deadline = { id: '2', kind: 'first_release', status: 'met', dueAt: '2026-11-22T07:00:00.000Z', metAt: '2026-11-22T04:30:00.000Z' };
    expect(describeEntry(entry('deadline.met', { deadline, late: false }, null)).text).toBe('首次权威发布 (5小时)按时完成，提前 2:30:00');
    const late = { ...deadline, status: 'missed', metAt: '2026-11-22T07:40:00.000Z' };
    expect(describeEntry(entry('deadline.met', { deadline: late, late: true }, null))).toMatchObject({
      text: '首次权威发布 (5小时)超时完成，超时 0:40:00',
      tone: 'bad',
    });
    expect(describeEntry(entry('incident.updated', { changes: { severity: { from: 'III', to: 'II' }, 'casualties.deaths': {} } })).text).toBe(
      '事件级别、死亡',
    );
    expect(describeEntry(entry('conference.cancelled', { conference: { id: '1', status: 'cancelled' }, reason: '改期' })).text).toBe('原因：改期');
    expect(describeEntry(entry('something.new', {})).label).toBe('something.new');
    expect(entryWho(entry('deadline.missed', {}, null))).toBe('系统');
  });
});

describe('release errors', () => {
  it('says in Chinese why a step was refused', () => {
    setLang('zh');
    expect(releaseErrorText(new ApiError(422, 'invalid_state', 'cannot publish this release: it is in review'))).toBe(
      '稿件当前状态为「审核中」，不能执行此操作（页面已更新）',
    );
    expect(releaseErrorText(new ApiError(409, 'conflict', 'the release was changed'))).toContain('已被他人修改');
    expect(releaseErrorText(new ApiError(403, 'forbidden', 'only a leader of the lead department may approve this release'))).toBe(
      '只有牵头部门的领导可以审批此稿件',
    );
    expect(releaseErrorText(new ApiError(422, 'invalid_state', 'the conference is already held'))).toContain('已召开');
  });
});
