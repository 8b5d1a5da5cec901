// The public site's pure pieces: escaping, dates, conditional GET, feeds and pages.
import { createHash } from 'node:crypto';
import Parser from 'rss-parser';
import { describe, expect, it } from 'vitest';
import { isNotModified, strongEtag } from '../../server/public/conditional.ts';
import { escapeHtml, escapeXml, paragraphs, stripInvalidChars } from '../../server/public/escape.ts';
import { renderAtom, renderRss } from '../../server/public/feeds.ts';
import { chineseDateTime, rfc822, zonedIso } from '../../server/public/format.ts';
import type { ListedRelease, PublicIncident, ReleaseContext } from '../../server/public/model.ts';
import { PAGE_CSP, renderIndex, renderNotFound, renderRelease } from '../../server/public/pages.ts';
import { SiteUrls } from '../../server/public/site.ts';
import { feedparse, feedparserPython, feedparserSkipReason, hasXmllint, xmllint, xmllintSkipReason } from '../support/public-tools.ts';

const SCRIPT = '<script>alert(1)</script>';

describe('escaping', () => {
  it('escapes the five HTML/XML specials', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    expect(escapeXml(`<a b="c" d='e'>&amp;</a>`)).toBe('&lt;a b=&quot;c&quot; d=&apos;e&apos;&gt;&amp;amp;&lt;/a&gt;');
  });

  it('drops characters XML 1.0 forbids, keeps tabs, newlines, CJK and astral characters', () => {
    expect(stripInvalidChars('a\u0000b\u0008c\u000Bd\uFFFEe\tf\ng\r𠮷中\uD800')).toBe('abcde\tf\ng\r𠮷中');
    expect(escapeXml('x\u001Fy')).toBe('xy');
  });

  it('splits a plain-text body into paragraphs on any line break, dropping blank lines', () => {
    expect(paragraphs('  一段 \r\n\r\n二段\r三段\n\n\n 四段\u2028五段 ')).toEqual(['一段', '二段', '三段', '四段', '五段']);
    expect(paragraphs('')).toEqual([]);
  });
});

describe('dates', () => {
  it('CAP/Atom time: Beijing wall time with +08:00, whole seconds, no Z, across midnight', () => {
    expect(zonedIso(new Date('2026-11-22T07:10:00.987Z'))).toBe('2026-11-22T15:10:00+08:00');
    expect(zonedIso(new Date('2026-11-22T16:00:00Z'))).toBe('2026-11-23T00:00:00+08:00');
    expect(zonedIso(new Date('2026-12-31T23:59:59Z'))).toBe('2027-01-01T07:59:59+08:00');
    expect(zonedIso(new Date('2026-07-01T12:00:00Z'), 'America/New_York')).toBe('2026-07-01T08:00:00-04:00');
  });

  it('people read the date in Chinese with the zone named; RSS gets RFC 822', () => {
    expect(chineseDateTime(new Date('2026-11-22T16:05:00Z'))).toBe('2026年11月23日 00:05（北京时间）');
    expect(rfc822(new Date('2026-11-22T07:10:00Z'))).toBe('Sun, 22 Nov 2026 07:10:00 GMT');
  });
});

describe('conditional GET', () => {
  const etag = strongEtag('body');
  const lm = new Date('2026-11-22T07:10:00.600Z');

  it('a strong ETag depends on every byte', () => {
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    expect(strongEtag('body')).toBe(etag);
    expect(strongEtag('body ')).not.toBe(etag);
    expect(strongEtag('正文')).not.toBe(strongEtag('正問'));
  });

  it.each([
    [{ ifNoneMatch: etag }, true],
    [{ ifNoneMatch: `"a", ${etag} ,"b"` }, true],
    [{ ifNoneMatch: `W/${etag}` }, true],
    [{ ifNoneMatch: '*' }, true],
    [{ ifNoneMatch: '"other"' }, false],
    [{ ifNoneMatch: '"other"', ifModifiedSince: 'Sun, 22 Nov 2026 08:00:00 GMT' }, false], // ETag wins
    [{ ifModifiedSince: 'Sun, 22 Nov 2026 07:10:00 GMT' }, true], // same second
    [{ ifModifiedSince: 'Sun, 22 Nov 2026 07:09:59 GMT' }, false],
    [{ ifModifiedSince: 'yesterday-ish' }, false],
    [{}, false],
  ])('%j → not modified: %s', (req, expected) => {
    expect(isNotModified(req, etag, lm)).toBe(expected);
  });

  it('without a Last-Modified, If-Modified-Since never matches', () => {
    expect(isNotModified({ ifModifiedSince: 'Sun, 22 Nov 2026 08:00:00 GMT' }, etag, null)).toBe(false);
  });
});

const incident: PublicIncident = {
  id: 3,
  title: `事件 ${SCRIPT}`,
  category: 'public_health',
  severity: 'III',
  location: '西城区 <i>某小区</i>',
  keywords: [],
  status: 'closed',
  updatedAt: new Date('2026-11-22T03:00:00Z'),
};

function listed(id: number, extra: Partial<ListedRelease> = {}): ListedRelease {
  return {
    id,
    incidentId: incident.id,
    kind: 'update',
    title: `通报${id} ${SCRIPT}`,
    body: `第一段 ${SCRIPT}\n第二段 & "x"`,
    status: 'published',
    publishedAt: new Date(`2026-11-22T0${id}:00:00Z`),
    retractedAt: null,
    retractReason: null,
    correctsReleaseId: null,
    incident,
    ...extra,
  };
}

const withdrawn = listed(1, { status: 'retracted', body: '', retractedAt: new Date('2026-11-22T05:30:00Z'), retractReason: `原因 ${SCRIPT}` });
const items = [listed(4), listed(2, { kind: 'clarification' }), withdrawn];
const feedSite = { urls: new SiteUrls('https://www.example.gov.cn'), authority: '市人民政府', publisher: '市人民政府新闻办公室' };
const pageSite = { ...feedSite, paths: new SiteUrls('') };

describe('feeds', () => {
  for (const [name, render] of [
    ['RSS 2.0', renderRss],
    ['Atom 1.0', renderAtom],
  ] as const) {
    it(`${name}: items newest first with absolute links; a script in a body or title stays text`, async () => {
      const xml = render(items, feedSite);
      expect(xml).not.toContain('<script');
      expect(xml).not.toContain('<i>');
      const feed = await new Parser().parseString(xml);
      expect(feed.items.map((i) => i.title)).toEqual([`通报4 ${SCRIPT}`, `通报2 ${SCRIPT}`, `【已撤回】通报1 ${SCRIPT}`]);
      expect(feed.items.map((i) => i.link)).toEqual([4, 2, 1].map((id) => `https://www.example.gov.cn/public/releases/${id}`));
      expect(feed.items[0].content).toContain('<p>第一段 &lt;script&gt;alert(1)&lt;/script&gt;</p><p>第二段 &amp; &quot;x&quot;</p>');
      expect(feed.items[1].content).toContain('【澄清说明】');
      expect(feed.items[2].content).toContain('撤回原因：原因 &lt;script&gt;');
      expect(feed.items[2].content).not.toContain('第一段');
    });

    it(`${name}: well-formed, and bozo-free in python3-feedparser`, (t) => {
      const xml = render(items, feedSite);
      if (hasXmllint) expect(xmllint(xml).ok).toBe(true);
      if (!feedparserPython) t.skip(feedparserSkipReason);
      const parsed = feedparse(xml);
      expect(parsed.bozo).toBe(0);
      expect(parsed.entries).toHaveLength(3);
      expect(parsed.version).toBe(name === 'RSS 2.0' ? 'rss20' : 'atom10');
    });
  }

  it('an empty feed is still valid and stable', async (t) => {
    expect(renderAtom([], feedSite)).toBe(renderAtom([], feedSite));
    expect((await new Parser().parseString(renderRss([], feedSite))).items).toHaveLength(0);
    if (!hasXmllint) t.skip(xmllintSkipReason);
    expect(xmllint(renderAtom([], feedSite)).ok).toBe(true);
  });
});

describe('pages', () => {
  it('the index groups by incident with grade, category and place, all escaped, no scripts', () => {
    const html = renderIndex(items, pageSite);
    expect(html).toMatch(/^<!doctype html>\n<html lang="zh-CN">/);
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<i>');
    expect(html.match(/<section class="card"/g)).toHaveLength(1);
    expect(html).toContain('III级 较大');
    expect(html).toContain('公共卫生事件');
    expect(html).toContain('地点：西城区 &lt;i&gt;某小区&lt;/i&gt;');
    expect(html).toContain('处置结束');
    expect(html).toContain('<span class="tag-withdrawn">已撤回</span>');
    expect(html).toContain('<link rel="canonical" href="https://www.example.gov.cn/public">');
    expect(renderIndex([], pageSite)).toContain('目前没有已发布的信息');
  });

  function page(release: ListedRelease, extra: Partial<ReleaseContext> = {}) {
    const { incident: inc, ...r } = release;
    const thread = items.map(({ incident: _i, body: _b, retractReason: _rr, correctsReleaseId: _c, ...ref }) => ref).reverse();
    return renderRelease({ release: r, incident: inc, thread, corrects: null, correctedBy: [], ...extra }, pageSite);
  }

  it('a release page: body as escaped paragraphs, kind label, Beijing time, neighbours in publication order', () => {
    const html = page(items[1]);
    expect(html).not.toContain('<script');
    expect(html).toContain('<div class="body">\n<p>第一段 &lt;script&gt;alert(1)&lt;/script&gt;</p>\n<p>第二段 &amp; &quot;x&quot;</p>\n</div>');
    expect(html).toContain('澄清说明');
    expect(html).toContain('<time datetime="2026-11-22T10:00:00+08:00">2026年11月22日 10:00（北京时间）</time>');
    expect(html).toContain('rel="prev" href="/public/releases/1"');
    expect(html).toContain('rel="next" href="/public/releases/4"');
    expect(html).toContain('aria-current="page"');
  });

  it('a retracted release page shows the notice and reason and never the body', () => {
    const html = page({ ...withdrawn, body: 'SHOULD NOT SHOW' });
    expect(html).toContain('<strong>已撤回</strong>');
    expect(html).toContain('撤回原因：原因 &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('SHOULD NOT SHOW');
    expect(html).not.toContain('<div class="body">');
  });

  it('a correction links what it corrects; a corrected release links its correction', () => {
    const fix = listed(4, { kind: 'correction', correctsReleaseId: 2 });
    const ref2 = { id: 2, incidentId: 3, kind: 'update' as const, title: '原通报', status: 'published' as const, publishedAt: new Date('2026-11-22T02:00:00Z'), retractedAt: null };
    expect(page(fix, { corrects: ref2 })).toContain('本条为对《<a href="/public/releases/2">原通报</a>》（2026年11月22日 10:00（北京时间）发布）的更正');
    expect(page(items[1], { correctedBy: [{ ...ref2, id: 4, title: '更正' }] })).toContain('已被更正，请以《<a href="/public/releases/4">更正</a>》为准');
  });

  it('the CSP allows exactly the inline stylesheet the pages carry, and no script', () => {
    expect(PAGE_CSP).toMatch(/default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(PAGE_CSP).not.toContain('script-src');
    const html = renderNotFound(pageSite);
    expect(html).toContain('未找到该信息');
    const css = /<style>([\s\S]*?)<\/style>/.exec(html)![1];
    expect(PAGE_CSP).toContain(`'sha256-${createHash('sha256').update(css).digest('base64')}'`);
    expect(html).not.toMatch(/ style="/);
  });
});
