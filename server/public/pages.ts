// The public site's HTML: the index of releases by incident, one page per release, and the 404 page.
// Pure: models in, a complete document out. No scripts, no external assets; every text is escaped.
import { createHash } from 'node:crypto';
import { escapeHtml as h, paragraphs } from './escape.ts';
import { categoryLabel, chineseDateTime, kindLabel, severityLabel, zonedIso } from './format.ts';
import type { ListedRelease, PublicIncident, ReleaseContext, ReleaseRef } from './model.ts';
import type { SiteUrls } from './site.ts';

export interface PageSite {
  /** Root-relative paths for links inside the site. */
  paths: SiteUrls;
  /** Absolute URLs (canonical link, feed discovery). */
  urls: SiteUrls;
  authority: string;
  publisher: string;
}

const CSS = `
:root{--red:#a4161a;--ink:#1f2328;--muted:#59636e;--line:#d8dee4;--bg:#f6f7f9;--card:#fff;--link:#0b57d0}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:16px/1.75 system-ui,-apple-system,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC",sans-serif}
a{color:var(--link);text-decoration:none}a:hover,a:focus{text-decoration:underline}
.wrap{max-width:46rem;margin:0 auto;padding:0 1rem}
.site{background:var(--red);color:#fff;padding:1rem 0 .85rem;border-bottom:4px solid #e0b04c}
.site a{color:#fff}
.brand{display:inline-block;font-size:1.6rem;font-weight:700;letter-spacing:.12em}
.sub{margin:.1rem 0 0;font-size:.9rem;opacity:.92}
.feeds{margin-top:.4rem;font-size:.85rem}
.feeds a{display:inline-block;margin-right:.6rem;padding:0 .45rem;border:1px solid rgba(255,255,255,.6);border-radius:3px}
main{padding:1rem 0 2rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:1rem;margin:0 0 1rem}
.card h2{margin:0 0 .25rem;font-size:1.15rem;line-height:1.45}
.meta{margin:0;color:var(--muted);font-size:.88rem;display:flex;flex-wrap:wrap;gap:.15rem .75rem;align-items:center}
.sev{display:inline-block;padding:0 .45rem;border-radius:3px;font-size:.8rem;font-weight:600;color:#fff;line-height:1.6}
.sev-I{background:#c62828}.sev-II{background:#e8710a}.sev-III{background:#f2b705;color:#3d2e00}.sev-IV{background:#1565c0}
.closed{color:var(--muted);border:1px solid var(--line);border-radius:3px;padding:0 .35rem;font-size:.8rem}
ol.list{list-style:none;margin:.75rem 0 0;padding:0}
ol.list li{border-top:1px solid var(--line);padding:.55rem 0}
ol.list li:first-child{border-top:0}
ol.list a{font-weight:600}
.kind{display:inline-block;margin-right:.35rem;padding:0 .35rem;border:1px solid var(--red);border-radius:3px;color:var(--red);font-size:.78rem;font-weight:600;line-height:1.6;vertical-align:.08em}
.when{display:block;color:var(--muted);font-size:.85rem}
.tag-withdrawn{display:inline-block;margin-left:.35rem;padding:0 .35rem;border-radius:3px;background:#6e7781;color:#fff;font-size:.78rem;vertical-align:.08em}
.withdrawn-title{color:var(--muted);text-decoration:line-through}
.crumbs{font-size:.88rem;color:var(--muted);margin:.25rem 0 .75rem}
article h1{font-size:1.45rem;line-height:1.45;margin:.35rem 0 .5rem}
.byline{color:var(--muted);font-size:.88rem;margin:0 0 1rem;padding-bottom:.75rem;border-bottom:1px solid var(--line)}
.body p{margin:0 0 1em;text-indent:2em;text-align:justify;word-break:break-word}
.notice{border-radius:6px;padding:.75rem 1rem;margin:0 0 1rem}
.notice p{margin:.2rem 0}
.notice-withdrawn{background:#fff1f0;border:2px solid #c62828}
.notice-withdrawn strong{display:block;font-size:1.35rem;color:#c62828;letter-spacing:.2em}
.notice-info{background:#fff8e1;border:1px solid #e0b04c}
dl.facts{display:grid;grid-template-columns:auto 1fr;gap:.2rem .9rem;margin:.5rem 0 0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
.pager{display:flex;flex-wrap:wrap;gap:.5rem;justify-content:space-between;margin:0 0 1rem}
.pager a{flex:1 1 14rem;background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.55rem .8rem}
.pager .next{text-align:right}
.pager small{display:block;color:var(--muted)}
.current{font-weight:700}
.sr-only{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
.spaced{margin-top:1rem!important}
h1.plain{margin:0 0 .5rem;font-size:1.3rem}
.empty{color:var(--muted);text-align:center;padding:2rem 0}
footer{color:var(--muted);font-size:.82rem;border-top:1px solid var(--line);padding:1rem 0 2rem}
footer p{margin:.2rem 0}
@media (max-width:480px){.brand{font-size:1.4rem}article h1{font-size:1.3rem}.card{padding:.85rem;border-radius:0;border-left:0;border-right:0;margin-left:-1rem;margin-right:-1rem}}
`.trim();

/** The Content-Security-Policy for these pages: no scripts at all, only this stylesheet. */
export const PAGE_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(CSS).digest('base64')}'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

function layout(site: PageSite, title: string, main: string, opts: { canonical?: string; description?: string } = {}): string {
  const u = site.urls;
  const p = site.paths;
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(title)}</title>
${opts.description ? `<meta name="description" content="${h(opts.description)}">\n` : ''}${opts.canonical ? `<link rel="canonical" href="${h(opts.canonical)}">\n` : ''}<link rel="alternate" type="application/rss+xml" title="RSS" href="${h(u.rss())}">
<link rel="alternate" type="application/atom+xml" title="Atom" href="${h(u.atom())}">
<link rel="alternate" type="application/atom+xml" title="CAP" href="${h(u.capIndex())}">
<style>${CSS}</style>
</head>
<body>
<header class="site"><div class="wrap">
<a class="brand" href="${h(p.index())}">权威发布</a>
<p class="sub">${h(site.authority)} · 突发事件信息发布平台</p>
<nav class="feeds" aria-label="订阅">订阅：<a href="${h(p.rss())}">RSS</a><a href="${h(p.atom())}">Atom</a><a href="${h(p.capIndex())}">CAP 预警</a></nav>
</div></header>
<main class="wrap">
${main}
</main>
<footer><div class="wrap">
<p>本平台信息由${h(site.publisher)}发布，以${h(site.authority)}发布的权威信息为准。</p>
<p>时间均为北京时间（UTC+08:00）。</p>
</div></footer>
</body>
</html>
`;
}

function incidentMeta(incident: PublicIncident): string {
  const parts = [
    `<span class="sev sev-${h(incident.severity)}">${h(severityLabel(incident.severity))}</span>`,
    `<span>${h(categoryLabel(incident.category))}</span>`,
  ];
  if (incident.location.trim()) parts.push(`<span>地点：${h(incident.location)}</span>`);
  if (incident.status === 'closed') parts.push('<span class="closed">处置结束</span>');
  return `<p class="meta">${parts.join('')}</p>`;
}

const timeTag = (d: Date) => `<time datetime="${zonedIso(d)}">${h(chineseDateTime(d))}</time>`;

function releaseLine(site: PageSite, r: ReleaseRef, current = false): string {
  const withdrawn = r.status === 'retracted';
  const title = `<span class="kind">${h(kindLabel(r.kind))}</span><span${withdrawn ? ' class="withdrawn-title"' : ''}>${h(r.title)}</span>`;
  const link = current
    ? `<span class="current" aria-current="page">${title}</span>`
    : `<a href="${h(site.paths.release(r.id))}">${title}</a>`;
  return `<li>${link}${withdrawn ? '<span class="tag-withdrawn">已撤回</span>' : ''}<span class="when">${timeTag(r.publishedAt)}</span></li>`;
}

/** `/public`: public releases grouped by incident, the incident with the newest release first. */
export function renderIndex(items: ListedRelease[], site: PageSite): string {
  const groups = new Map<number, { incident: PublicIncident; releases: ListedRelease[] }>();
  for (const r of items) {
    const g = groups.get(r.incidentId) ?? { incident: r.incident, releases: [] };
    g.releases.push(r);
    groups.set(r.incidentId, g);
  }
  let main = `<h1 class="sr-only">权威发布 · ${h(site.authority)}</h1>\n`;
  if (groups.size === 0) main += '<p class="empty">目前没有已发布的信息。</p>\n';
  for (const { incident, releases } of groups.values()) {
    main += `<section class="card" id="incident-${incident.id}" aria-labelledby="incident-${incident.id}-title">\n`;
    main += `<h2 id="incident-${incident.id}-title">${h(incident.title)}</h2>\n${incidentMeta(incident)}\n`;
    main += `<ol class="list">\n${releases.map((r) => releaseLine(site, r)).join('\n')}\n</ol>\n</section>\n`;
  }
  return layout(site, `权威发布 · ${site.authority}`, main, {
    canonical: site.urls.index(),
    description: `${site.authority}发布的突发事件权威信息`,
  });
}

/** `/public/releases/:id`: one release with its incident and its neighbours in the incident's thread. */
export function renderRelease(context: ReleaseContext, site: PageSite): string {
  const { release: r, incident, thread, corrects, correctedBy } = context;
  const withdrawn = r.status === 'retracted';
  let main = `<nav class="crumbs" aria-label="位置"><a href="${h(site.paths.index())}">权威发布</a> › ${h(incident.title)}</nav>\n`;
  main += '<article class="card">\n';
  main += `<p class="meta"><span class="kind">${h(kindLabel(r.kind))}</span><span class="sev sev-${h(incident.severity)}">${h(severityLabel(incident.severity))}</span></p>\n`;
  main += `<h1${withdrawn ? ' class="withdrawn-title"' : ''}>${h(r.title)}</h1>\n`;
  main += `<p class="byline">发布时间：${timeTag(r.publishedAt)}<br>发布单位：${h(site.publisher)}</p>\n`;
  if (withdrawn) {
    main += '<div class="notice notice-withdrawn" role="alert">\n<strong>已撤回</strong>\n';
    main += `<p>撤回原因：${h(r.retractReason?.trim() || '未说明')}</p>\n`;
    if (r.retractedAt) main += `<p>撤回时间：${timeTag(r.retractedAt)}</p>\n`;
    main += '<p>此条信息已撤回，原文不再公开。请以本事件的其他发布为准。</p>\n</div>\n';
  }
  if (corrects) {
    main += `<div class="notice notice-info"><p>本条为对《<a href="${h(site.paths.release(corrects.id))}">${h(corrects.title)}</a>》（${h(chineseDateTime(corrects.publishedAt))}发布）的更正。</p></div>\n`;
  }
  for (const c of correctedBy) {
    main += `<div class="notice notice-info"><p>本条信息已被更正，请以《<a href="${h(site.paths.release(c.id))}">${h(c.title)}</a>》为准。</p></div>\n`;
  }
  if (!withdrawn) {
    main += `<div class="body">\n${paragraphs(r.body).map((p) => `<p>${h(p)}</p>`).join('\n')}\n</div>\n`;
  }
  main += '</article>\n';

  const at = thread.findIndex((t) => t.id === r.id);
  const prev = at > 0 ? thread[at - 1] : null;
  const next = at >= 0 && at < thread.length - 1 ? thread[at + 1] : null;
  if (prev || next) {
    main += '<nav class="pager" aria-label="同一事件的前后发布">\n';
    if (prev) main += `<a class="prev" rel="prev" href="${h(site.paths.release(prev.id))}"><small>← 上一条</small>${h(prev.title)}</a>\n`;
    if (next) main += `<a class="next" rel="next" href="${h(site.paths.release(next.id))}"><small>下一条 →</small>${h(next.title)}</a>\n`;
    main += '</nav>\n';
  }

  main += `<section class="card" aria-labelledby="incident-title">\n<h2 id="incident-title">所属事件</h2>\n<dl class="facts">\n`;
  main += `<dt>事件</dt><dd>${h(incident.title)}</dd>\n`;
  main += `<dt>级别</dt><dd><span class="sev sev-${h(incident.severity)}">${h(severityLabel(incident.severity))}</span></dd>\n`;
  main += `<dt>类别</dt><dd>${h(categoryLabel(incident.category))}</dd>\n`;
  if (incident.location.trim()) main += `<dt>地点</dt><dd>${h(incident.location)}</dd>\n`;
  main += `<dt>状态</dt><dd>${incident.status === 'closed' ? '处置结束' : '正在处置'}</dd>\n</dl>\n`;
  main += `<h2 class="spaced">本事件全部发布（${thread.length}条）</h2>\n`;
  main += `<ol class="list">\n${thread.map((t) => releaseLine(site, t, t.id === r.id)).join('\n')}\n</ol>\n</section>\n`;
  main += `<p class="meta">机器可读：<a href="${h(site.paths.cap(r.id))}">CAP 1.2 预警信息（XML）</a></p>\n`;

  return layout(site, `${withdrawn ? '【已撤回】' : ''}${r.title} · 权威发布`, main, {
    canonical: site.urls.release(r.id),
    description: withdrawn ? `已撤回：${r.title}` : paragraphs(r.body)[0]?.slice(0, 120),
  });
}

export function renderNotFound(site: PageSite): string {
  return layout(
    site,
    '未找到 · 权威发布',
    `<div class="card"><h1 class="plain">未找到该信息</h1><p>您访问的信息不存在或尚未发布。</p><p><a href="${h(site.paths.index())}">返回权威发布首页</a></p></div>`,
  );
}
