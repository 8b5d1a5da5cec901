// RSS 2.0, Atom 1.0 and the CAP Atom index of public releases. Pure: items in (newest first), XML out.
// Bodies are plain text: in the feeds they become HTML paragraphs (escaped as HTML, then as XML), so a reader
// shows the same paragraphs as the page and a `<script>` in a body is text at every layer.
import { escapeHtml, escapeXml, paragraphs } from './escape.ts';
import { chineseDateTime, kindLabel, rfc822, severityLabel, zonedIso } from './format.ts';
import type { CapAlert } from './cap.ts';
import { CAP_NS } from './cap.ts';
import type { ListedRelease } from './model.ts';
import type { SiteUrls } from './site.ts';

export interface FeedSite {
  urls: SiteUrls;
  authority: string;
  publisher: string;
}

const ATOM_NS = 'http://www.w3.org/2005/Atom';
/** The `updated` of an empty feed: a fixed instant, so an empty feed keeps one ETag. */
const EPOCH = new Date(0);

export const feedTitle = (site: FeedSite) => `权威发布 · ${site.authority}`;
const feedDescription = (site: FeedSite) => `${site.authority}发布的突发事件权威信息（${site.publisher}）`;

/** What a reader shows for an item: the title, marked when it was withdrawn. */
export function itemTitle(r: ListedRelease): string {
  return r.status === 'retracted' ? `【已撤回】${r.title}` : r.title;
}

/** The item's content as an HTML fragment (not yet XML-escaped). */
export function itemHtml(r: ListedRelease): string {
  const meta = `<p>【${escapeHtml(kindLabel(r.kind))}】${escapeHtml(r.incident.title)}（${escapeHtml(severityLabel(r.incident.severity))}）</p>`;
  if (r.status === 'retracted') {
    const when = r.retractedAt ? `<p>撤回时间：${escapeHtml(chineseDateTime(r.retractedAt))}</p>` : '';
    return `${meta}<p><strong>此条信息已撤回。</strong>撤回原因：${escapeHtml(r.retractReason?.trim() || '未说明')}</p>${when}`;
  }
  return meta + paragraphs(r.body).map((p) => `<p>${escapeHtml(p)}</p>`).join('');
}

const updatedOf = (r: ListedRelease) => r.retractedAt ?? r.publishedAt;

function newest(items: ListedRelease[]): Date {
  let max = EPOCH;
  for (const r of items) {
    for (const d of [r.publishedAt, r.retractedAt, r.incident.updatedAt]) if (d && d > max) max = d;
  }
  return max;
}

export function renderRss(items: ListedRelease[], site: FeedSite): string {
  const u = site.urls;
  let xml = `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:atom="${ATOM_NS}">\n<channel>\n`;
  xml += `  <title>${escapeXml(feedTitle(site))}</title>\n`;
  xml += `  <link>${escapeXml(u.index())}</link>\n`;
  xml += `  <description>${escapeXml(feedDescription(site))}</description>\n`;
  xml += `  <language>zh-CN</language>\n`;
  xml += `  <lastBuildDate>${rfc822(newest(items))}</lastBuildDate>\n`;
  xml += `  <atom:link href="${escapeXml(u.rss())}" rel="self" type="application/rss+xml"/>\n`;
  for (const r of items) {
    xml += '  <item>\n';
    xml += `    <title>${escapeXml(itemTitle(r))}</title>\n`;
    xml += `    <link>${escapeXml(u.release(r.id))}</link>\n`;
    xml += `    <guid isPermaLink="true">${escapeXml(u.release(r.id))}</guid>\n`;
    xml += `    <pubDate>${rfc822(r.publishedAt)}</pubDate>\n`;
    xml += `    <category>${escapeXml(r.incident.title)}</category>\n`;
    xml += `    <description>${escapeXml(itemHtml(r))}</description>\n`;
    xml += '  </item>\n';
  }
  xml += '</channel>\n</rss>\n';
  return xml;
}

function atomHead(site: FeedSite, id: string, title: string, self: string, updated: Date, extraNs = ''): string {
  let xml = `<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="${ATOM_NS}"${extraNs} xml:lang="zh-CN">\n`;
  xml += `  <id>${escapeXml(id)}</id>\n`;
  xml += `  <title>${escapeXml(title)}</title>\n`;
  xml += `  <subtitle>${escapeXml(feedDescription(site))}</subtitle>\n`;
  xml += `  <updated>${zonedIso(updated)}</updated>\n`;
  xml += `  <link rel="self" type="application/atom+xml" href="${escapeXml(self)}"/>\n`;
  xml += `  <link rel="alternate" type="text/html" href="${escapeXml(site.urls.index())}"/>\n`;
  xml += `  <author><name>${escapeXml(site.publisher)}</name></author>\n`;
  xml += `  <generator>Beacon</generator>\n`;
  return xml;
}

export function renderAtom(items: ListedRelease[], site: FeedSite): string {
  const u = site.urls;
  let xml = atomHead(site, u.atom(), feedTitle(site), u.atom(), newest(items));
  for (const r of items) {
    xml += '  <entry>\n';
    xml += `    <id>${escapeXml(u.release(r.id))}</id>\n`;
    xml += `    <title type="text">${escapeXml(itemTitle(r))}</title>\n`;
    xml += `    <link rel="alternate" type="text/html" href="${escapeXml(u.release(r.id))}"/>\n`;
    xml += `    <published>${zonedIso(r.publishedAt)}</published>\n`;
    xml += `    <updated>${zonedIso(updatedOf(r))}</updated>\n`;
    xml += `    <category term="${escapeXml(r.kind)}" label="${escapeXml(kindLabel(r.kind))}"/>\n`;
    xml += `    <content type="html">${escapeXml(itemHtml(r))}</content>\n`;
    xml += '  </entry>\n';
  }
  xml += '</feed>\n';
  return xml;
}

/**
 * The CAP index: an Atom feed whose entries each link (rel="alternate", type application/cap+xml) to the CAP
 * document of one release, with the message's key fields as cap: extension elements (as the US NWS index does).
 */
export function renderCapIndex(entries: { release: ListedRelease; cap: CapAlert }[], site: FeedSite): string {
  const u = site.urls;
  const updated = newest(entries.map((e) => e.release));
  let xml = atomHead(site, u.capIndex(), `${feedTitle(site)} · CAP 1.2 预警信息索引`, u.capIndex(), updated, ` xmlns:cap="${CAP_NS}"`);
  for (const { release: r, cap } of entries) {
    xml += '  <entry>\n';
    xml += `    <id>${escapeXml(u.cap(r.id))}</id>\n`;
    xml += `    <title type="text">${escapeXml(cap.info.headline)}</title>\n`;
    xml += `    <link rel="alternate" type="application/cap+xml" href="${escapeXml(u.cap(r.id))}"/>\n`;
    xml += `    <link rel="related" type="text/html" href="${escapeXml(u.release(r.id))}"/>\n`;
    xml += `    <published>${zonedIso(r.publishedAt)}</published>\n`;
    xml += `    <updated>${cap.sent}</updated>\n`;
    xml += `    <summary type="text">${escapeXml(`${cap.info.event}（${severityLabel(r.incident.severity)}）`)}</summary>\n`;
    xml += `    <cap:identifier>${escapeXml(cap.identifier)}</cap:identifier>\n`;
    xml += `    <cap:sent>${cap.sent}</cap:sent>\n`;
    xml += `    <cap:status>${cap.status}</cap:status>\n`;
    xml += `    <cap:msgType>${cap.msgType}</cap:msgType>\n`;
    xml += `    <cap:category>${cap.info.category}</cap:category>\n`;
    xml += `    <cap:urgency>${cap.info.urgency}</cap:urgency>\n`;
    xml += `    <cap:severity>${cap.info.severity}</cap:severity>\n`;
    xml += `    <cap:certainty>${cap.info.certainty}</cap:certainty>\n`;
    xml += `    <cap:areaDesc>${escapeXml(cap.info.areaDesc)}</cap:areaDesc>\n`;
    xml += '  </entry>\n';
  }
  xml += '</feed>\n';
  return xml;
}
