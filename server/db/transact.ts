// Every change is one transaction that writes the state and its events; events are published only after commit.
import type { AppContext } from '../context.ts';
import { appendEvents, type EventDraft, type Tx } from '../audit/event-log.ts';

export type RecordEvent = (draft: EventDraft) => void;

export async function transact<T>(ctx: AppContext, work: (tx: Tx, record: RecordEvent) => Promise<T>): Promise<T> {
  const drafts: EventDraft[] = [];
  const { result, events } = await ctx.db.transaction().execute(async (tx) => {
    const result = await work(tx, (d) => drafts.push(d));
    const events = await appendEvents(tx, drafts, ctx.clock.now());
    return { result, events };
  });
  ctx.bus.publish(events);
  return result;
}
