// Every feed in test/fixtures/feeds, served over local HTTP and run through fetchFeed →
// parseFeed as the poller does: each one parses or fails with a readable FeedError, never a
// crash. Prints one summary line per feed. Then the Chinese charset fixtures.
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeedError, fetchFeed } from '../../server/opinion/fetch/fetch-feed.ts';
import { parseFeed, type ParsedFeed } from '../../server/opinion/fetch/parse-feed.ts';

const dir = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/feeds');
const files = readdirSync(dir)
  .filter((f) => /\.(rss|atom)$/.test(f))
  .sort();
const upstream = files.filter((f) => !f.startsWith('zh-'));

// Items per feed from the rss-parser project's inputs; null = must fail with a parse error.
const EXPECTED: Record<string, number | null> = {
  'atom-customfields.atom': 15,
  'content-encoded.rss': 7,
  'craigslist.rss': 25,
  'customfields.rss': 15,
  'encoding.rss': 40,
  'feedburner.atom': 25,
  'giantbomb-podcast.rss': 730,
  'guardian.rss': 55,
  'gulp-atom.atom': 10,
  'heise.atom': 15,
  'heraldsun.rss': 2,
  'incomplete-fields.atom': 1,
  'instant-article.rss': 1,
  'item-itunes-episodeType.rss': 1,
  'itunes-category.rss': 1,
  'itunes-href.rss': 10,
  'itunes-keywords-array.rss': 1,
  'itunes-keywords-astext.rss': 32,
  'itunes-keywords.rss': 1,
  'itunes-missing-image.rss': 131,
  'many-links.rss': 25,
  'missing-fields.atom': 1,
  'narro.rss': 1,
  'pagination-links.rss': 1,
  'reddit-atom.rss': 24,
  'reddit-home.rss': 24,
  'reddit.rss': 24,
  'rss-1.rss': 69,
  'unrecognized.rss': null,
  'uolNoticias.rss': 15,
  'xml2js-options.rss': 69,
};

let server: http.Server;
let base = '';
/** Content-Type per request: ?type=… overrides; default by extension, no charset. */
beforeAll(async () => {
  server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const name = decodeURIComponent(u.pathname.slice(1));
    if (!files.includes(name)) {
      res.writeHead(404).end();
      return;
    }
    const type = u.searchParams.get('type') ?? (name.endsWith('.atom') ? 'application/atom+xml' : 'application/rss+xml');
    res.writeHead(200, { 'content-type': type }).end(readFileSync(join(dir, name)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function ingest(name: string, type?: string): Promise<ParsedFeed> {
  const url = `${base}/${encodeURIComponent(name)}${type ? `?type=${encodeURIComponent(type)}` : ''}`;
  const r = await fetchFeed(url, { allowPrivate: true, timeoutMs: 10_000 });
  if (r.status !== 'ok') throw new Error('unexpected 304');
  return parseFeed(r.text);
}

describe('the rss-parser fixture feeds', () => {
  it('are all here (31) and all accounted for', () => {
    expect(upstream.length).toBe(31);
    expect(upstream).toEqual(Object.keys(EXPECTED).sort());
  });

  it('each parses to items or fails with a readable FeedError; one line per feed', async () => {
    const lines: string[] = [];
    let parsed = 0;
    for (const name of upstream) {
      try {
        const feed = await ingest(name);
        parsed++;
        const n = feed.items.length;
        const missing = (['guid', 'title', 'link', 'content', 'author', 'publishedAt'] as const)
          .map((k) => [k, feed.items.filter((i) => i[k] === null).length] as const)
          .filter(([, c]) => c > 0)
          .map(([k, c]) => `${k} ${c}/${n}`);
        lines.push(
          `${name.padEnd(28)} ok    ${String(n).padStart(4)} items  "${(feed.title ?? '(no title)').slice(0, 40)}"${missing.length ? `  missing: ${missing.join(', ')}` : ''}`,
        );
        expect(EXPECTED[name], `${name} should not parse`).not.toBeNull();
        expect(n, name).toBe(EXPECTED[name]);
        for (const item of feed.items) {
          if (item.publishedAt !== null) expect(item.publishedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
          for (const v of Object.values(item)) expect(v === null || (typeof v === 'string' && v.length > 0)).toBe(true);
        }
      } catch (e) {
        if (!(e instanceof FeedError)) throw e;
        lines.push(`${name.padEnd(28)} ERROR ${e.kind}: ${e.message}`);
        expect(EXPECTED[name], `${name} failed: ${e.message}`).toBeNull();
        expect(e.message).not.toMatch(/\n|\(\S+:\d+:\d+\)/);
      }
    }
    console.log(`\n${lines.join('\n')}\n${parsed}/${upstream.length} parsed`);
    expect(parsed).toBe(30);
  });

  it('ISO-8859-1 declared in the XML declaration decodes (encoding.rss)', async () => {
    const feed = await ingest('encoding.rss');
    expect(feed.title).toBe('Jornal de Notícias - Últimas Notícias');
  });

  it('uolNoticias.rss declares no charset and is not UTF-8: read as windows-1252, as with the header', async () => {
    for (const type of [undefined, 'application/rss+xml; charset=ISO-8859-1']) {
      const feed = await ingest('uolNoticias.rss', type);
      expect(feed.items[0].title).toBe('Ibope: Bolsonaro perde de Haddad, Ciro e Alckmin em simulações de 2º turno');
    }
  });

  it('unrecognized.rss (an HTML page) says so', async () => {
    await expect(ingest('unrecognized.rss')).rejects.toThrow(/HTML web page \("Document Moved"\)/);
  });
});

describe('Chinese feeds and charsets', () => {
  const gbkTitles = ['暴雨红色预警：全市中小学明日停课', '地铁2号线恢复运营 水务&供电抢修进展', '关于网传“水库溃坝”消息的辟谣说明'];

  it('GBK declared only in the XML declaration', async () => {
    const feed = await ingest('zh-gbk-decl.rss');
    expect(feed.title).toBe('某市应急管理局 突发事件信息');
    expect(feed.items.map((i) => i.title)).toEqual(gbkTitles);
    const [a, b, c] = feed.items;
    expect(a.link).toBe('http://yjj.example.gov.cn/news/2024/0601.html?id=1&from=rss'); // bare & repaired
    expect(a.content).toContain('停课一天。\u00a0请市民'); // &nbsp; repaired
    expect(a.author).toBe('市应急管理局');
    expect(a.guid).toBe('yjj-2024-0601');
    expect(a.publishedAt).toBe('2024-06-01T10:30:00.000Z');
    expect(b.publishedAt).toBe('2024-06-01T23:15:00.000Z'); // "2024-06-02 07:15:00", no zone: China time
    expect(c.publishedAt).toBe('2024-06-03T01:00:00.000Z'); // "2024年6月3日 09:00"
  });

  it('GBK declared only in the Content-Type header', async () => {
    const feed = await ingest('zh-gbk-header-only.rss', 'application/rss+xml; charset=GBK');
    expect(feed.title).toBe('某市应急管理局 公众通告');
    expect(feed.items.map((i) => i.title)).toEqual(gbkTitles);
    // The header is really what decides: naming another charset gives another text.
    const misdeclared = await ingest('zh-gbk-header-only.rss', 'application/rss+xml; charset=Big5');
    expect(misdeclared.title).not.toBe('某市应急管理局 公众通告');
  });

  it('GBK declared nowhere (not valid UTF-8): read as GB18030', async () => {
    const feed = await ingest('zh-gbk-header-only.rss', 'application/rss+xml');
    expect(feed.title).toBe('某市应急管理局 公众通告');
    expect(feed.items.map((i) => i.title)).toEqual(gbkTitles);
  });

  it('gb2312 in the header is read as GBK', async () => {
    const feed = await ingest('zh-gbk-header-only.rss', 'text/xml; charset="gb2312"');
    expect(feed.title).toBe('某市应急管理局 公众通告');
  });

  it('a server-default ISO-8859-1 header loses to an XML declaration naming GBK', async () => {
    const feed = await ingest('zh-gbk-decl.rss', 'text/xml; charset=ISO-8859-1');
    expect(feed.title).toBe('某市应急管理局 突发事件信息');
  });

  it('a server-wide "charset=utf-8" in front of a GBK file declared GBK: the declaration wins', async () => {
    const feed = await ingest('zh-gbk-decl.rss', 'application/xml; charset=utf-8');
    expect(feed.title).toBe('某市应急管理局 突发事件信息');
  });

  it('GB18030 with a four-byte character', async () => {
    const feed = await ingest('zh-gb18030.rss');
    expect(feed.title).toBe('𠮷祥区防汛抗旱指挥部');
    expect(feed.items[0].title).toBe('𠮷祥区启动防汛Ⅳ级应急响应');
  });

  it('Big5 (Traditional script)', async () => {
    const feed = await ingest('zh-big5.rss');
    expect(feed.title).toBe('臺北市災害應變中心');
    expect(feed.items[0].title).toBe('颱風警報：本市明日停止上班上課');
    expect(feed.items[0].publishedAt).toBe('2024-07-23T12:00:00.000Z');
  });

  it('UTF-8 with a BOM, even when the header claims GBK', async () => {
    for (const type of [undefined, 'application/rss+xml; charset=GBK']) {
      const feed = await ingest('zh-utf8-bom.rss', type);
      expect(feed.title).toBe('某市卫健委 健康提示');
      expect(feed.items[0].title).toBe('高温中暑防范健康提示');
    }
  });
});

describe('UTF-16 with a BOM', () => {
  let srv: http.Server;
  let url = '';
  beforeAll(async () => {
    const xml = '<?xml version="1.0" encoding="UTF-16"?><rss version="2.0"><channel><title>防汛通告</title><item><title>橙色预警</title></item></channel></rss>';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]);
    const be = Buffer.from(le);
    be.swap16(); // FE FF + big-endian code units
    srv = http.createServer((req, res) => res.writeHead(200, { 'content-type': 'application/xml' }).end(req.url === '/be' ? be : le));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    srv.closeAllConnections();
    await new Promise((r) => srv.close(r));
  });

  it.each(['/le', '/be'])('%s', async (path) => {
    const r = await fetchFeed(url + path, { allowPrivate: true });
    if (r.status !== 'ok') throw new Error('expected ok');
    expect(r.text.startsWith('<?xml')).toBe(true); // BOM stripped
    const feed = await parseFeed(r.text);
    expect(feed.title).toBe('防汛通告');
    expect(feed.items[0].title).toBe('橙色预警');
  });
});
