import { describe, expect, it } from 'vitest';
import { createSegmenter } from '../../server/opinion/text/segment.ts';
import { analyseText } from '../../server/opinion/text/pipeline.ts';
import { fnv1a64, fromHex, hammingDistance, simhash64, simhashBands, simhashToHex } from '../../server/opinion/text/simhash.ts';

/** Reference FNV-1a 64 with BigInt over TextEncoder bytes. */
function fnvReference(s: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(s)) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h;
}

const segmenter = createSegmenter();
const ctx = { segmenter, rules: [], incidentKeywords: [] };
const fingerprint = (content: string) => analyseText({ content }, ctx).simhash;

const NOTICE =
  '【情况通报】今日14时20分许，城东化工园区一企业储罐发生爆炸并引发火情，市消防救援支队第一时间调派12个消防站、46辆消防车、' +
  '230余名指战员赶赴现场处置。目前明火已被扑灭，现场无次生灾害。事故造成3人受伤，均已送往市人民医院救治，生命体征平稳。' +
  '周边500米范围内居民已疏散至区体育馆安置点。市生态环境局对周边空气和水体开展持续监测，目前各项指标正常。' +
  '事故原因正在调查中。请市民不信谣不传谣，以官方发布为准。';
const POST = '滨江区又淹了！小区地下车库全泡水了，车都漂起来了，年年如此年年不改，物业和水务局到现在都没有一个说法';

describe('FNV-1a 64', () => {
  it('matches a BigInt reference over UTF-8 (ASCII, CJK, astral, lone surrogate)', () => {
    for (const s of ['', 'a', 'foobar', '卫健委', '😡👍', 'hello 世界 123', '\uD800x', 'x\uDC00']) {
      const [hi, lo] = fnv1a64(s);
      expect((BigInt(hi) << 32n) | BigInt(lo)).toBe(fnvReference(s));
    }
    expect(fnvReference('a')).toBe(0xaf63dc4c8601ec8cn); // published test vector
  });
});

describe('simhash64', () => {
  it('is deterministic, 64-bit, and 0 for no tokens', () => {
    const t = ['城东', '化工园区', '爆炸'];
    expect(simhash64(t)).toBe(simhash64([...t]));
    expect(simhash64(t) >> 64n).toBe(0n);
    expect(simhash64([])).toBe(0n);
    expect(simhash64(['x'])).toBe(fnvReference('x')); // one token: its own hash
  });

  it('weights tokens by frequency', () => {
    expect(simhash64(['a', 'b', 'b', 'b'])).toBe(simhash64(['b']));
    expect(simhash64(['a', 'a', 'a', 'b'])).toBe(simhash64(['a']));
  });

  it('puts reposts with small edits within distance 3 and unrelated posts far apart (Chinese examples)', () => {
    const base = fingerprint(NOTICE);
    const reposts = [
      '转发微博 ' + NOTICE, // repost boilerplate
      NOTICE + ' http://t.cn/A6abcdE', // short link appended
      NOTICE + ' //@城东发布: 扩散', // repost chain marker (its comment is one word)
      NOTICE + '😭😭🙏', // emoji
      NOTICE.replace(/，/g, ',').replace(/。/g, '. '), // half-width punctuation
      `<p>${NOTICE.replace('。', '。</p><p>')}</p>`, // as HTML
      NOTICE.replace('生命体征平稳', '生命体征稳定'), // one word changed in a 60-word notice
      NOTICE.replace('46辆', '48辆'), // a number changed
    ];
    for (const r of reposts) expect(hammingDistance(base, fingerprint(r)), r.slice(0, 30)).toBeLessThanOrEqual(3);
    expect(hammingDistance(fingerprint(POST), fingerprint('#滨江区# ' + POST + ' @滨江发布'))).toBeLessThanOrEqual(3);

    const unrelated = [
      POST,
      '办个营业执照跑了五次，每次都说缺材料，一次性告知做不到吗？',
      '市场监管局公布本季度食品抽检结果，共抽检样品1200批次，合格率98.6%。',
      '第三中学一百多个学生午饭后上吐下泻，学校还想捂着，家长群都炸了',
    ];
    for (const u of unrelated) expect(hammingDistance(base, fingerprint(u)), u).toBeGreaterThanOrEqual(20);
  });
});

describe('storage helpers', () => {
  it('hex round-trips with 16 zero-padded lowercase characters', () => {
    for (const h of [0n, 1n, 0xffffffffffffffffn, 0x00ab00cd00ef0012n, fingerprint(NOTICE)]) {
      const hex = simhashToHex(h);
      expect(hex).toMatch(/^[0-9a-f]{16}$/);
      expect(fromHex(hex)).toBe(h);
    }
    expect(simhashToHex(1n)).toBe('0000000000000001');
    expect(() => fromHex('xyz')).toThrow();
    expect(() => fromHex('0123456789abcdef0')).toThrow();
  });

  it('hammingDistance counts differing bits', () => {
    expect(hammingDistance(0n, 0n)).toBe(0);
    expect(hammingDistance(0n, 0xffffffffffffffffn)).toBe(64);
    expect(hammingDistance(0b1011n, 0b0110n)).toBe(3);
    expect(hammingDistance(1n << 63n, 1n)).toBe(2);
  });

  it('bands: fingerprints within distance 3 share a band', () => {
    const a = 0x123456789abcdef0n;
    const b = a ^ (1n << 3n) ^ (1n << 20n) ^ (1n << 40n); // three bits in three bands
    expect(hammingDistance(a, b)).toBe(3);
    const [x, y] = [simhashBands(a), simhashBands(b)];
    expect(x.some((band, i) => band === y[i])).toBe(true);
    expect(simhashBands(a)).toEqual([0x1234, 0x5678, 0x9abc, 0xdef0]);
  });
});
