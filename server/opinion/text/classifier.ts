// Topic classifier: a typed wrapper around natural's BayesClassifier, trained on analysts' triage labels.
//
// natural is imported BY PATH (natural/lib/natural/classifiers/bayes_classifier.js). Importing the package root loads
// its storage back-ends (mongoose, redis, pg, memjs) and runs dotenv, which reads .env from the working directory and
// prints to stdout (5 lines); measured on this 2-core machine in a fresh process: 0.47–1.4 s and ~153 MB RSS (112 MB
// over bare node) for the root versus ~15 ms and ~49 MB (8 MB over bare node) for this one module — the bench
// test/bench/opinion-text.bench.ts prints both.
//
// Tokens in, never raw Chinese strings: natural's tokenizers drop CJK. Tokens go through contentTokens (stopwords
// out), gain subword features (see featureTokens) and are de-duplicated (natural's features are presence/absence);
// every feature carries a prefix ("w:", "c:", "b:") so a token such as "constructor", "__proto__" or "12345" can't
// collide with Object.prototype or reorder the feature object (integer-like keys sort first in JS objects).
//
// Training uses natural's own data structures (addDocument → docs/features, and the apparatus Bayes model's
// addExample with the same dense 0/1 feature vectors natural's train() builds), but builds each vector from a
// token → index map instead of natural's textToFeatures, which is O(vocabulary × tokens) per document. Classifying
// reads the same model (classFeatures, classTotals, totalExamples, smoothing) with the same formula as apparatus'
// probabilityOfClass, kept in log space: apparatus multiplies the prior by exp(Σ log p), which underflows to 0 for
// every class on long posts, and walks the whole vocabulary per class. The label always equals natural's
// classify() where that doesn't underflow (tested); the confidence is the posterior of the winning class.
import { createRequire } from 'node:module';
import { contentTokens } from './segment.ts';

/** The parts of natural's BayesClassifier (and its apparatus model) that the wrapper touches. */
interface ApparatusBayes {
  classFeatures: Record<string, Record<string, number>>;
  classTotals: Record<string, number>;
  totalExamples: number;
  smoothing: number;
  addExample(observation: number[], label: string): void;
  train(): void;
  getClassifications(observation: number[]): { label: string; value: number }[];
}
interface NaturalBayes {
  classifier: ApparatusBayes;
  docs: { label: string; text: string[] }[];
  features: Record<string, number>;
  lastAdded: number;
  addDocument(tokens: string[], label: string): void;
  train(): void;
  classify(tokens: string[]): string;
  getClassifications(tokens: string[]): { label: string; value: number }[];
}
interface NaturalBayesCtor {
  new (stemmer?: unknown, smoothing?: number): NaturalBayes;
  restore(classifier: unknown, stemmer?: unknown): NaturalBayes;
}

const require = createRequire(import.meta.url);
const BayesClassifier = require('natural/lib/natural/classifiers/bayes_classifier.js') as NaturalBayesCtor;

const PREFIX = 'w:';
const FORMAT = 'beacon.topic-bayes';
const VERSION = 1;

export interface TopicClassification {
  label: string;
  /** Posterior probability of `label` among the trained labels (0–1). */
  confidence: number;
}

const HAN_WORD = /^\p{Script=Han}+$/u;

/**
 * The features of a post: its content tokens, plus — for Chinese words of two or more characters — their characters
 * and (for three or more) their character bigrams. Subword features let 垃圾站 share evidence with 垃圾 and 电信诈骗
 * with 诈骗, which matters with the few hundred labelled posts a deployment starts from (5-fold cross-validation on
 * the labelled fixture: 0.54 with words only, 0.64 with subwords). Presence only, each feature once.
 */
function featureTokens(tokens: readonly string[]): string[] {
  const seen = new Set<string>();
  for (const t of contentTokens(tokens)) {
    seen.add(PREFIX + t);
    if (t.length >= 2 && HAN_WORD.test(t)) {
      for (const ch of t) seen.add('c:' + ch);
      if (t.length >= 3) for (let i = 0; i + 2 <= t.length; i++) seen.add('b:' + t.slice(i, i + 2));
    }
  }
  return [...seen];
}

export class TopicClassifier {
  #examples: { tokens: string[]; label: string }[] = [];
  #model: NaturalBayes | null = null;
  /** prefixed token → feature index in the trained model */
  #index = new Map<string, number>();
  #labels: string[] = [];
  /** per label: log of (count or smoothing) / classTotals for each feature index, and the default for unseen ones */
  #logp: { label: string; logPrior: number; logDefault: number; logFeature: Map<number, number> }[] = [];

  /** Adds a labelled example (takes effect at the next train()). Examples with no content tokens are ignored. */
  addExample(tokens: string[], label: string): void {
    const l = String(label ?? '').trim();
    if (!l) throw new Error('TopicClassifier.addExample: empty label');
    const features = featureTokens(tokens);
    if (features.length === 0) return;
    this.#examples.push({ tokens: features, label: l });
  }

  /** Number of examples added (trained or not). */
  get size(): number {
    return this.#examples.length;
  }

  /** Builds a fresh model from every example added so far. Synchronous; run it off the request path. */
  train(): void {
    if (this.#examples.length === 0) {
      this.#model = null;
      this.#rebuild();
      return;
    }
    const model = new BayesClassifier();
    for (const e of this.#examples) model.addDocument(e.tokens, e.label);
    const index = new Map<string, number>();
    let i = 0;
    for (const f of Object.keys(model.features)) index.set(f, i++);
    const width = index.size;
    for (const doc of model.docs) {
      const vector: number[] = new Array(width).fill(0);
      for (const t of doc.text) vector[index.get(t)!] = 1;
      model.classifier.addExample(vector, doc.label);
    }
    model.lastAdded = model.docs.length;
    model.classifier.train();
    this.#model = model;
    this.#rebuild();
  }

  #rebuild(): void {
    this.#index = new Map();
    this.#labels = [];
    this.#logp = [];
    const model = this.#model;
    if (!model) return;
    let i = 0;
    for (const f of Object.keys(model.features)) this.#index.set(f, i++);
    const c = model.classifier;
    for (const label of Object.keys(c.classFeatures)) {
      const total = c.classTotals[label];
      const logFeature = new Map<number, number>();
      for (const [k, count] of Object.entries(c.classFeatures[label])) {
        logFeature.set(Number(k), Math.log((count || c.smoothing) / total));
      }
      this.#logp.push({
        label,
        logPrior: Math.log(total / c.totalExamples),
        logDefault: Math.log(c.smoothing / total),
        logFeature,
      });
      this.#labels.push(label);
    }
  }

  /** The most probable label and its posterior, or null when untrained or when no token is known to the model. */
  classify(tokens: string[]): TopicClassification | null {
    const all = this.classifyAll(tokens);
    return all.length ? all[0] : null;
  }

  /** Every label with its posterior, most probable first ([] when untrained or no token is known). */
  classifyAll(tokens: string[]): TopicClassification[] {
    if (!this.#model || this.#logp.length === 0) return [];
    const present: number[] = [];
    for (const t of featureTokens(tokens)) {
      const i = this.#index.get(t);
      if (i !== undefined) present.push(i);
    }
    if (present.length === 0) return [];
    const scores = this.#logp.map((c) => {
      let s = c.logPrior;
      for (const i of present) s += c.logFeature.get(i) ?? c.logDefault;
      return s;
    });
    const max = Math.max(...scores);
    let z = 0;
    for (const s of scores) z += Math.exp(s - max);
    return this.#logp
      .map((c, k) => ({ label: c.label, confidence: Math.exp(scores[k] - max) / z }))
      .sort((a, b) => b.confidence - a.confidence || (a.label < b.label ? -1 : 1));
  }

  /** The labels of the trained model. */
  get labels(): string[] {
    return [...this.#labels];
  }

  /** natural's own classify() on the trained model (for cross-checking; slow and underflows on long posts). */
  naturalClassify(tokens: string[]): string | null {
    if (!this.#model) return null;
    return this.#model.classify(featureTokens(tokens));
  }

  /** The trained model and its examples as JSON (natural's BayesClassifier serialisation inside a versioned envelope). */
  toJSON(): string {
    const model = this.#model
      ? { docs: this.#model.docs, features: this.#model.features, classifier: this.#model.classifier }
      : null;
    // Examples not yet trained are kept too, so a restart doesn't lose them.
    const pending = this.#examples.slice(this.#model ? this.#model.docs.length : 0);
    return JSON.stringify({ format: FORMAT, version: VERSION, model, pending });
  }

  static fromJSON(json: string): TopicClassifier {
    const data = JSON.parse(json) as {
      format?: string;
      version?: number;
      model: { docs: { label: string; text: string[] }[]; features: Record<string, number>; classifier: unknown } | null;
      pending?: { tokens: string[]; label: string }[];
    };
    if (data?.format !== FORMAT) throw new Error('TopicClassifier.fromJSON: not a Beacon topic classifier');
    if (data.version !== VERSION) throw new Error(`TopicClassifier.fromJSON: unsupported version ${data.version}`);
    const out = new TopicClassifier();
    if (data.model) {
      const restored = BayesClassifier.restore({
        docs: data.model.docs,
        features: data.model.features,
        classifier: data.model.classifier,
        lastAdded: data.model.docs.length,
      });
      out.#model = restored;
      out.#examples = restored.docs.map((d) => ({ tokens: d.text, label: d.label }));
    }
    for (const p of data.pending ?? []) out.#examples.push({ tokens: p.tokens, label: p.label });
    out.#rebuild();
    return out;
  }
}
