// The topic classifier learns from analysts' triage labels. Training runs off the request path: triage marks the
// model stale; a timer retrains from every labelled item and stores the model for every process to load.
import type { AppContext } from '../context.ts';
import type { Tx } from '../audit/event-log.ts';
import type { RecordEvent } from '../db/transact.ts';
import { TopicClassifier } from './text/classifier.ts';
import { TOPIC_MODEL } from './runtime.ts';

export const TIMER_RETRAIN = 'opinion.retrain';
const RETRAIN_DELAY_MS = 30_000;

/** Asks for a retrain shortly (one pending retrain at a time). */
export async function markModelStale(tx: Tx, now: Date): Promise<void> {
  const pending = await tx.selectFrom('timers').select('id').where('kind', '=', TIMER_RETRAIN).where('fired_at', 'is', null).executeTakeFirst();
  if (pending) return;
  await tx
    .insertInto('timers')
    .values({ kind: TIMER_RETRAIN, ref_id: 0, run_at: new Date(now.getTime() + RETRAIN_DELAY_MS), payload: '{}', created_at: now })
    .execute();
}

/** Trains on every triaged item that carries topics (relevant, rumor, needs_response). */
export async function retrainTopics(ctx: AppContext, tx: Tx, _record: RecordEvent): Promise<number> {
  const rows = await tx
    .selectFrom('opinion_items')
    .select(['tokens', 'topics'])
    .where('triaged_at', 'is not', null)
    .where('status', '!=', 'irrelevant')
    .orderBy('id', 'desc')
    .limit(20_000)
    .execute();
  const classifier = new TopicClassifier();
  let examples = 0;
  for (const r of rows) {
    if (r.tokens.length === 0 || r.topics.length === 0) continue;
    classifier.addExample(r.tokens, r.topics[0]);
    examples++;
  }
  if (examples === 0) return 0;
  classifier.train();
  const now = ctx.clock.now();
  await tx
    .insertInto('opinion_models')
    .values({ name: TOPIC_MODEL, model: classifier.toJSON(), examples, trained_at: now })
    .onConflict((oc) => oc.column('name').doUpdateSet({ model: classifier.toJSON(), examples, trained_at: now }))
    .execute();
  return examples;
}
