import { describe, expect, it } from 'vitest';
import { TopicClassifier } from '../../server/opinion/text/classifier.ts';
import { analyseText, CLASSIFIER_MIN_CONFIDENCE, detectLanguage, type AnalyseContext } from '../../server/opinion/text/pipeline.ts';
import { createSegmenter } from '../../server/opinion/text/segment.ts';
import { hammingDistance } from '../../server/opinion/text/simhash.ts';

const segmenter = createSegmenter();
const classifier = new TopicClassifier();
for (const [t, l] of [
  ['储罐爆炸 化工园区 起火', 'chem'],
  ['化工厂 爆炸 泄漏', 'chem'],
  ['暴雨 积水 内涝', 'flood'],
  ['暴雨 地铁 停运 积水', 'flood'],
] as const) classifier.addExample(segmenter.cut(t), l);
classifier.train();

const ctx: AnalyseContext = {
  segmenter,
  rules: [
    { id: 'safety', name: '安全生产', keywords: ['化工园区', '爆炸'], excludes: ['演练'] },
    { id: 'rumor', name: '谣言', keywords: ['瞒报', '听说'], excludes: [] },
  ],
  classifier,
  incidentKeywords: [
    { incidentId: '17', keywords: ['城东化工园区', '储罐爆炸'] },
    { incidentId: '18', keywords: ['滨江区内涝'] },
  ],
};

describe('analyseText', () => {
  it('normalises, segments, scores, matches, classifies and links in one pass', () => {
    const a = analyseText(
      { title: '城东化工园区储罐爆炸', content: '<p>听说死了几十人，政府&ldquo;瞒报&rdquo;！ＡＢＣ</p>' },
      ctx,
    );
    expect(a.text).toBe('城东化工园区储罐爆炸 听说死了几十人,政府“瞒报”!ABC');
    expect(a.tokens).toEqual(expect.arrayContaining(['城东化工园区', '储罐爆炸', '瞒报', 'abc']));
    expect(a.terms).not.toContain('了');
    expect(a.sentiment.label).toBe('negative');
    expect(a.matched).toEqual([
      { topicId: 'safety', name: '安全生产', words: ['化工园区', '爆炸'] },
      { topicId: 'rumor', name: '谣言', words: ['瞒报', '听说'] },
    ]);
    expect(a.classified?.label).toBe('chem');
    expect(a.topics).toEqual(['安全生产', '谣言', 'chem']);
    expect(a.incidentIds).toEqual(['17']);
    expect(a.language).toBe('zh');
    expect(typeof a.simhash).toBe('bigint');
  });

  it('adds the classifier label only at or above the confidence bar', () => {
    const a = analyseText({ content: '暴雨过后积水' }, ctx);
    expect(a.classified!.label).toBe('flood');
    expect(a.classified!.confidence).toBeGreaterThanOrEqual(CLASSIFIER_MIN_CONFIDENCE);
    expect(a.topics).toEqual(['flood']);
    // a word both labels share equally: confidence 0.5, below the bar
    const even = new TopicClassifier();
    even.addExample(['停水', 'abc'], 'water');
    even.addExample(['停水', 'xyz'], 'power');
    even.train();
    const unsure = analyseText({ content: '化工园区停水' }, { ...ctx, classifier: even });
    expect(unsure.classified!.confidence).toBeCloseTo(0.5, 9);
    expect(unsure.topics).toEqual(['安全生产']); // the rule still matches; the classifier adds nothing
  });

  it('works without a classifier, rules or incidents', () => {
    const a = analyseText({ content: '感谢消防员' }, { segmenter, rules: [], incidentKeywords: [] });
    expect(a.topics).toEqual([]);
    expect(a.classified).toBeNull();
    expect(a.incidentIds).toEqual([]);
    expect(a.sentiment.label).toBe('positive');
  });

  it('does not count a title twice when the content starts with it', () => {
    const a = analyseText({ title: '滨江区内涝', content: '滨江区内涝，多处道路积水' }, ctx);
    expect(a.text).toBe('滨江区内涝,多处道路积水');
    expect(a.incidentIds).toEqual(['18']);
  });

  it('gives a repost the same fingerprint as its original', () => {
    const original = '城东化工园区储罐爆炸，周边居民已疏散，消防正在处置，请市民不信谣不传谣。';
    const repost = `转发微博 #城东化工园区# ${original} //@城东发布: http://t.cn/A6x 😭`;
    expect(hammingDistance(analyseText({ content: original }, ctx).simhash, analyseText({ content: repost }, ctx).simhash)).toBeLessThanOrEqual(3);
  });

  it('handles empty content', () => {
    const a = analyseText({ content: '' }, ctx);
    expect(a).toMatchObject({ text: '', tokens: [], terms: [], simhash: 0n, matched: [], topics: [], incidentIds: [], language: 'other' });
    expect(a.sentiment.label).toBe('neutral');
  });
});

describe('detectLanguage', () => {
  const lang = (t: string) => detectLanguage(t, segmenter.cut(t));
  it('tells Chinese, English and other scripts/languages apart', () => {
    expect(lang('市卫健委发布COVID-19最新通报')).toBe('zh');
    expect(lang('滨江区暴雨')).toBe('zh');
    expect(lang('Floods hit the city after a night of heavy rain')).toBe('en');
    expect(lang('Chemical plant explosion')).toBe('en');
    expect(lang('Die Feuerwehr ist mit vielen Kräften vor Ort und sperrt die Straße')).toBe('other');
    expect(lang('Chuvas fortes deixam a cidade em alerta para os próximos dias')).toBe('other');
    expect(lang('東京で大雨、交通に乱れ')).toBe('other');
    expect(lang('서울 폭우')).toBe('other');
    expect(lang('12345 !!!')).toBe('other');
  });
});
