// The text-understanding step of the opinion pipeline for one item: normalise, segment, fingerprint, score sentiment,
// match analysts' topic rules, classify, link to incidents, guess the language. Pure and synchronous (the segmenter
// and classifier are built once and passed in), so ingest can run it in a tight loop; the ingest benchmark times it.
import { normalizeText, stripRepostNoise } from './normalize.ts';
import { contentTokens, type Segmenter } from './segment.ts';
import { simhash64 } from './simhash.ts';
import { scoreSentiment, type SentimentResult } from './sentiment.ts';
import { matchPrepared, prepareMatchInput, type TopicMatch, type TopicRule } from './rules.ts';
import type { TopicClassifier } from './classifier.ts';

/** A classifier label joins `topics` only at or above this posterior. */
export const CLASSIFIER_MIN_CONFIDENCE = 0.6;

export interface IncidentKeywords {
  incidentId: string;
  keywords: string[];
}

export interface AnalyseContext {
  segmenter: Segmenter;
  rules: readonly TopicRule[];
  classifier?: TopicClassifier | null;
  incidentKeywords: readonly IncidentKeywords[];
}

export type Language = 'zh' | 'en' | 'other';

export interface Analysis {
  /** Normalised title and content (title first, joined by a space). */
  text: string;
  /** All tokens (what sentiment reads). */
  tokens: string[];
  /** Content tokens (stopwords out): what the classifier and SimHash read; the "terms" for top-term charts. */
  terms: string[];
  simhash: bigint;
  sentiment: SentimentResult;
  /** Rule matches with the words that matched (explainable). */
  matched: TopicMatch[];
  /** Rule topic names ∪ the classifier's label (labels are topic names too) when its confidence ≥ CLASSIFIER_MIN_CONFIDENCE; rule order first. */
  topics: string[];
  /** The classifier's best guess, even below the bar (null when untrained or no token is known to it). */
  classified: { label: string; confidence: number } | null;
  /** Incidents any of whose keywords appear. */
  incidentIds: string[];
  language: Language;
}

const HAN = /\p{Script=Han}/gu;
const KANA_HANGUL = /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu;
const LATIN = /\p{Script=Latin}/gu;
const LETTER = /\p{L}/gu;
const NON_ASCII_LATIN = /[^\x00-\x7F]/;

const EN_WORDS = new Set(['the', 'and', 'of', 'to', 'in', 'is', 'for', 'on', 'with', 'that', 'was', 'are', 'by', 'at', 'from', 'this', 'it', 'as', 'be', 'has', 'have', 'will', 'after', 'new', 'says', 'an']);
const OTHER_LATIN_WORDS = new Set(['der', 'die', 'und', 'das', 'ist', 'nicht', 'mit', 'von', 'den', 'zu', 'ein', 'eine', 'auf', 'für', 'de', 'que', 'não', 'para', 'com', 'uma', 'os', 'do', 'da', 'em', 'um', 'las', 'los', 'el', 'del', 'y', 'por', 'con', 'les', 'et', 'est', 'une', 'dans', 'pour', 'il', 'che', 'di', 'e', 'het', 'een', 'van']);

function count(re: RegExp, s: string): number {
  re.lastIndex = 0;
  let n = 0;
  while (re.exec(s)) n++;
  return n;
}

/**
 * zh when Han characters make up a good part of the letters (one Han character ≈ one word ≈ four Latin letters) and
 * there is no kana or hangul to speak of; en when Latin letters dominate and English function words outnumber
 * German/French/Spanish/Portuguese/Italian/Dutch ones (a short headline with none counts as en if it is plain ASCII);
 * other for everything else, including empty text.
 */
export function detectLanguage(text: string, tokens: readonly string[]): Language {
  const letters = count(LETTER, text);
  if (letters === 0) return 'other';
  const han = count(HAN, text);
  const kanaHangul = count(KANA_HANGUL, text);
  if (han > 0 && kanaHangul <= han * 0.1 && han * 4 >= letters - han - kanaHangul) return 'zh';
  const latin = count(LATIN, text);
  if (latin < letters * 0.6) return 'other';
  let en = 0;
  let other = 0;
  for (const t of tokens) {
    if (EN_WORDS.has(t)) en++;
    else if (OTHER_LATIN_WORDS.has(t)) other++;
  }
  if (en > other) return 'en';
  if (en === 0 && other === 0) return NON_ASCII_LATIN.test(text) ? 'other' : 'en';
  return 'other';
}

const incidentRulesCache = new WeakMap<readonly IncidentKeywords[], TopicRule[]>();
function incidentRules(list: readonly IncidentKeywords[]): TopicRule[] {
  let rules = incidentRulesCache.get(list);
  if (!rules) {
    rules = list.map((i) => ({ id: i.incidentId, name: i.incidentId, keywords: i.keywords, excludes: [] }));
    incidentRulesCache.set(list, rules);
  }
  return rules;
}

/** Understands one item. See Analysis for the fields. */
export function analyseText(input: { title?: string; content: string }, ctx: AnalyseContext): Analysis {
  const title = input.title ? normalizeText(input.title) : '';
  const body = normalizeText(input.content ?? '');
  // A feed's content often starts with its title: don't count the title twice.
  const text = title && !body.startsWith(title) ? (body ? `${title} ${body}` : title) : body || title;

  const { tokens, breaks } = ctx.segmenter.cutWithBreaks(text);
  const terms = contentTokens(tokens);
  const prepared = prepareMatchInput(text, tokens);
  const matched = ctx.rules.length ? matchPrepared(prepared, ctx.rules) : [];
  const topics = [...new Set(matched.map((m) => m.name))];

  const classified = ctx.classifier ? ctx.classifier.classify(terms) : null;
  if (classified && classified.confidence >= CLASSIFIER_MIN_CONFIDENCE && !topics.includes(classified.label)) {
    topics.push(classified.label);
  }

  const incidentIds = ctx.incidentKeywords.length
    ? [...new Set(matchPrepared(prepared, incidentRules(ctx.incidentKeywords)).map((m) => m.topicId))]
    : [];

  // Fingerprint: the story's words without repost noise, each once. SimHash moves ~64·θ/π bits for a cosine angle θ
  // between feature vectors, so on a 20-word post every extra or repeated word (a hashtag repeating the headline, an
  // emoji, a mention) costs several bits; stripping that noise keeps reposts within the near-duplicate distance.
  const fpText = stripRepostNoise(text);
  const fpTerms = fpText === text ? terms : contentTokens(ctx.segmenter.cut(fpText));

  return {
    text,
    tokens,
    terms,
    simhash: simhash64([...new Set(fpTerms)]),
    sentiment: scoreSentiment(tokens, breaks),
    matched,
    topics,
    classified,
    incidentIds,
    language: detectLanguage(text, tokens),
  };
}
