import { describe, expect, it } from 'vitest';
import { createSegmenter } from '../../server/opinion/text/segment.ts';
import { normalizeText } from '../../server/opinion/text/normalize.ts';
import { explainSentiment, NEUTRAL_BAND, scoreSentiment, sentimentLexicon } from '../../server/opinion/text/sentiment.ts';

const seg = createSegmenter();
const score = (text: string) => {
  const { tokens, breaks } = seg.cutWithBreaks(normalizeText(text));
  return scoreSentiment(tokens, breaks);
};
const label = (text: string) => score(text).label;

describe('lexicon', () => {
  it('loads NTUSD (Simplified) and the government-affairs words once', () => {
    const lex = sentimentLexicon();
    expect(lex.size).toBeGreaterThan(15_000);
    expect(sentimentLexicon()).toBe(lex);
    expect(lex.get('满意')).toBeGreaterThan(0);
    expect(lex.get('瞒报')).toBeLessThan(-1);
    expect(lex.get('不作为')).toBeLessThan(-1);
    expect(lex.get('点赞')).toBeGreaterThan(1);
    // NTUSD is converted from Traditional script
    expect(lex.has('恐慌')).toBe(true);
    expect(lex.has('恐慌'.normalize('NFKC'))).toBe(true);
    // ordinary vocabulary that NTUSD scores is neutral here
    for (const w of ['发生', '通知', '相关', '表示', '一直', '预计', '时间', '监控']) expect(lex.has(w), w).toBe(false);
    // negators are never sentiment words
    for (const w of ['不', '没有', '未', '无']) expect(lex.has(w), w).toBe(false);
  });
});

describe('scoreSentiment', () => {
  it('labels plain complaints, praise and notices', () => {
    expect(label('政府瞒报，太让人失望了')).toBe('negative');
    expect(label('感谢消防员，处置有序，点赞！')).toBe('positive');
    expect(label('市气象台发布暴雨蓝色预警，请市民注意出行安全。')).toBe('neutral');
    expect(label('')).toBe('neutral');
    expect(score('').score).toBe(0);
  });

  it('keeps the score in [-1, 1] and labels by the neutral band', () => {
    for (const t of ['太太太太太可怕了恐慌恐慌恐慌瞒报瞒报瞒报', '点赞点赞点赞感谢感谢感谢给力给力', '今天星期三']) {
      const s = score(t);
      expect(Math.abs(s.score)).toBeLessThanOrEqual(1);
      expect(s.label).toBe(s.score <= -NEUTRAL_BAND ? 'negative' : s.score >= NEUTRAL_BAND ? 'positive' : 'neutral');
    }
  });

  it('flips a positive word after a negator (不满意, 没有…满意, 不太满意 milder)', () => {
    expect(score('满意').score).toBeGreaterThan(0);
    expect(label('对处理结果不满意')).toBe('negative');
    expect(label('对处理结果很满意')).toBe('positive');
    expect(label('这个回复没有让人满意')).toBe('negative');
    const mild = score('不太满意').score;
    const strong = score('很不满意').score;
    expect(mild).toBeLessThan(0);
    expect(strong).toBeLessThan(mild);
  });

  it('turns a negated negative into mild reassurance (并不危险, 无需恐慌)', () => {
    expect(score('危险').score).toBeLessThan(0);
    expect(score('并不危险').score).toBeGreaterThan(0);
    expect(label('监测数据正常，并不危险，大家无需恐慌')).toBe('positive');
    expect(label('没有问题')).not.toBe('negative');
  });

  it('cancels double negation and does not reach across a comma', () => {
    expect(score('不是不满意').score).toBeGreaterThan(0);
    // the 不用 belongs to 排队, not to 方便
    expect(label('现在手机上就能预约，不用排队了，方便多了')).toBe('positive');
  });

  it('scales with intensifiers and shrinks with diminishers', () => {
    const plain = score('失望').score;
    expect(score('非常失望').score).toBeLessThan(plain);
    expect(score('有点失望').score).toBeGreaterThan(plain);
    expect(score('好可怕').score).toBeLessThan(score('可怕').score); // 好 as an intensifier
    expect(score('服务好').score).toBeGreaterThan(0); // 好 as a word
  });

  it('reads complaint patterns: nobody acts, still not, rhetorical questions', () => {
    expect(label('小区停水三天了没有人管')).toBe('negative');
    expect(label('路灯坏了一个月都没人修')).toBe('negative');
    expect(label('积水到现在还没排掉')).toBe('negative');
    expect(label('回访只是走过场，这公平吗')).toBe('negative');
    expect(label('这不是走过场吗')).toBe('negative');
  });

  it('treats enforcement against harm as good news', () => {
    expect(label('环保部门查处了偷排的工厂，支持')).toBe('positive');
    expect(label('困扰小区半年的盗窃团伙终于被抓了')).not.toBe('negative');
  });

  it('reads official notices about events as neutral, but not blame in them', () => {
    expect(label('【情况通报】城东化工园区一企业储罐发生爆炸，伤亡情况正在核实中。')).toBe('neutral');
    expect(label('城东化工园区储罐爆炸，好多人受伤，太可怕了')).toBe('negative');
    expect(label('网传政府瞒报伤亡人数，官方通报却只字不提，愤怒')).toBe('negative');
  });

  it('recognises rumours of cover-ups as negative', () => {
    expect(label('听说死了几十人政府瞒报')).toBe('negative');
  });

  it('explains its score word by word', () => {
    const tokens = seg.cut('对处理结果不满意，太失望了');
    const { result, hits } = explainSentiment(tokens);
    expect(result.label).toBe('negative');
    const byWord = Object.fromEntries(hits.map((h) => [h.word, h]));
    expect(byWord['满意'].rule).toBe('negated');
    expect(byWord['满意'].contribution).toBeLessThan(0);
    expect(byWord['失望'].contribution).toBeLessThan(sentimentLexicon().get('失望')!); // intensified by 太
  });
});
