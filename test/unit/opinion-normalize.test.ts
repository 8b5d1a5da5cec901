import { describe, expect, it } from 'vitest';
import { canonicalUrl, normalizeText, stripRepostNoise } from '../../server/opinion/text/normalize.ts';

describe('normalizeText', () => {
  it('strips tags, keeps words of adjacent blocks apart, drops script and style content', () => {
    const html =
      '<div class="post"><p>城东化工园区<b>发生爆炸</b></p><p>消防已到场</p><script>alert("x>y")</script>' +
      '<style>p{color:red}</style><!-- 注释 --><img src="a.png" alt="a > b"/>请勿靠近</div>';
    expect(normalizeText(html)).toBe('城东化工园区 发生爆炸 消防已到场 请勿靠近');
  });

  it('decodes named, decimal and hex entities, including double-escaped HTML', () => {
    expect(normalizeText('R&amp;D &lt;通报&gt; &quot;已处置&quot; &#20013;&#x6587; &ldquo;辟谣&rdquo;&hellip;')).toBe(
      'R&D <通报> "已处置" 中文 “辟谣”...', // NFKC folds … to ...
    );
    expect(normalizeText('&lt;p&gt;市卫健委&lt;/p&gt;&lt;br/&gt;提醒')).toBe('市卫健委 提醒');
    expect(normalizeText('AT&T and R&D &unknown; &#0; &#xD800;')).toBe('AT&T and R&D &unknown; \uFFFD');
  });

  it('leaves comparison signs in text alone', () => {
    expect(normalizeText('气温 3<5 且 a < b, 9>8')).toBe('气温 3<5 且 a < b, 9>8');
  });

  it('applies NFKC: full-width ASCII to half-width, ideographic space to space', () => {
    expect(normalizeText('ＡＢＣ１２３４５　热线：１２３４５！')).toBe('ABC12345 热线:12345!');
    expect(normalizeText('ｈｔｔｐ：／／ｅｘａｍｐｌｅ．ｃｏｍ')).toBe('http://example.com');
  });

  it('removes zero-width and control characters and collapses whitespace', () => {
    expect(normalizeText('  卫\u200B健委\uFEFF\n\n\t通报 \u0007 ')).toBe('卫健委 通报');
    expect(normalizeText('')).toBe('');
    expect(normalizeText('&nbsp;&nbsp;')).toBe('');
  });

  it('is idempotent', () => {
    const once = normalizeText('<p>ＨＥＬＬＯ&amp;&lt;b&gt;世界&lt;/b&gt;</p>\u3000 ');
    expect(normalizeText(once)).toBe(once);
  });
});

describe('canonicalUrl', () => {
  it('lowercases the host, drops the fragment, tracking params and trailing slash, sorts params', () => {
    expect(
      canonicalUrl('HTTPS://News.Example.COM/a/b/?utm_source=wx&z=1&spm=a2c.1&b=2&from=timeline&share_token=x#comments'),
    ).toBe('https://news.example.com/a/b?b=2&z=1');
  });

  it('keeps meaningful params and their order-independent identity', () => {
    const a = canonicalUrl('http://mp.weixin.qq.com/s?__biz=MzA&mid=22&idx=1&sn=abc&chksm=zz&scene=21#wechat_redirect');
    const b = canonicalUrl('http://mp.weixin.qq.com/s?sn=abc&idx=1&mid=22&__biz=MzA');
    expect(a).toBe(b);
    expect(a).toBe('http://mp.weixin.qq.com/s?__biz=MzA&idx=1&mid=22&sn=abc');
  });

  it('drops default ports and credentials and strips the root slash', () => {
    expect(canonicalUrl('https://user:pw@Example.com:443/')).toBe('https://example.com');
    expect(canonicalUrl('http://example.com:8080/x/')).toBe('http://example.com:8080/x');
  });

  it('returns null for invalid or non-http URLs', () => {
    for (const bad of ['', '   ', 'not a url', '/relative/path', 'javascript:alert(1)', 'mailto:a@b.c', 'ftp://x.org/f', 'http://']) {
      expect(canonicalUrl(bad)).toBeNull();
    }
  });

  it('handles internationalised hosts', () => {
    expect(canonicalUrl('https://例子.测试/路径/?utm_medium=x')).toBe('https://xn--fsqu00a.xn--0zwm56d/%E8%B7%AF%E5%BE%84');
  });
});

describe('stripRepostNoise', () => {
  it('removes URLs, mentions, repost markers, hashtag marks, boilerplate and emoji', () => {
    expect(stripRepostNoise('转发微博 #城东爆炸# 太可怕了😭 //@城东发布: 官方通报 http://t.cn/A6x 网页链接 @滨江消防')).toBe(
      '城东爆炸 太可怕了 官方通报',
    );
  });

  it('returns plain text unchanged', () => {
    const t = '市卫健委通报：滨江区新增病例3例';
    expect(stripRepostNoise(t)).toBe(t);
  });
});
