// Chinese word segmentation for the opinion pipeline: @node-rs/jieba (Rust jieba, prebuilt N-API binary shipped in
// the npm package) with jieba's default dictionary plus Beacon's user dictionary (department names, hotlines, local
// places, government-affairs terms) so that 卫健委, 应急管理局, 地铁2号线 stay one token each. Intl.Segmenter splits
// 卫健委 into 卫/健/委, and natural's tokenizers drop CJK altogether, hence a real segmenter.
//
// cut() returns "meaningful" tokens: punctuation, symbols and whitespace dropped, Latin lowercased, numbers kept,
// emoji kept (they carry sentiment). Feed it normalised text (normalizeText): cut() does not apply NFKC itself.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Jieba } from '@node-rs/jieba';

export interface Segmented {
  tokens: string[];
  /**
   * Indexes into `tokens` where a new clause starts (after ，。！？；：、… or a line break), ascending. Sentiment uses
   * them to keep a negator from reaching across a comma (不用排队了，方便多了).
   */
  breaks: number[];
}

export interface Segmenter {
  /** Tokens of `text` in order, filtered as described above. */
  cut(text: string): string[];
  /** cut() plus the clause breaks the dropped punctuation marked. */
  cutWithBreaks(text: string): Segmented;
  /** Adds words to this segmenter's dictionary (kept whole from now on). Empty and whitespace-containing entries are skipped. */
  addWords(words: string[]): void;
}

const require = createRequire(import.meta.url);
const DATA_DIR = new URL('../data/', import.meta.url);

/**
 * Frequency given to user words that don't state one. jieba picks the segmentation with the highest product of word
 * frequencies; a few thousand (the corpus total is ~60 M) keeps a user word whole against any split of it without
 * making it swallow neighbouring characters that belong to a more likely word.
 */
export const USER_WORD_FREQ = 3000;

let defaultDict: Buffer | undefined;
function jiebaDefaultDict(): Buffer {
  // Read the file directly: '@node-rs/jieba/dict' would also read the 2 MB IDF table we don't use.
  defaultDict ??= readFileSync(require.resolve('@node-rs/jieba/dict.txt'));
  return defaultDict;
}

let userDictLines: string[] | undefined;
/** Lines of server/opinion/data/userdict.txt as jieba dictionary lines ("word freq [tag]"), read once. */
function userDictionary(): string[] {
  if (userDictLines) return userDictLines;
  const lines: string[] = [];
  for (const raw of readFileSync(new URL('userdict.txt', DATA_DIR), 'utf8').split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [word, a, b] = line.split(/\s+/);
    const word0 = word.normalize('NFKC');
    const freq = a && /^\d+$/.test(a) ? a : String(USER_WORD_FREQ);
    const tag = a && !/^\d+$/.test(a) ? a : b;
    lines.push(tag ? `${word0} ${freq} ${tag}` : `${word0} ${freq}`);
  }
  userDictLines = lines;
  return lines;
}

/** The words of the default user dictionary (for callers that want to show or extend it). */
export function defaultUserWords(): string[] {
  return userDictionary().map((l) => l.split(' ')[0]);
}

const HAS_CONTENT = /[\p{L}\p{N}\p{Extended_Pictographic}]/u;
const CLAUSE_PUNCT = /[,.!?;:，。！？；：、…\n\r]/;
const HAS_UPPER = /[A-Z\u00C0-\u00DE]/;
const ALL_DIGITS = /^\d+$/;

function toDictLines(words: string[]): string {
  const lines: string[] = [];
  for (const w of words) {
    const word = String(w ?? '').normalize('NFKC').trim();
    if (!word || /\s/.test(word)) continue;
    lines.push(`${word} ${USER_WORD_FREQ}`);
  }
  return lines.join('\n');
}

/**
 * A segmenter with jieba's dictionary, Beacon's user dictionary and `userWords`. Loading the 5 MB base dictionary
 * takes ~0.1 s, so create one per process and reuse it; cut() is synchronous and takes microseconds per post.
 */
export function createSegmenter(userWords: string[] = []): Segmenter {
  const jieba = Jieba.withDict(jiebaDefaultDict());
  jieba.loadDict(Buffer.from(userDictionary().join('\n')));
  const addWords = (words: string[]) => {
    const lines = toDictLines(words);
    if (lines) jieba.loadDict(Buffer.from(lines));
  };
  addWords(userWords);

  const cutWithBreaks = (text: string): Segmented => {
    const tokens: string[] = [];
    const breaks: number[] = [];
    if (!text) return { tokens, breaks };
    let pendingBreak = false;
    let prevDigits = false; // the previous raw token was kept and all digits
    for (const t of jieba.cut(text, true)) {
      if (!HAS_CONTENT.test(t)) {
        if (!pendingBreak && tokens.length > 0 && CLAUSE_PUNCT.test(t)) pendingBreak = true;
        prevDigits = false;
        continue;
      }
      const digits = ALL_DIGITS.test(t);
      if (digits && prevDigits) {
        // A user word such as 12345 must not split a longer number (123456 → 12345/6): glue digit runs back.
        tokens[tokens.length - 1] += t;
        continue;
      }
      prevDigits = digits;
      if (pendingBreak) {
        breaks.push(tokens.length);
        pendingBreak = false;
      }
      tokens.push(HAS_UPPER.test(t) ? t.toLowerCase() : t);
    }
    return { tokens, breaks };
  };

  return {
    cut: (text: string): string[] => cutWithBreaks(text).tokens,
    cutWithBreaks,
    addWords,
  };
}

let stopwords: Set<string> | undefined;
/** The stopword list (server/opinion/data/stopwords.txt), read once. */
export function stopwordSet(): ReadonlySet<string> {
  if (!stopwords) {
    stopwords = new Set();
    for (const raw of readFileSync(new URL('stopwords.txt', DATA_DIR), 'utf8').split(/\r?\n/)) {
      const w = raw.trim();
      if (w && !w.startsWith('#')) stopwords.add(w);
    }
  }
  return stopwords;
}

const SHORT_NUMBER = /^\d{1,2}$/;

/**
 * Tokens that carry topic: stopwords (function words, pronouns, particles, time words) and one- or two-digit numbers
 * (counts like 3人, 20分钟) dropped. Longer numbers stay: 12345, 110, 120 are hotlines. For topic classification and
 * SimHash; sentiment reads the full token list.
 */
export function contentTokens(tokens: readonly string[]): string[] {
  const stop = stopwordSet();
  const out: string[] = [];
  for (const t of tokens) {
    if (stop.has(t) || SHORT_NUMBER.test(t)) continue;
    out.push(t);
  }
  return out;
}
