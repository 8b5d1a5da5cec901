// parseFeed: repairs, field mapping across RSS 2.0 / RSS 1.0 / Atom, dates, and garbage.
import { describe, expect, it } from 'vitest';
import { FeedError } from '../../server/opinion/fetch/fetch-feed.ts';
import { parseFeed } from '../../server/opinion/fetch/parse-feed.ts';

const rss = (items: string, extra = '') =>
  `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/" ${extra}>
<channel><title>T</title>${items}</channel></rss>`;

async function parseError(xml: string): Promise<FeedError> {
  try {
    await parseFeed(xml);
  } catch (e) {
    expect(e).toBeInstanceOf(FeedError);
    expect((e as FeedError).kind).toBe('parse');
    expect((e as FeedError).message).not.toMatch(/\n|\(\S+:\d+:\d+\)|\[object|undefined/);
    return e as FeedError;
  }
  throw new Error('expected a parse error');
}

describe('repairs', () => {
  it('bare & in text and attributes; known HTML entities; unknown ones kept literally', async () => {
    const feed = await parseFeed(
      rss(`<item><title>水务&供电 &nbsp;抢修 &mdash; R&D &foo; &toString; &#99999999; &#x4e2d;</title>
        <link>http://x.example/a?b=1&c=2</link><guid>1</guid></item>`),
    );
    expect(feed.items[0].title).toBe('水务&供电 \u00a0抢修 \u2014 R&D &foo; &toString; \ufffd 中');
    expect(feed.items[0].link).toBe('http://x.example/a?b=1&c=2');
  });

  it('leaves CDATA sections alone', async () => {
    const feed = await parseFeed(rss('<item><title><![CDATA[a & b &amp; c <b>x</b>]]></title></item>'));
    expect(feed.items[0].title).toBe('a & b &amp; c <b>x</b>');
  });

  it('strips characters illegal in XML 1.0, a BOM and whitespace before the declaration', async () => {
    const xml = `\ufeff  \n${rss('<item><title>A\u0000B\u000bC\u001fD\ud800E\uffffF</title></item>')}`;
    const feed = await parseFeed(xml);
    expect(feed.items[0].title).toBe('ABCDEF');
  });

  it('keeps astral characters (surrogate pairs) intact', async () => {
    const feed = await parseFeed(rss('<item><title>𠮷祥区 😀</title></item>'));
    expect(feed.items[0].title).toBe('𠮷祥区 😀');
  });
});

describe('RSS 2.0 mapping', () => {
  it('maps every field, preferring content:encoded and dc:creator', async () => {
    const feed = await parseFeed(
      rss(`<item>
        <title> 标题 </title><link>http://x.example/1</link>
        <guid isPermaLink="false">guid-1</guid>
        <description>short</description><content:encoded><![CDATA[<p>full</p>]]></content:encoded>
        <dc:creator>记者 张三</dc:creator><author>a@example.org (A)</author>
        <pubDate>Sat, 01 Jun 2024 18:30:00 +0800</pubDate></item>`),
    );
    expect(feed).toEqual({
      title: 'T',
      items: [
        {
          guid: 'guid-1',
          title: '标题',
          link: 'http://x.example/1',
          content: '<p>full</p>',
          author: '记者 张三',
          publishedAt: '2024-06-01T10:30:00.000Z',
        },
      ],
    });
  });

  it('falls back: description for content, author for creator, link for guid; empty → null', async () => {
    const feed = await parseFeed(
      rss(`<item><title></title><link>http://x.example/2</link><description>d</description>
        <author>ed@example.org</author><pubDate>not a date</pubDate></item><item/>`),
    );
    expect(feed.items[0]).toEqual({
      guid: 'http://x.example/2',
      title: null,
      link: 'http://x.example/2',
      content: 'd',
      author: 'ed@example.org',
      publishedAt: null,
    });
    expect(feed.items[1]).toEqual({ guid: null, title: null, link: null, content: null, author: null, publishedAt: null });
  });

  it('reads <rss> without a version attribute, and RSS 0.91', async () => {
    const a = await parseFeed('<rss><channel><title>x</title><item><title>i</title></item></channel></rss>');
    expect(a.items[0].title).toBe('i');
    const b = await parseFeed('<rss version="0.91"><channel><title>x</title><item><title>j</title></item></channel></rss>');
    expect(b.items[0].title).toBe('j');
  });

  it('a feed with no items is fine', async () => {
    expect(await parseFeed(rss(''))).toEqual({ title: 'T', items: [] });
  });
});

describe('RSS 1.0 mapping', () => {
  it('rdf:about as guid, dc:date as date', async () => {
    const feed = await parseFeed(`<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://x.example/"><title>R1</title></channel>
<item rdf:about="http://x.example/i1"><title>One</title><link>http://x.example/i1?x=1</link>
<description>body</description><dc:creator>C</dc:creator><dc:date>2017-06-15T10:29:47-07:00</dc:date></item>
</rdf:RDF>`);
    expect(feed.title).toBe('R1');
    expect(feed.items[0]).toEqual({
      guid: 'http://x.example/i1',
      title: 'One',
      link: 'http://x.example/i1?x=1',
      content: 'body',
      author: 'C',
      publishedAt: '2017-06-15T17:29:47.000Z',
    });
  });
});

describe('Atom mapping', () => {
  const atom = (entries: string) =>
    `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title type="text">A</title>${entries}</feed>`;

  it('id, alternate link, content over summary, author name, published', async () => {
    const feed = await parseFeed(
      atom(`<entry><id>tag:x,2024:1</id><title type="html">&lt;b&gt;T&lt;/b&gt;</title>
        <link rel="self" href="http://x.example/self"/><link rel="alternate" href="http://x.example/1"/>
        <summary>s</summary><content type="html">&lt;p&gt;c&lt;/p&gt;</content>
        <author><name>王五</name><email>w@example.org</email></author>
        <published>2024-06-01T08:00:00+08:00</published><updated>2024-06-02T00:00:00Z</updated></entry>`),
    );
    expect(feed.items[0]).toEqual({
      guid: 'tag:x,2024:1',
      title: '<b>T</b>',
      link: 'http://x.example/1',
      content: '<p>c</p>',
      author: '王五',
      publishedAt: '2024-06-01T00:00:00.000Z',
    });
  });

  it('an invalid <published> falls back to <updated>; both invalid → null; the feed survives', async () => {
    // rss-parser alone throws RangeError on these and loses the whole feed.
    const feed = await parseFeed(
      atom(`<entry><id>1</id><published>yesterday</published><updated>2024-06-02T00:00:00Z</updated></entry>
            <entry><id>2</id><published>garbage</published><updated>also garbage</updated></entry>
            <entry><id>3</id><summary>only a summary</summary><link>http://x.example/bare</link></entry>`),
    );
    expect(feed.items.map((i) => i.publishedAt)).toEqual(['2024-06-02T00:00:00.000Z', null, null]);
    expect(feed.items[2].content).toBe('only a summary');
    expect(feed.items[2].link).toBe('http://x.example/bare'); // <link> without attributes
  });

  it('an xhtml title becomes its text', async () => {
    const feed = await parseFeed(
      atom(`<entry><id>x</id><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Hello <b>world</b></div></title></entry>`),
    );
    expect(feed.items[0].title).toBe('Hello world');
  });
});

describe('dates', () => {
  const dated = async (d: string) => (await parseFeed(rss(`<item><pubDate>${d}</pubDate></item>`))).items[0].publishedAt;
  it.each([
    ['Sat, 01 Jun 2024 18:30:00 +0800', '2024-06-01T10:30:00.000Z'],
    ['Sat, 01 Jun 2024 10:30:00 GMT', '2024-06-01T10:30:00.000Z'],
    ['2024-06-01T10:30:00Z', '2024-06-01T10:30:00.000Z'],
    ['2024-06-01T18:30:00+08:00', '2024-06-01T10:30:00.000Z'],
    ['2024-06-01 18:30:00', '2024-06-01T10:30:00.000Z'], // no zone: China time
    ['2024-06-01 18:30', '2024-06-01T10:30:00.000Z'],
    ['2024/6/1 18:30:00', '2024-06-01T10:30:00.000Z'],
    ['2024年6月1日 18:30', '2024-06-01T10:30:00.000Z'],
    ['2024年06月01日', '2024-05-31T16:00:00.000Z'],
    ['Sat Jun 01 18:30:00 CST 2024', '2024-06-01T10:30:00.000Z'], // Java Date.toString on Asia/Shanghai
    ['星期六, 01 Jun 2024 18:30:00 +0800', '2024-06-01T10:30:00.000Z'],
  ])('%s → %s', async (input, iso) => {
    expect(await dated(input)).toBe(iso);
  });
  it.each(['', 'not a date', '2024-02-31 10:00', '2024-13-01', '1900-01-01T00:00:00Z', 'Seg, 24 Set 2018 19:42:40 -0300'])(
    '%j → null',
    async (input) => {
      expect(await dated(input)).toBeNull();
    },
  );
});

describe('garbage → FeedError parse with a readable message', () => {
  it.each([
    ['', /empty/],
    ['   \n ', /empty/],
    ['\u0000\u0001\u0002\u0003 binary \u0004\u0005\u0006\u0007\u0008', /binary/],
    ['\ufffd\ufffd\ufffd<rss>\ufffd\ufffd', /binary/],
    ['<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>', /HTML web page \("502 Bad Gateway"\)/],
    ['<html><body>hi <b>x</body></html>', /HTML web page/],
    ['{"json": true}', /not XML/],
    ['hello world', /not XML/],
    ['<rss version="2.0"><channel><title>cut', /ends before it is complete/],
    ['<rss version="2.0"><channel><title>a</channel></rss>', /not well-formed XML: unexpected close tag/],
    ['<rss version="2.0"></rss>', /structure of an RSS or Atom feed/],
    ['<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"></rdf:RDF>', /structure|not RSS/],
    ['<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', /root element is <svg>/],
  ])('%j', async (xml, pattern) => {
    const err = await parseError(xml);
    expect(err.message).toMatch(pattern);
  });

  it('never hangs or crashes on thousands of mangled feeds, and the shared parser keeps working', async () => {
    const good = rss(
      '<item><title>好 &amp; ok</title><link>http://x/1</link><guid>1</guid><description><![CDATA[<p>x</p>]]></description></item>'.repeat(3),
    );
    let s = 12345;
    const rand = (n: number) => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) % n);
    const junk = '<>&;"\'/![]?=\u0000\ufffd中 \n';
    let ok = 0;
    let failed = 0;
    const started = Date.now();
    for (let i = 0; i < 3000; i++) {
      let x = good;
      const op = rand(3);
      if (op === 0) x = x.slice(0, rand(x.length));
      else if (op === 1) {
        const at = rand(x.length);
        x = x.slice(0, at) + junk[rand(junk.length)] + x.slice(at);
      } else {
        const at = rand(x.length);
        x = x.slice(0, at) + x.slice(at + 1 + rand(20));
      }
      try {
        const f = await parseFeed(x);
        expect(Array.isArray(f.items)).toBe(true);
        ok++;
      } catch (e) {
        expect(e).toBeInstanceOf(FeedError);
        expect((e as FeedError).message).not.toMatch(/\n/);
        failed++;
      }
      if (i % 500 === 0) expect((await parseFeed(good)).items.length).toBe(3);
    }
    console.log(`fuzz: ${ok} parsed, ${failed} refused with FeedError, ${Date.now() - started} ms`);
    expect(ok + failed).toBe(3000);
    expect((await parseFeed(good)).items.length).toBe(3);
  });

  it('parallel parses of good and bad documents all settle correctly', async () => {
    const good = rss('<item><title>x</title></item>');
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) => parseFeed(i % 2 ? good : '<rss version="2.0"><channel><title>a</channel>')),
    );
    results.forEach((r, i) => expect(r.status).toBe(i % 2 ? 'fulfilled' : 'rejected'));
  });
});
