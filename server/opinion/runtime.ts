// Per-process state of the opinion pipeline: the segmenter (slow to build), the topic classifier as last trained,
// and an index of recent SimHashes for near-duplicate clustering. Rebuilt from the database when missing.
import type { AppContext } from '../context.ts';
import { createSegmenter, type Segmenter } from './text/segment.ts';
import { TopicClassifier } from './text/classifier.ts';
import { fromHex, hammingDistance } from './text/simhash.ts';

export const TOPIC_MODEL = 'topic_bayes';
const NEAR_DUPLICATE_DISTANCE = 3;
const INDEX_LIMIT = 50_000;

interface Entry {
  itemId: number;
  clusterId: number | null;
  hash: bigint;
}

/** Recent SimHashes, banded four ways by 16 bits: two hashes within distance 3 share at least one band exactly. */
export class SimhashIndex {
  #bands = [new Map<number, Entry[]>(), new Map<number, Entry[]>(), new Map<number, Entry[]>(), new Map<number, Entry[]>()];
  #order: Entry[] = [];

  add(entry: Entry): void {
    this.#order.push(entry);
    for (let b = 0; b < 4; b++) {
      const key = Number((entry.hash >> BigInt(16 * b)) & 0xffffn);
      const list = this.#bands[b].get(key);
      if (list) list.push(entry);
      else this.#bands[b].set(key, [entry]);
    }
    if (this.#order.length > INDEX_LIMIT) this.#evict(this.#order.shift()!);
  }

  #evict(entry: Entry): void {
    for (let b = 0; b < 4; b++) {
      const key = Number((entry.hash >> BigInt(16 * b)) & 0xffffn);
      const list = this.#bands[b].get(key);
      if (!list) continue;
      const i = list.indexOf(entry);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.#bands[b].delete(key);
    }
  }

  nearest(hash: bigint): Entry | null {
    let best: Entry | null = null;
    let bestDistance = NEAR_DUPLICATE_DISTANCE + 1;
    for (let b = 0; b < 4; b++) {
      const key = Number((hash >> BigInt(16 * b)) & 0xffffn);
      for (const e of this.#bands[b].get(key) ?? []) {
        const d = hammingDistance(hash, e.hash);
        if (d < bestDistance) {
          best = e;
          bestDistance = d;
        }
      }
    }
    return best;
  }

  setCluster(itemId: number, clusterId: number): void {
    for (const e of this.#order) if (e.itemId === itemId) e.clusterId = clusterId;
  }
}

export interface OpinionRuntime {
  segmenter: Segmenter;
  simhashes: SimhashIndex;
  classifier: TopicClassifier | null;
  classifierTrainedAt: number;
}

const runtimes = new WeakMap<AppContext, Promise<OpinionRuntime>>();

export function opinionRuntime(ctx: AppContext): Promise<OpinionRuntime> {
  let r = runtimes.get(ctx);
  if (!r) {
    r = build(ctx);
    runtimes.set(ctx, r);
    r.catch(() => runtimes.delete(ctx));
  }
  return r;
}

async function build(ctx: AppContext): Promise<OpinionRuntime> {
  const departments = await ctx.db.selectFrom('departments').select('name').execute();
  const segmenter = createSegmenter(departments.map((d) => d.name));
  const simhashes = new SimhashIndex();
  const recent = await ctx.db
    .selectFrom('opinion_items')
    .select(['id', 'cluster_id', 'simhash'])
    .orderBy('id', 'desc')
    .limit(INDEX_LIMIT)
    .execute();
  for (const r of recent.reverse()) simhashes.add({ itemId: r.id, clusterId: r.cluster_id, hash: fromHex(r.simhash) });
  const runtime: OpinionRuntime = { segmenter, simhashes, classifier: null, classifierTrainedAt: 0 };
  await refreshClassifier(ctx, runtime);
  return runtime;
}

/** Loads the newest trained topic model if it changed since we loaded ours. */
export async function refreshClassifier(ctx: AppContext, runtime: OpinionRuntime): Promise<void> {
  const row = await ctx.db.selectFrom('opinion_models').select(['model', 'trained_at']).where('name', '=', TOPIC_MODEL).executeTakeFirst();
  if (row && row.trained_at.getTime() !== runtime.classifierTrainedAt) {
    runtime.classifier = TopicClassifier.fromJSON(row.model);
    runtime.classifierTrainedAt = row.trained_at.getTime();
  }
}
