// The leader's review queue (live count in the header) and the notices release steps raise.
import type { BeaconEvent, Release } from '../../../shared/domain.ts';
import { RELEASE_EVENT } from '../../../shared/events.ts';
import { api, ApiError } from './api.ts';
import { errorText } from './errors.ts';
import { t } from './i18n.svelte.ts';
import { onEvent } from './realtime.svelte.ts';
import { payloadRelease } from './releases.ts';
import { releaseHref, reviewHref } from './routes.ts';
import { hasRole, session } from './session.svelte.ts';
import { dismissToast, pushToast } from './toasts.svelte.ts';

export type QueueItem = Release & { incidentTitle: string; sensitive: boolean };

class ReviewQueueState {
  items = $state.raw<QueueItem[]>([]);
  loaded = $state(false);
  loading = $state(false);
  error = $state<string | null>(null);
  count = $derived(this.items.length);
}

export const reviewQueue = new ReviewQueueState();

let off: (() => void) | null = null;
let refreshTimer: ReturnType<typeof setTimeout> | null = null;
let pollTimer: ReturnType<typeof setInterval> | null = null;
let seq = 0;
/** Submissions seen in events whose toast waits for the queue to say this leader can approve them. */
const pendingToasts = new Map<string, string>();
const toasted = new Set<string>();
/** Open "new release to review" toasts by release id: dropped once the release leaves the queue. */
const reviewToasts = new Map<string, number>();

export async function loadReviewQueue(): Promise<void> {
  if (!hasRole('leader')) return;
  const mine = ++seq;
  reviewQueue.loading = true;
  try {
    const { items } = await api.get<{ items: QueueItem[] }>('/api/releases/review-queue');
    if (mine !== seq) return;
    reviewQueue.items = items;
    reviewQueue.loaded = true;
    reviewQueue.error = null;
    for (const [releaseId, toastId] of reviewToasts) {
      if (items.some((x) => x.id === releaseId)) continue;
      dismissToast(toastId);
      reviewToasts.delete(releaseId);
    }
    for (const [releaseId, incidentTitle] of pendingToasts) {
      const item = items.find((x) => x.id === releaseId);
      pendingToasts.delete(releaseId);
      if (!item || toasted.has(`${item.id}:${item.version}`)) continue;
      toasted.add(`${item.id}:${item.version}`);
      const toastId = pushToast(
        {
          tone: 'warning',
          incidentId: item.incidentId,
          key: `release:${item.id}`,
          href: reviewHref(item.id),
          text: () => t('toast.reviewNew', { incident: incidentTitle || item.incidentTitle, title: item.title }),
        },
        30_000,
      );
      reviewToasts.set(item.id, toastId);
    }
  } catch (err) {
    if (mine !== seq) return;
    if (err instanceof ApiError && err.status === 401) return;
    reviewQueue.error = errorText(err);
  } finally {
    if (mine === seq) reviewQueue.loading = false;
  }
}

function refreshSoon(): void {
  if (refreshTimer) clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    void loadReviewQueue();
  }, 150);
}

function notify(e: BeaconEvent, release: Release): void {
  const me = session.user;
  if (!me) return;
  const incidentTitle = typeof e.payload.incidentTitle === 'string' ? e.payload.incidentTitle : '';
  const by = typeof e.payload.by === 'string' ? e.payload.by : null;
  const mineAction = by !== null && by === me.name;
  if (e.type === RELEASE_EVENT.submitted && hasRole('leader')) {
    pendingToasts.set(release.id, incidentTitle);
  } else if (e.type === RELEASE_EVENT.published && !mineAction) {
    pushToast({
      tone: 'success',
      incidentId: release.incidentId,
      key: `release:${release.id}`,
      href: releaseHref(release.id),
      text: () => t('toast.published', { incident: incidentTitle, title: release.title }),
    });
  } else if (e.type === RELEASE_EVENT.approved && release.createdBy === me.id && release.status === 'approved' && !mineAction) {
    pushToast(
      {
        tone: 'success',
        incidentId: release.incidentId,
        key: `release:${release.id}`,
        href: releaseHref(release.id),
        text: () => t('toast.approved', { title: release.title }),
      },
      30_000,
    );
  } else if (e.type === RELEASE_EVENT.rejected && release.createdBy === me.id && !mineAction) {
    const comment = typeof e.payload.comment === 'string' ? e.payload.comment : '';
    pushToast(
      {
        tone: 'warning',
        incidentId: release.incidentId,
        key: `release:${release.id}`,
        href: releaseHref(release.id),
        text: () => t('toast.rejected', { title: release.title, comment }),
      },
      30_000,
    );
  }
}

/** Start listening (after sign-in). */
export function startReleaseFeed(): void {
  stopReleaseFeed();
  off = onEvent((e) => {
    if (!e.type.startsWith('release.')) return;
    const release = payloadRelease(e);
    if (release) notify(e, release);
    if (hasRole('leader')) refreshSoon();
  });
  if (hasRole('leader')) {
    void loadReviewQueue();
    // A safety net: a reconnect that reloads lists instead of replaying events still converges.
    pollTimer = setInterval(() => void loadReviewQueue(), 60_000);
  }
}

export function stopReleaseFeed(): void {
  off?.();
  off = null;
  if (refreshTimer) clearTimeout(refreshTimer);
  if (pollTimer) clearInterval(pollTimer);
  refreshTimer = null;
  pollTimer = null;
  pendingToasts.clear();
  toasted.clear();
  reviewToasts.clear();
  seq++;
  reviewQueue.items = [];
  reviewQueue.loaded = false;
  reviewQueue.loading = false;
  reviewQueue.error = null;
}
