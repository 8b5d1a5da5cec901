// Lexicon sentiment for segmented Chinese text, with negation, intensifiers and a few rules of how complaints,
// reassurance and official notices are written.
//
// Lexicon: NTUSD (National Taiwan University Sentiment Dictionary; Ku & Chen 2007, JASIST 58(12); MIT) converted to
// Simplified script and stripped of common non-sentiment vocabulary by server/opinion/data/build-lexicon.ts —
// positive words +0.4, negative −0.6 (NTUSD is broad and noisy: one NTUSD positive word alone stays neutral;
// negative words are what analysts act on) — overridden and extended by Beacon's hand-made government-affairs and
// emergency lexicon server/opinion/data/gov-sentiment.txt.
//
// Rules, over the full token list (negators and intensifiers are function words, so not contentTokens). A "scope"
// never crosses a clause break (punctuation, when the caller passes the breaks from segmenter.cutWithBreaks), a
// contrast word (但是 …) or a clause-linking word (就, 才, 结果 …).
// - Negation: a negator (不, 没, 没有, 未, 别, 无, 非, 并非, 从未, 暂无 …) within the 3 tokens before a sentiment word,
//   with no other sentiment word between, flips it; an even number of negators cancels (不是不满意). A negated
//   positive becomes nearly as negative (不满意 ≈ −0.9 × 满意); a negated negative only mildly positive (并不危险 =
//   −0.5 × 危险), the usual asymmetry. Not in a rhetorical 不是…吗 (这不是走过场吗 affirms), and a persistence adverb
//   before the negator (还不停课, 仍未恢复) makes it a complaint that something still hasn't happened.
// - Intensifiers (很, 非常, 太, 极其, 特别, 严重 …) scale the word they precede, diminishers (有点, 比较 …) shrink it.
//   Negator then intensifier (不太满意) softens the flip; intensifier then negator (很不满意) strengthens it. Words
//   that are both sentiment words and intensifiers (好, 严重) act as intensifiers when a sentiment word follows.
// - Contrast (但, 但是, 可是, 不过, 然而, 却): what came before counts half. The last clause of a multi-clause post
//   counts 1.5× (comments end on their verdict: …，满意 / …，太让人失望了), except words the register discounted.
// - Enforcement (查处, 取缔, 打击, 严惩, 抓获 …) acting on a negative word — before it (查处偷排) or after it through 被
//   (盗窃团伙终于被抓了) — turns it into mild good news.
// - Wishes and demands (希望, 要求, 请, 建议, 呼吁, 尽快 …) before a positive word: the state is wanted, not reached
//   (要求尽快恢复供水), so it counts 0.3.
// - Rhetorical question: a positive word right before 吗 (这公平吗) counts as negated.
// - Cues on non-sentiment tokens: a negated verb after a persistence adverb (还没排掉, 一直没有消息, 连个座位都没有) or
//   a negated verb in a question (…做不到吗) −0.6; "nobody does X" (没人修, 无人处理, 没人 通知) −1.2; "can't"
//   compounds (收不到, 挂不上) −0.5; "X来X去" (改来改去, 推来推去) −0.6; relief (不用排队, 不用跑腿, 无需提交) +0.6.
// - Informational register: in a notice, procedural report or plain question (markers 通报, 通知, 提醒, 另行通知,
//   发布会, 采样, 请问 …, not negated), the weak words — those tagged "event" in the lexicon (事故, 爆炸, 积水 …) and
//   NTUSD-only words — count only once, at a quarter: a notice reporting an accident is neutral in tone. Fear, anger,
//   blame and praise words still count.
// Morphology: a token not in the lexicon is looked up again without a trailing aspect particle (捂着 → 捂, 坏了 → 坏),
// without a leading soft negator (不太好 → softly negated 好) and without a leading degree/scope adverb (太难 → 难 × 太,
// 全毁 → 毁). Soft negators the segmenter keeps whole (不太, 不怎么) negate like 不 + 太.
// The sum S maps to score = tanh(S / 2) in [−1, 1]; |score| < NEUTRAL_BAND is neutral.
import { readFileSync } from 'node:fs';

export type SentimentLabel = 'negative' | 'neutral' | 'positive';
export interface SentimentResult {
  label: SentimentLabel;
  score: number;
}
export interface SentimentHit {
  /** Index of the token in the token list. */
  index: number;
  word: string;
  /** The word's lexicon weight, or the cue's weight. */
  weight: number;
  /** What it contributed after the rules. */
  contribution: number;
  /**
   * lexicon, negated, enforced, wished, rhetorical, still-not (negators) or a cue: unresolved, nobody, cannot, abab,
   * relief. `register` when the informational register discounted it.
   */
  rule: string;
}

/** |score| below this is neutral: one weak word (|weight| ≤ 0.5, e.g. 风险, 诉求) alone does not make a post negative. */
export const NEUTRAL_BAND = 0.25;
const NTUSD_POSITIVE = 0.4;
const NTUSD_NEGATIVE = -0.6;
const WINDOW = 3;
const NEGATED_POSITIVE = -0.9;
const NEGATED_NEGATIVE = -0.5;
/** A negator followed by an intensifier (不太好) flips only this much of the word. */
const SOFTENED_FLIP = 0.6;
const BEFORE_CONTRAST = 0.5;
const FINAL_CLAUSE = 1.5;
const ENFORCED_NEGATIVE = -0.3;
const WISHED_POSITIVE = 0.3;
const RHETORICAL = NEGATED_POSITIVE;
const UNRESOLVED = -0.6;
const NOBODY = -1.2;
const CANNOT = -0.5;
const ABAB = -0.6;
const RELIEF = 0.6;
const REGISTER_WEAK = 0.25;

export const NEGATORS: ReadonlySet<string> = new Set([
  '不', '没', '没有', '未', '别', '无', '非', '莫', '勿', '甭', '不是', '并非', '绝非', '毫无', '从未', '未曾', '从没',
  '从来不', '从来没有', '不会', '不要', '不用', '无需', '无须', '不必', '不再', '尚未', '暂无', '并未', '并没有', '没什么',
  '谈不上', '算不上', '难以', '不够', '缺乏', '未能', '没能', '不能', '不到', '并不', '再也不', '绝不', '决不', '未必',
  '尚无', '无法', '不存在', '再也不用',
]);

/** Negator + degree compounds the segmenter keeps whole: they negate softly (不太满意 is mildly negative). */
const SOFT_NEGATORS: ReadonlySet<string> = new Set(['不太', '不大', '不怎么', '不那么', '不很', '不算', '不甚', '不是很', '不算太']);

export const INTENSIFIERS: ReadonlyMap<string, number> = new Map([
  ['很', 1.4], ['非常', 1.7], ['太', 1.7], ['极其', 2], ['极', 1.8], ['极度', 1.9], ['特别', 1.6], ['十分', 1.6],
  ['相当', 1.4], ['超', 1.5], ['超级', 1.7], ['好', 1.3], ['真', 1.3], ['真的', 1.3], ['实在', 1.5], ['简直', 1.6],
  ['严重', 1.5], ['更', 1.3], ['更加', 1.4], ['越来越', 1.4], ['最', 1.6], ['太过', 1.6], ['尤其', 1.3], ['多么', 1.5],
  ['如此', 1.4], ['格外', 1.4], ['愈发', 1.4], ['完全', 1.5], ['彻底', 1.5], ['根本', 1.4], ['一直', 1.2],
  ['总是', 1.3], ['老是', 1.3], ['再次', 1.2], ['又', 1.1], ['竟然', 1.3], ['居然', 1.3], ['特', 1.4], ['贼', 1.5],
  ['巨', 1.5], ['挺', 1.2], ['蛮', 1.2], ['极为', 1.8], ['全', 1.2], ['都', 1.1],
  // diminishers
  ['有点', 0.6], ['有点儿', 0.6], ['有些', 0.6], ['稍微', 0.5], ['稍', 0.6], ['略', 0.6], ['略微', 0.5], ['比较', 0.8],
  ['还算', 0.7], ['一点', 0.6], ['些许', 0.5], ['较为', 0.8], ['基本', 0.7],
]);
/** One-character degree/scope adverbs that the segmenter leaves glued to the next word (太难, 全毁, 超赞). */
const PREFIX_ADVERBS: ReadonlyMap<string, number> = new Map([
  ['太', 1.7], ['很', 1.4], ['真', 1.3], ['超', 1.5], ['最', 1.6], ['好', 1.3], ['挺', 1.2], ['巨', 1.5], ['贼', 1.5],
  ['特', 1.4], ['全', 1.2], ['都', 1.1], ['更', 1.3],
]);

const CONTRAST: ReadonlySet<string> = new Set(['但', '但是', '可是', '不过', '然而', '却', '只是']);
/** Clause-linking words: a negator or wish before them does not reach past them. */
const LINKERS: ReadonlySet<string> = new Set(['就', '才', '结果', '所以', '因为', '因此', '如果', '而且', '并且', '然后', '于是', '否则']);
const ENFORCERS: readonly string[] = [
  '查处', '取缔', '打击', '严惩', '整治', '治理', '惩治', '查获', '捣毁', '依法处理', '处罚', '罚', '严打', '清理', '抓获',
  '抓', '追回', '破获', '关停', '查封', '拆除', '制止', '遏制', '防范', '严查', '彻查', '根治', '消除', '排除', '处理',
];
const ENFORCER_SET: ReadonlySet<string> = new Set(ENFORCERS);
const WISHES: ReadonlySet<string> = new Set([
  '希望', '要求', '请求', '请', '建议', '呼吁', '盼', '盼望', '期待', '期盼', '应该', '应当', '必须', '务必', '尽快',
  '赶紧', '恳请', '诉求', '需要',
]);
/** Before a negated verb: "still not / never / not even" — the complaint that something hasn't happened. */
const PERSISTENCE: ReadonlySet<string> = new Set(['还', '还是', '一直', '至今', '迟迟', '始终', '仍', '仍然', '依然', '依旧', '从来', '总是', '到现在', '都']);
/** Before a negator + negative word: "still not stopping the bad thing" (还不停课), not "never had an accident". */
const STILL: ReadonlySet<string> = new Set(['还', '仍', '仍然', '依然', '依旧', '迟迟', '一直']);
const RELIEF_NEGATORS: ReadonlySet<string> = new Set(['不用', '无需', '无须', '不必', '再也不用', '免', '省去']);
const QUESTION = '吗';
/**
 * Register markers: a text with one of these (not negated) is a notice, a procedural report or a plain question —
 * informational in tone.
 */
const INFO_MARKERS: ReadonlySet<string> = new Set([
  // notices
  '通报', '情况通报', '警情通报', '警情', '通知', '公告', '提醒', '提示', '温馨提示', '另行通知', '即日起', '发布会',
  '新闻发布会', '记者', '据悉', '据了解', '经核实', '核实', '调查组', '应急响应', '预警信号', '请市民', '广大市民',
  '市民朋友', '特此', '通告', '公示', '答复', '情况说明', '声明', '发布', '公布', '印发', '可拨打', '拨打',
  // procedure
  '采样', '送检', '检测', '抽检', '排查', '演练', '约谈', '召开', '部署', '调查', '安置点', '启动',
  // plain questions
  '请问', '想问', '求问', '咨询', '有人知道', '有没有人',
]);
/** "X不Y" compounds that are not about failing to do something. */
const NOT_CANNOT: ReadonlySet<string> = new Set([
  '差不多', '了不起', '对不起', '怪不得', '说不定', '恨不得', '巴不得', '要不然', '不得不', '忍不住', '禁不住', '来不及',
  '大不了', '少不了', '免不了', '用不着', '犯不着', '舍不得', '顾不上', '不见得', '了不得', '数不清', '看不起',
]);
const ASPECT_SUFFIX = /^(.+?)(着|了|过|掉|的|啦)$/u;
const X_LAI_X_QU = /^(.+)来\1去$/u;
const NOBODY_PREFIXES = ['没人', '无人', '没有人'];

const DATA_DIR = new URL('../data/', import.meta.url);

interface Lexicon {
  weights: Map<string, number>;
  /** Weak words: tagged "event" in gov-sentiment.txt, or only in NTUSD. */
  weak: Set<string>;
}
let lexicon: Lexicon | undefined;

function readLines(name: string): string[] {
  return readFileSync(new URL(name, DATA_DIR), 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

function loadLexicon(): Lexicon {
  if (lexicon) return lexicon;
  const weights = new Map<string, number>();
  const weak = new Set<string>();
  for (const w of readLines('ntusd-positive.txt')) {
    weights.set(w, NTUSD_POSITIVE);
    weak.add(w);
  }
  for (const w of readLines('ntusd-negative.txt')) {
    weights.set(w, NTUSD_NEGATIVE);
    weak.add(w);
  }
  for (const line of readLines('gov-sentiment.txt')) {
    const m = /^(\S+)\s+(-?\d+(?:\.\d+)?)(?:\s+(event))?$/.exec(line);
    if (!m) throw new Error(`gov-sentiment.txt: bad line ${JSON.stringify(line)}`);
    for (const w of new Set([m[1], m[1].normalize('NFKC')])) {
      weights.set(w, Number(m[2]));
      if (m[3]) weak.add(w);
      else weak.delete(w);
    }
  }
  for (const n of NEGATORS) weights.delete(n);
  for (const n of SOFT_NEGATORS) weights.delete(n);
  for (const [w, v] of weights) if (v === 0) weights.delete(w);
  lexicon = { weights, weak };
  return lexicon;
}

/** word → weight, loaded once (~19,000 entries, a few ms). Negators are never lexicon words. */
export function sentimentLexicon(): ReadonlyMap<string, number> {
  return loadLexicon().weights;
}

function labelFor(score: number): SentimentLabel {
  return score <= -NEUTRAL_BAND ? 'negative' : score >= NEUTRAL_BAND ? 'positive' : 'neutral';
}

function roundScore(x: number): number {
  const r = Math.round(x * 1000) / 1000;
  return Object.is(r, -0) ? 0 : r;
}

const startsWithAny = (t: string, prefixes: readonly string[]) => prefixes.some((p) => t.length > p.length && t.startsWith(p));
const isEnforcer = (t: string) => ENFORCER_SET.has(t) || ENFORCERS.some((e) => e.length >= 2 && t.length > e.length && t.startsWith(e));

/**
 * The scored words of a token list, in order, with what each contributed: for explaining a score to an analyst.
 * `breaks` are clause starts from segmenter.cutWithBreaks (optional; without them scopes only stop at contrast and
 * linking words, and there is no final-clause emphasis).
 */
export function explainSentiment(
  tokens: readonly string[],
  breaks: readonly number[] = [],
): { result: SentimentResult; hits: SentimentHit[] } {
  const { weights, weak } = loadLexicon();
  const n = tokens.length;

  // Per token: lexicon weight (with the morphology fallbacks), whether it is weak, and its clause.
  const weight: (number | undefined)[] = new Array(n);
  const isWeak: boolean[] = new Array(n).fill(false);
  const clause = new Int32Array(n);
  let informational = false;
  for (let i = 0, b = 0, c = 0; i < n; i++) {
    while (b < breaks.length && breaks[b] <= i) {
      b++;
      c++;
    }
    clause[i] = c;
    const t = tokens[i];
    if (INFO_MARKERS.has(t) && !(i > 0 && (NEGATORS.has(tokens[i - 1]) || tokens[i - 1] === '人'))) informational = true;
    let w = weights.get(t);
    let key = t;
    if (w === undefined && t.length >= 2) {
      const m = ASPECT_SUFFIX.exec(t);
      if (m && weights.has(m[1])) {
        key = m[1];
        w = weights.get(key);
      } else if (t.length >= 3 && SOFT_NEGATORS.has(t.slice(0, 2)) && weights.has(t.slice(2))) {
        key = t.slice(2); // 不太好: softly negated
        const wr = weights.get(key)!;
        w = wr * (wr > 0 ? NEGATED_POSITIVE : NEGATED_NEGATIVE) * SOFTENED_FLIP;
      } else {
        const factor = PREFIX_ADVERBS.get(t[0]);
        const rest = t.slice(1);
        const wr = factor !== undefined ? weights.get(rest) : undefined;
        if (wr !== undefined) {
          key = rest;
          w = wr * factor!;
        }
      }
    }
    // 好 + 几/多 is "quite a few" (好几天, 好多人), not "good".
    if (t === '好' && i + 1 < n && /^[几多]/u.test(tokens[i + 1])) w = undefined;
    weight[i] = w;
    isWeak[i] = w !== undefined && weak.has(key);
  }
  const lastClause = n > 0 ? clause[n - 1] : 0;
  const isIntensifierAt = (i: number) =>
    INTENSIFIERS.has(tokens[i]) &&
    (weight[i] === undefined || (i + 1 < n && weight[i + 1] !== undefined && clause[i + 1] === clause[i]));
  const isSentimentAt = (i: number) => weight[i] !== undefined && !isIntensifierAt(i);
  const scopeStop = (j: number, i: number) => clause[j] !== clause[i] || CONTRAST.has(tokens[j]) || LINKERS.has(tokens[j]);
  /** 吗 closing the clause of token i (after it). */
  const questionAfter = (i: number) => {
    for (let k = i + 1; k < n && clause[k] === clause[i]; k++) if (tokens[k] === QUESTION) return true;
    return false;
  };

  const hits: SentimentHit[] = [];
  const cue = (i: number, value: number, rule: string) =>
    hits.push({ index: i, word: tokens[i], weight: value, contribution: value, rule });

  for (let i = 0; i < n; i++) {
    const t = tokens[i];
    if (CONTRAST.has(t)) {
      for (const h of hits) h.contribution *= BEFORE_CONTRAST;
      continue;
    }

    if (!isSentimentAt(i)) {
      if (weight[i] !== undefined) continue; // an intensifier here
      const negatedVerb = NEGATORS.has(t) || (t.length === 2 && (t[0] === '没' || t[0] === '未'));
      if (negatedVerb) {
        if ((t === '没' || t === '没有' || t === '无') && tokens[i + 1] === '人' && clause[i + 1] === clause[i]) {
          cue(i, NOBODY, 'nobody'); // 没 人 通知
          continue;
        }
        let governs = false; // a sentiment word in its scope: plain negation handles it
        for (let k = i + 1; k < n && k <= i + WINDOW && !scopeStop(k, i); k++) if (isSentimentAt(k)) governs = true;
        if (governs) continue;
        const prev = i > 0 && clause[i - 1] === clause[i] ? tokens[i - 1] : '';
        if (PERSISTENCE.has(prev) || (t !== '不是' && questionAfter(i) && prev !== '是')) cue(i, UNRESOLVED, 'unresolved');
        else if (RELIEF_NEGATORS.has(t) && i + 1 < n && clause[i + 1] === clause[i]) cue(i, RELIEF, 'relief');
        continue;
      }
      if (t.length >= 3 && startsWithAny(t, NOBODY_PREFIXES)) cue(i, NOBODY, 'nobody');
      else if (t.length === 3 && t[1] === '不' && !NOT_CANNOT.has(t)) cue(i, CANNOT, 'cannot');
      else if (t.length >= 4 && X_LAI_X_QU.test(t)) cue(i, ABAB, 'abab');
      continue;
    }

    const w = weight[i]!;
    let negators = 0;
    let firstNegatorAt = -1;
    let intensity = 1; // intensifiers between the last negator and the word (or with no negator)
    let outer = 1; // intensifiers before the first negator (很不满意)
    let enforced = false;
    for (let j = i - 1; j >= 0 && j >= i - WINDOW; j--) {
      if (scopeStop(j, i)) break;
      const u = tokens[j];
      if (NEGATORS.has(u)) {
        negators++;
        firstNegatorAt = j;
        continue;
      }
      if (SOFT_NEGATORS.has(u)) {
        negators++;
        firstNegatorAt = j;
        if (negators === 1) intensity *= 1.5; // counts as negator + intensifier: a softened flip
        continue;
      }
      const factor = INTENSIFIERS.get(u);
      if (factor !== undefined && isIntensifierAt(j)) {
        if (negators === 0) intensity *= factor;
        else outer *= factor;
        continue;
      }
      if (w < 0 && negators === 0 && isEnforcer(u)) {
        enforced = true;
        break;
      }
      if (isSentimentAt(j)) break; // another sentiment word: the negator (if any) belongs to it
    }
    if (w < 0 && !enforced) {
      // 盗窃团伙终于被抓了: a negative word acted on through 被 later in its clause.
      for (let k = i + 1; k < n && k <= i + 5 && clause[k] === clause[i]; k++) {
        if (tokens[k] === '被' && k + 1 < n) {
          for (let m = k + 1; m < n && m <= k + 3 && clause[m] === clause[i]; m++) if (isEnforcer(tokens[m])) enforced = true;
          break;
        }
      }
    }
    let wished = false;
    if (w > 0) {
      for (let j = i - 1; j >= 0 && !scopeStop(j, i); j--) {
        if (WISHES.has(tokens[j])) {
          wished = true;
          break;
        }
      }
    }

    let contribution: number;
    let rule = 'lexicon';
    const negator = firstNegatorAt >= 0 ? tokens[firstNegatorAt] : '';
    const rhetoricalAffirmation = negators % 2 === 1 && (negator === '不是' || negator === '不') && questionAfter(i);
    if (enforced) {
      contribution = w * ENFORCED_NEGATIVE;
      rule = 'enforced';
    } else if (negators % 2 === 1 && !rhetoricalAffirmation) {
      const before = firstNegatorAt > 0 && clause[firstNegatorAt - 1] === clause[i] ? tokens[firstNegatorAt - 1] : '';
      if (w < 0 && STILL.has(before)) {
        contribution = UNRESOLVED; // 还不停课: the bad thing still isn't being stopped
        rule = 'still-not';
      } else {
        contribution = w * (w > 0 ? NEGATED_POSITIVE : NEGATED_NEGATIVE);
        contribution *= intensity > 1 ? SOFTENED_FLIP : intensity; // 不太满意: mildly negative
        contribution *= outer;
        rule = 'negated';
      }
    } else {
      contribution = w * intensity * outer;
      if (w > 0 && i + 1 < n && tokens[i + 1] === QUESTION) {
        contribution *= RHETORICAL;
        rule = 'rhetorical';
      } else if (wished) {
        contribution *= WISHED_POSITIVE;
        rule = 'wished';
      }
    }
    hits.push({ index: i, word: t, weight: w, contribution, rule });
  }

  // Informational register: weak words count once, at a quarter, through the strongest of them.
  if (informational) {
    let strongest: SentimentHit | null = null;
    let value = 0;
    for (const h of hits) {
      if (h.rule !== 'lexicon' || !isWeak[h.index]) continue;
      if (!strongest || Math.abs(h.contribution) > Math.abs(value)) {
        strongest = h;
        value = h.contribution;
      }
      h.contribution = 0;
      h.rule = 'register';
    }
    if (strongest) strongest.contribution = value * REGISTER_WEAK;
  }
  // The verdict comes last.
  if (lastClause > 0) {
    for (const h of hits) if (clause[h.index] === lastClause && h.rule !== 'register') h.contribution *= FINAL_CLAUSE;
  }

  let sum = 0;
  for (const h of hits) sum += h.contribution;
  const score = Math.tanh(sum / 2);
  return { result: { label: labelFor(score), score: roundScore(score) }, hits };
}

/**
 * Sentiment of a segmented text: label and score in [−1, 1] (negative at or below −NEUTRAL_BAND, positive at or above
 * it). Pass the clause breaks from segmenter.cutWithBreaks when you have them (the pipeline does).
 */
export function scoreSentiment(tokens: readonly string[], breaks: readonly number[] = []): SentimentResult {
  return explainSentiment(tokens, breaks).result;
}
