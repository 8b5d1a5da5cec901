// Timer kinds and the feature code that handles each.
import { onDueTimer, onWarningTimer, TIMER_DUE, TIMER_WARNING } from '../deadlines/service.ts';
import { onPublishTimer, TIMER_PUBLISH } from '../releases/service.ts';
import { onBucketTimer, TIMER_BUCKET } from '../opinion/bursts.ts';
import { retrainTopics, TIMER_RETRAIN } from '../opinion/training.ts';
import { onTaskOverdueTimer, TIMER_TASK_OVERDUE } from '../tasks/service.ts';
import { onDailyBriefingTimer, TIMER_DAILY_BRIEFING } from '../reports/daily.ts';
import type { TimerHandler } from './scheduler.ts';

export const timerHandlers: Record<string, TimerHandler> = {
  [TIMER_WARNING]: (ctx, tx, record, timer) => onWarningTimer(ctx, tx, record, timer),
  [TIMER_DUE]: (ctx, tx, record, timer) => onDueTimer(ctx, tx, record, timer),
  [TIMER_PUBLISH]: (ctx, tx, record, timer) => onPublishTimer(ctx, tx, record, timer),
  [TIMER_TASK_OVERDUE]: (ctx, tx, record, timer) => onTaskOverdueTimer(ctx, tx, record, timer),
  [TIMER_DAILY_BRIEFING]: (ctx, tx, record, timer) => onDailyBriefingTimer(ctx, tx, record, timer),
  [TIMER_BUCKET]: (ctx, tx, record) => onBucketTimer(ctx, tx, record),
  [TIMER_RETRAIN]: async (ctx, tx, record) => void (await retrainTopics(ctx, tx, record)),
};
