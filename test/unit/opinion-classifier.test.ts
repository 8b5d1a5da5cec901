import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { TopicClassifier } from '../../server/opinion/text/classifier.ts';
import { createSegmenter } from '../../server/opinion/text/segment.ts';

const seg = createSegmenter();
const EXAMPLES: [string, string][] = [
  ['城东化工园区储罐爆炸，黑烟冲天', '安全生产'],
  ['化工厂发生爆炸事故，工人受伤', '安全生产'],
  ['工地脚手架坍塌，安全生产事故', '安全生产'],
  ['危化品仓库起火，消防到场处置', '安全生产'],
  ['暴雨导致滨江区严重内涝，车库进水', '暴雨交通'],
  ['地铁2号线因暴雨停运，乘客滞留', '暴雨交通'],
  ['环城高速团雾多车追尾，交通管制', '暴雨交通'],
  ['道路积水严重，公交停运', '暴雨交通'],
  ['学生午餐后呕吐腹泻，疑似食物中毒', '食品安全'],
  ['外卖吃出蟑螂，食品安全堪忧', '食品安全'],
  ['超市卖过期牛奶，市场监管局介入', '食品安全'],
  ['食堂饭菜变质，孩子中毒送医', '食品安全'],
];

function trained(): TopicClassifier {
  const c = new TopicClassifier();
  for (const [text, label] of EXAMPLES) c.addExample(seg.cut(text), label);
  c.train();
  return c;
}

describe('TopicClassifier', () => {
  it('returns null and no labels until trained', () => {
    const c = new TopicClassifier();
    expect(c.classify(seg.cut('化工园区爆炸'))).toBeNull();
    expect(c.labels).toEqual([]);
    c.addExample(seg.cut('化工园区爆炸'), '安全生产');
    expect(c.classify(seg.cut('化工园区爆炸'))).toBeNull();
    c.train();
    expect(c.classify(seg.cut('化工园区爆炸'))).toEqual({ label: '安全生产', confidence: 1 });
  });

  it('classifies token arrays with a posterior confidence', () => {
    const c = trained();
    expect(c.labels.sort()).toEqual(['安全生产', '暴雨交通', '食品安全']);
    const a = c.classify(seg.cut('化工园区又发生爆炸了'))!;
    expect(a.label).toBe('安全生产');
    expect(a.confidence).toBeGreaterThan(0.6);
    expect(c.classify(seg.cut('暴雨过后道路积水，地铁停运'))!.label).toBe('暴雨交通');
    expect(c.classify(seg.cut('孩子吃了食堂的饭呕吐'))!.label).toBe('食品安全');
    const all = c.classifyAll(seg.cut('化工园区又发生爆炸了'));
    expect(all.reduce((s, x) => s + x.confidence, 0)).toBeCloseTo(1, 9);
    expect(all.map((x) => x.confidence)).toEqual([...all.map((x) => x.confidence)].sort((x, y) => y - x));
  });

  it('returns null when no token is known to the model', () => {
    expect(trained().classify(seg.cut('hello world'))).toBeNull();
    expect(trained().classify([])).toBeNull();
  });

  it('round-trips through JSON with identical results, including untrained examples', () => {
    const c = trained();
    const restored = TopicClassifier.fromJSON(c.toJSON());
    expect(restored.labels.sort()).toEqual(c.labels.sort());
    for (const text of ['化工园区又发生爆炸了', '暴雨积水', '食物中毒', '地铁停运，交通管制']) {
      expect(restored.classify(seg.cut(text))).toEqual(c.classify(seg.cut(text)));
    }
    expect(JSON.parse(restored.toJSON())).toEqual(JSON.parse(c.toJSON()));

    // examples added after training survive a restart and join the next training
    c.addExample(seg.cut('小区附近有人持刀伤人'), '社会治安');
    const again = TopicClassifier.fromJSON(c.toJSON());
    expect(again.size).toBe(EXAMPLES.length + 1);
    again.train();
    expect(again.labels).toContain('社会治安');
    expect(() => TopicClassifier.fromJSON('{"format":"other"}')).toThrow();
  });

  it('agrees with natural’s own BayesClassifier (model state and labels)', () => {
    const require = createRequire(import.meta.url);
    const NaturalBayes = require('natural/lib/natural/classifiers/bayes_classifier.js');
    const c = trained();
    const model = JSON.parse(c.toJSON()).model;
    // natural's own train() on the same documents builds the same apparatus model
    const natural = new NaturalBayes();
    for (const d of model.docs) natural.addDocument(d.text, d.label);
    natural.train();
    expect(JSON.parse(JSON.stringify(natural.classifier))).toEqual(model.classifier);
    for (const text of ['化工园区又发生爆炸了', '暴雨积水', '食堂饭菜中毒', '地铁停运，交通管制', '工人受伤']) {
      expect(c.classify(seg.cut(text))!.label).toBe(c.naturalClassify(seg.cut(text)));
    }
  });

  it('stays finite on long posts where natural’s product of probabilities underflows', () => {
    const c = trained();
    const long = seg.cut('化工园区储罐爆炸事故'.repeat(1)).concat(Array.from({ length: 400 }, (_, i) => `词${i}`), seg.cut('黑烟冲天工人受伤起火消防'));
    // unknown filler words are ignored; make the post long in known words too
    const known = Object.keys(JSON.parse(c.toJSON()).model.features).map((f) => f.slice(2));
    const r = c.classify([...long, ...known, ...known])!;
    expect(Number.isFinite(r.confidence)).toBe(true);
    expect(r.confidence).toBeGreaterThan(0);
  });

  it('is safe with tokens that are Object.prototype names or numbers', () => {
    const c = new TopicClassifier();
    c.addExample(['constructor', '__proto__', 'tostring', '12345', '110'], 'a');
    c.addExample(['hasownproperty', 'valueof', '卫健委'], 'b');
    c.train();
    expect(c.classify(['constructor', '12345'])!.label).toBe('a');
    expect(c.classify(['卫健委', 'valueof'])!.label).toBe('b');
    expect(TopicClassifier.fromJSON(c.toJSON()).classify(['__proto__'])!.label).toBe('a');
  });

  it('rejects an empty label', () => {
    expect(() => new TopicClassifier().addExample(['x'], ' ')).toThrow();
  });
});
