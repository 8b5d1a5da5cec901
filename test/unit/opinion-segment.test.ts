import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contentTokens, createSegmenter, defaultUserWords } from '../../server/opinion/text/segment.ts';

const seg = createSegmenter();

describe('segmenter (@node-rs/jieba + Beacon user dictionary)', () => {
  it('keeps department names, hotlines and local places whole', () => {
    const tokens = seg.cut('市卫健委和应急管理局、网信办通报：滨江区化工园区爆炸，地铁2号线城东站停运，请拨打12345热线');
    for (const w of ['卫健委', '应急管理局', '网信办', '滨江区', '化工园区', '地铁2号线', '城东', '12345热线']) {
      expect(tokens.some((t) => t === w || t === `市${w}`), `${w} in ${tokens.join('/')}`).toBe(true);
    }
    expect(seg.cut('卫健委')).toEqual(['卫健委']);
    expect(seg.cut('市政府办公室发布通知')).toContain('市政府办公室');
    expect(seg.cut('打12345反映问题')).toContain('12345');
  });

  it('does not let a user word swallow characters of a likelier word', () => {
    // 城东 is a user word; 京城/东边 must still win here.
    expect(seg.cut('京城东边下雨了')).toEqual(expect.arrayContaining(['京城', '东边']));
  });

  it('drops punctuation, symbols and whitespace, lowercases Latin, keeps numbers and emoji', () => {
    const tokens = seg.cut('ＡＢＣ Hello, World!!! 3人受伤…… 😡👍 “辟谣”【通报】'.normalize('NFKC'));
    expect(tokens).toEqual(expect.arrayContaining(['abc', 'hello', 'world', '3', '人', '受伤', '😡', '👍', '辟谣', '通报']));
    for (const t of tokens) expect(t).toMatch(/[\p{L}\p{N}\p{Extended_Pictographic}]/u);
    expect(tokens.join('')).not.toMatch(/[A-Z]/);
    expect(seg.cut('')).toEqual([]);
    expect(seg.cut('，。！？ …')).toEqual([]);
  });

  it('marks clause breaks where punctuation was dropped', () => {
    const { tokens, breaks } = seg.cutWithBreaks('不用排队了，方便多了。谢谢');
    expect(tokens).toEqual(seg.cut('不用排队了，方便多了。谢谢'));
    expect(breaks.map((b) => tokens[b])).toEqual(['方便', '谢谢']);
    expect(seg.cutWithBreaks('，开头的标点').breaks).toEqual([]);
  });

  it('addWords adds words to that segmenter only', () => {
    const local = createSegmenter(['锦绣花园']);
    expect(local.cut('锦绣花园小区停水')).toContain('锦绣花园');
    expect(seg.cut('锦绣花园小区停水')).not.toContain('锦绣花园');
    local.addWords(['梧桐里', '', '  ', 'has space']);
    expect(local.cut('梧桐里小区积水')).toContain('梧桐里');
    expect(seg.cut('梧桐里小区积水')).not.toContain('梧桐里');
  });

  it('keeps every multi-character phrase of the sentiment lexicon whole (else the lexicon could never match it)', () => {
    const words = readFileSync(new URL('../../server/opinion/data/gov-sentiment.txt', import.meta.url), 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split(/\s+/)[0])
      .filter((w) => [...w].length >= 2 && /\p{Script=Han}/u.test(w));
    // 死了 is looked up through the aspect-particle fallback (死 + 了); keeping it whole would split 淹死了 wrongly.
    const split = words.filter((w) => w !== '死了' && seg.cut(w).join('|') !== w);
    expect(split).toEqual([]);
  });

  it('ships a user dictionary', () => {
    expect(defaultUserWords()).toEqual(expect.arrayContaining(['卫健委', '应急管理局', '网信办', '市政府', '12345', '化工园区', '城东', '滨江区', '地铁2号线']));
  });
});

describe('contentTokens', () => {
  it('drops stopwords and one- or two-digit counts, keeps hotlines and sentiment words', () => {
    const tokens = seg.cut('我们的小区停水了3天，打了12345和110都没有人管，这个太离谱了吧');
    const content = contentTokens(tokens);
    expect(content).toEqual(expect.arrayContaining(['小区', '停水', '12345', '110', '没有人管', '离谱']));
    for (const w of ['我们', '的', '了', '3', '和', '这个', '吧']) expect(content).not.toContain(w);
  });
});
