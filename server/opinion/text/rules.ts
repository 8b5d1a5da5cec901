// Analysts' keyword rules per topic: explainable matching. A rule matches a post when any of its keywords appears and
// none of its excludes does; the result names the keywords that matched, so the console can show (and highlight) why
// a post landed in a topic.
//
// A keyword "appears" when it equals a token, or — for keywords of two or more characters — when it occurs in the
// normalised text. The substring test catches keywords the segmenter cut differently (化工园区 inside
// 城东化工园区, 爆炸 inside 爆炸事故). Keywords in Latin script match as whole words only (no "art" in "party");
// one-character keywords match as tokens only (a lone 火 must not fire on 火车站). Matching is case-insensitive and
// NFKC-folded on both sides.

export interface TopicRule {
  id: string;
  name: string;
  keywords: string[];
  excludes: string[];
}

export interface TopicMatch {
  topicId: string;
  name: string;
  /** The rule's keywords that appeared, in the rule's order, as the analyst wrote them. */
  words: string[];
}

interface CompiledTerm {
  /** As the analyst wrote it. */
  original: string;
  /** NFKC, lowercase, trimmed. */
  folded: string;
  mode: 'token' | 'substring' | 'word';
}

interface CompiledRule {
  id: string;
  name: string;
  keywords: CompiledTerm[];
  excludes: CompiledTerm[];
}

const LATIN_ONLY = /^[\p{Script=Latin}\p{N}\s._'&+-]+$/u;
const WORD_CHAR = /[\p{Script=Latin}\p{N}_]/u; // a Latin word ends at CJK text too (12345热线)

function compileTerm(original: string): CompiledTerm | null {
  const folded = String(original ?? '').normalize('NFKC').toLowerCase().trim();
  if (!folded) return null;
  const mode = [...folded].length < 2 ? 'token' : LATIN_ONLY.test(folded) ? 'word' : 'substring';
  return { original, folded, mode };
}

const compiledCache = new WeakMap<readonly TopicRule[], CompiledRule[]>();

function compile(rules: readonly TopicRule[]): CompiledRule[] {
  let compiled = compiledCache.get(rules);
  if (!compiled) {
    compiled = rules.map((r) => ({
      id: r.id,
      name: r.name,
      keywords: (r.keywords ?? []).map(compileTerm).filter((t): t is CompiledTerm => t !== null),
      excludes: (r.excludes ?? []).map(compileTerm).filter((t): t is CompiledTerm => t !== null),
    }));
    // Cached per rules array: callers pass the same array for every item until the rules change. Rules are
    // treated as immutable once passed in; pass a new array after editing them.
    compiledCache.set(rules, compiled);
  }
  return compiled;
}

function containsWord(text: string, word: string): boolean {
  let from = 0;
  for (;;) {
    const at = text.indexOf(word, from);
    if (at < 0) return false;
    const before = at > 0 ? text[at - 1] : '';
    const after = text[at + word.length] ?? '';
    if (!(before && WORD_CHAR.test(before)) && !(after && WORD_CHAR.test(after))) return true;
    from = at + 1;
  }
}

function appears(term: CompiledTerm, text: string, tokens: ReadonlySet<string>): boolean {
  if (tokens.has(term.folded)) return true;
  if (term.mode === 'substring') return text.includes(term.folded);
  if (term.mode === 'word') return containsWord(text, term.folded);
  return false;
}

/** Lowercased text and token set, prepared once per post and shared by rule and incident matching. */
export interface MatchInput {
  text: string;
  tokens: ReadonlySet<string>;
}

export function prepareMatchInput(text: string, tokens: readonly string[]): MatchInput {
  const folded = text.normalize('NFKC').toLowerCase();
  const set = new Set<string>();
  for (const t of tokens) set.add(t.toLowerCase());
  return { text: folded, tokens: set };
}

/** matchTopicRules over a prepared input (see prepareMatchInput). */
export function matchPrepared(input: MatchInput, rules: readonly TopicRule[]): TopicMatch[] {
  const out: TopicMatch[] = [];
  for (const rule of compile(rules)) {
    let words: string[] | undefined;
    for (const k of rule.keywords) {
      if (appears(k, input.text, input.tokens)) (words ??= []).push(k.original);
    }
    if (!words) continue;
    if (rule.excludes.some((x) => appears(x, input.text, input.tokens))) continue;
    out.push({ topicId: rule.id, name: rule.name, words });
  }
  return out;
}

/**
 * The rules that match a post, each with the keywords that matched. `text` is the normalised text (normalizeText),
 * `tokens` its segmentation. Rules with no keywords never match.
 */
export function matchTopicRules(text: string, tokens: readonly string[], rules: readonly TopicRule[]): TopicMatch[] {
  if (rules.length === 0) return [];
  return matchPrepared(prepareMatchInput(text, tokens), rules);
}
