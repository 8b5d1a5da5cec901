import { describe, expect, it } from 'vitest';
import { createSegmenter } from '../../server/opinion/text/segment.ts';
import { normalizeText } from '../../server/opinion/text/normalize.ts';
import { matchTopicRules, type TopicRule } from '../../server/opinion/text/rules.ts';

const seg = createSegmenter();
const match = (raw: string, rules: TopicRule[]) => {
  const text = normalizeText(raw);
  return matchTopicRules(text, seg.cut(text), rules);
};

const RULES: TopicRule[] = [
  { id: 'chem', name: '化工安全', keywords: ['化工园区', '爆炸', '泄漏', '储罐'], excludes: ['演练', '模拟'] },
  { id: 'flood', name: '暴雨内涝', keywords: ['内涝', '积水', '暴雨'], excludes: [] },
  { id: 'fire', name: '火情', keywords: ['火'], excludes: [] },
  { id: 'covid', name: '疫情', keywords: ['COVID', 'Covid-19'], excludes: [] },
  { id: 'gov', name: '政务', keywords: ['12345', '卫健委'], excludes: [] },
  { id: 'empty', name: '空规则', keywords: [], excludes: [] },
];

describe('matchTopicRules', () => {
  it('matches on any keyword and reports which keywords matched, in rule order', () => {
    const m = match('城东化工园区一储罐发生爆炸，暂无泄漏', RULES);
    expect(m).toEqual([{ topicId: 'chem', name: '化工安全', words: ['化工园区', '爆炸', '泄漏', '储罐'] }]);
  });

  it('finds multi-character keywords inside longer tokens (substring of the normalised text)', () => {
    // 城东化工园区 and 爆炸事故 are single tokens; 化工园区 / 爆炸 still match
    const m = match('城东化工园区爆炸事故通报', RULES);
    expect(m.map((x) => x.words)).toEqual([['化工园区', '爆炸']]);
  });

  it('is blocked by any exclude', () => {
    expect(match('化工园区今天举行储罐泄漏应急演练', RULES)).toEqual([]);
  });

  it('matches several rules at once', () => {
    const m = match('暴雨导致化工园区积水，12345热线接到大量求助', RULES);
    expect(m.map((x) => x.topicId)).toEqual(['chem', 'flood', 'gov']);
    expect(m.find((x) => x.topicId === 'flood')!.words).toEqual(['积水', '暴雨']);
  });

  it('matches a one-character keyword only as a whole token (火 is not in 火车站)', () => {
    expect(match('火车站人很多', RULES)).toEqual([]);
    expect(match('楼道里起了火', RULES).map((x) => x.topicId)).toEqual(['fire']);
  });

  it('matches Latin keywords case-insensitively and as whole words only, full-width folded', () => {
    expect(match('ＣＯＶＩＤ cases rise', RULES).map((x) => x.words)).toEqual([['COVID']]);
    expect(match('covid-19 outbreak', RULES).map((x) => x.words)).toEqual([['COVID', 'Covid-19']]);
    expect(match('the covidiots again', RULES)).toEqual([]);
  });

  it('matches number keywords as whole numbers, also next to Chinese text', () => {
    expect(match('打12345热线没人接', RULES).map((x) => x.topicId)).toEqual(['gov']);
    expect(match('编号123456的工单', RULES)).toEqual([]);
  });

  it('ignores rules without keywords and blank keywords; no rules, no matches', () => {
    expect(match('随便说点什么', RULES)).toEqual([]);
    expect(match('任何内容', [])).toEqual([]);
    expect(match('积水', [{ id: 'x', name: 'x', keywords: ['', '  ', '积水'], excludes: [' '] }])).toEqual([
      { topicId: 'x', name: 'x', words: ['积水'] },
    ]);
  });
});
