// Localised text for a failed release or conference step (the server's messages are English).
import type { ReleaseStatus } from '../../../shared/domain.ts';
import { ApiError } from './api.ts';
import { errorText } from './errors.ts';
import { t } from './i18n.svelte.ts';

const STATE_WORDS: [RegExp, ReleaseStatus][] = [
  [/it is a draft/, 'draft'],
  [/it is in review/, 'in_review'],
  [/it is approved/, 'approved'],
  [/it is scheduled/, 'scheduled'],
  [/it is published/, 'published'],
  [/it is retracted/, 'retracted'],
];

export function releaseErrorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 409) return t('release.conflict');
    if (err.status === 422) {
      for (const [re, status] of STATE_WORDS) {
        if (re.test(err.message)) return t('release.wrongState', { status: t(`releaseStatus.${status}`) });
      }
      if (/already approved/.test(err.message)) return t('review.alreadyApproved');
      if (/incident is closed/.test(err.message)) return t('release.incidentClosed');
      const conf = /the conference is already (\w+)/.exec(err.message);
      if (conf && (conf[1] === 'held' || conf[1] === 'cancelled' || conf[1] === 'planned')) {
        return t('conf.wrongState', { status: t(`confStatus.${conf[1]}`) });
      }
    }
    if (err.status === 403) {
      if (/coordinating department/.test(err.message)) return t('review.forbiddenSensitive');
      if (/lead department/.test(err.message)) return t('review.forbiddenLead');
      if (/may not review/.test(err.message)) return t('review.forbiddenLead');
    }
    if (err.status === 400 && err.field === 'correctsReleaseId') return t('release.correctsRequired');
    if (err.status === 400 && err.field === 'heldAt') return t('conf.heldFuture');
  }
  return errorText(err);
}
