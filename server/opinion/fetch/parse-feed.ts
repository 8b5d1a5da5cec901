// Parse a decoded feed document (RSS 0.9x/1.0/2.0, Atom) into plain items with rss-parser's
// parseString (DESIGN §3). Before parsing we repair what real feeds get wrong: a BOM or
// whitespace before the declaration, characters illegal in XML 1.0, bare `&`, HTML named
// entities (`&nbsp;`) that XML does not define, and numeric references out of range.
// Anything that still is not a feed becomes FeedError kind 'parse' with a readable message.
import Parser from 'rss-parser';
import { FeedError } from './errors.ts';
import { HTML_ENTITIES } from './html-entities.ts';

export interface ParsedFeedItem {
  guid: string | null;
  title: string | null;
  link: string | null;
  /** Raw (possibly HTML) content; normalising and stripping HTML is the next stage's job. */
  content: string | null;
  author: string | null;
  /** ISO 8601 UTC, or null when absent or unreadable. */
  publishedAt: string | null;
}

export interface ParsedFeed {
  title: string | null;
  items: ParsedFeedItem[];
}

type Loose = Record<string, unknown>;

// One parser for the process. defaultRSS: 2 reads <rss> without a version attribute; the
// media fields give YouTube-style Atom entries (no <content>, no <summary>) a text.
const parser = new Parser({
  defaultRSS: 2,
  customFields: { item: [['media:group', 'mediaGroup'], ['media:description', 'mediaDescription']] },
});

// rss-parser's Atom entry builder calls new Date(x).toISOString() on <published>/<updated>
// and reads link.$.rel unguarded, so one bad entry throws and loses the whole feed. Clean the
// entry before it sees it.
const internals = parser as unknown as {
  parseItemAtom(entry: Loose): Loose;
  xmlParser?: { reset?: () => void };
};
const parseItemAtom = internals.parseItemAtom.bind(parser);
internals.parseItemAtom = (entry: Loose) => parseItemAtom(sanitizeAtomEntry(entry));

export async function parseFeed(xml: string): Promise<ParsedFeed> {
  if (typeof xml !== 'string' || xml.trim() === '') {
    throw new FeedError('parse', 'not a feed: the response is empty');
  }
  if (looksBinary(xml)) {
    throw new FeedError('parse', 'not a feed: the response is binary data, not text');
  }
  const text = repairXml(xml);
  if (text.trim() === '') throw new FeedError('parse', 'not a feed: the response is empty');
  const html = htmlPageTitle(text);
  if (html !== null) {
    throw new FeedError(
      'parse',
      `not a feed: the address returned an HTML web page${html ? ` ("${clip(html, 80)}")` : ''}, not RSS or Atom`,
    );
  }

  let output: Loose;
  try {
    // Start from a clean xml2js/sax state: a previous document that failed half-way must
    // not leave the shared parser in a state that swallows the next callback.
    internals.xmlParser?.reset?.();
    output = (await parser.parseString(text)) as unknown as Loose;
  } catch (e) {
    throw new FeedError('parse', explainParseError(e, text), undefined, { cause: e });
  }

  const items = Array.isArray(output.items) ? (output.items as Loose[]) : [];
  return {
    title: textOf(output.title),
    items: items.map(mapItem),
  };
}

// ---- mapping ----------------------------------------------------------------------------

function mapItem(it: Loose): ParsedFeedItem {
  const link = linkOf(it.link);
  const itunes = (it.itunes ?? {}) as Loose;
  return {
    guid: textOf(it.guid) ?? textOf(it.id) ?? textOf(it['rdf:about']) ?? link,
    title: textOf(it.title),
    link,
    content:
      textOf(it['content:encoded']) ??
      textOf(it.content) ??
      textOf(it.summary) ??
      textOf(it.contentSnippet) ??
      textOf(it.mediaDescription) ??
      textOf((it.mediaGroup as Loose | undefined)?.['media:description']),
    author: personOf(it.creator) ?? personOf(it.author) ?? personOf(it['dc:creator']) ?? textOf(itunes.author),
    // Our own reading of the raw value, not rss-parser's isoDate (new Date() rolls 31 Feb
    // over into March and reads zone-less times in the server's zone).
    publishedAt: toIsoDate(it.pubDate) ?? toIsoDate(it.date) ?? toIsoDate(it['dc:date']),
  };
}

/** Text of an xml2js value: a string, `{ _: text }`, an array (first), or nested elements. */
function textOf(v: unknown, depth = 0): string | null {
  if (v == null || depth > 8) return null;
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' ? null : t;
  }
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return textOf(v[0], depth + 1);
  if (typeof v === 'object') {
    const o = v as Loose;
    const parts: string[] = [];
    if (typeof o._ === 'string' && o._.trim()) parts.push(o._.trim());
    for (const [k, child] of Object.entries(o)) {
      if (k === '$' || k === '_') continue;
      const list = Array.isArray(child) ? child : [child];
      for (const c of list) {
        const t = textOf(c, depth + 1);
        if (t) parts.push(t);
      }
    }
    return parts.length ? parts.join(' ') : null;
  }
  return null;
}

/** An author: a string, or an Atom person `{ name: [...] }`. */
function personOf(v: unknown): string | null {
  const first = Array.isArray(v) ? v[0] : v;
  if (first && typeof first === 'object' && !Array.isArray(first) && 'name' in (first as Loose)) {
    return textOf((first as Loose).name);
  }
  return textOf(first);
}

function linkOf(v: unknown): string | null {
  const first = Array.isArray(v) ? v[0] : v;
  if (first && typeof first === 'object') {
    const attrs = (first as Loose).$ as Loose | undefined;
    const href = attrs && typeof attrs.href === 'string' ? attrs.href.trim() : '';
    if (href) return href;
  }
  return textOf(first);
}

function sanitizeAtomEntry(entry: Loose): Loose {
  if (!entry || typeof entry !== 'object') return {};
  const e: Loose = { ...entry };
  // <title type="xhtml">Hello <b>world</b></title>: rss-parser would keep only "Hello"
  const title = Array.isArray(e.title) ? e.title[0] : undefined;
  if (title && typeof title === 'object' && Object.keys(title).some((k) => k !== '_' && k !== '$')) {
    e.title = [textOf(title) ?? ''];
  }
  for (const key of ['published', 'updated']) {
    const list = e[key];
    if (!Array.isArray(list)) continue;
    const raw = textOf(list[0]);
    if (!raw || toIsoDate(raw) === null) delete e[key];
    else e[key] = [toIsoDate(raw)];
  }
  if (Array.isArray(e.link)) {
    e.link = e.link
      .map((l: unknown) => {
        if (typeof l === 'string') return l.trim() ? { $: { href: l.trim() } } : null;
        if (l && typeof l === 'object' && (l as Loose).$ && typeof (l as Loose).$ === 'object') return l;
        return null;
      })
      .filter((l) => l !== null);
    if ((e.link as unknown[]).length === 0) delete e.link;
  }
  return e;
}

// ---- dates ------------------------------------------------------------------------------

const CHINA_OFFSET = '+08:00';
// 2024-05-01 10:20[:30[.123]][zone] / 2024/5/1 / 2024年5月1日 10时20分 / 2024.05.01
const LOCAL_DATE =
  /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:(?:\s+|T)(\d{1,2})\s*[:时]\s*(\d{1,2})(?:\s*[:分]\s*(\d{1,2})(?:\.(\d+))?)?\s*秒?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * A feed date → ISO UTC, or null. Timestamps without a zone (common on Chinese sites) are
 * read as China Standard Time, and so is the "CST" abbreviation (Java's Date.toString on
 * Asia/Shanghai servers); otherwise Date's RFC 822 / ISO 8601 reading applies.
 */
function toIsoDate(v: unknown): string | null {
  const s = textOf(v);
  if (!s) return null;
  let ms: number;
  const m = LOCAL_DATE.exec(s);
  if (m) {
    const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '0', zone] = m;
    const z = zone ? (zone.toUpperCase() === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`) : CHINA_OFFSET;
    const iso = `${y}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(sec)}.${frac.padEnd(3, '0').slice(0, 3)}${z}`;
    ms = Date.parse(iso);
    // Reject rollovers like 2024-02-31
    if (!Number.isNaN(ms)) {
      const check = new Date(ms + (z === 'Z' ? 0 : offsetMinutes(z)) * 60_000);
      if (check.getUTCDate() !== Number(d) || check.getUTCMonth() + 1 !== Number(mo)) return null;
    }
  } else {
    const zoned = s.replace(/\bCST\b/, '+0800').replace(/\bBeijing Time\b|北京时间/i, '+0800');
    ms = Date.parse(zoned);
    // "星期一, 01 May 2024 …", "Mon., 01 May …": drop a weekday Date does not know
    if (Number.isNaN(ms)) ms = Date.parse(zoned.replace(/^[^\d,]{1,12},\s*/, ''));
  }
  if (Number.isNaN(ms)) return null;
  const year = new Date(ms).getUTCFullYear();
  if (year < 1970 || year > 2100) return null;
  return new Date(ms).toISOString();
}

function pad(s: string): string {
  return s.padStart(2, '0');
}

function offsetMinutes(z: string): number {
  const sign = z.startsWith('-') ? -1 : 1;
  const [hh, mm] = z.slice(1).split(':').map(Number);
  return sign * (hh * 60 + mm);
}

// ---- repair -----------------------------------------------------------------------------

const XML_ENTITIES = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);
// Characters XML 1.0 forbids: C0 controls except tab/LF/CR, U+FFFE/U+FFFF, lone surrogates.
// eslint-disable-next-line no-control-regex
const ILLEGAL_XML_CHARS = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const AMPERSAND = /&(?:(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)?/g;
// CDATA sections and comments are left exactly as they are.
const VERBATIM = /<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->/g;

function repairXml(input: string): string {
  let s = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  s = s.replace(ILLEGAL_XML_CHARS, '').replace(/^\s+/, '');
  let out = '';
  let last = 0;
  for (const m of s.matchAll(VERBATIM)) {
    out += repairAmpersands(s.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return out + repairAmpersands(s.slice(last));
}

function repairAmpersands(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(AMPERSAND, (whole, ref: string | undefined) => {
    if (!ref) return '&amp;';
    if (ref.startsWith('#')) {
      const cp = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      const legal =
        cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
      return legal ? whole : '&#xFFFD;';
    }
    if (XML_ENTITIES.has(ref)) return whole;
    const cp = Object.hasOwn(HTML_ENTITIES, ref) ? HTML_ENTITIES[ref] : undefined;
    return cp !== undefined ? `&#${cp};` : `&amp;${ref};`;
  });
}

// ---- diagnosis --------------------------------------------------------------------------

/** Replacement characters and control characters (C0 except tab/CR/LF, C1) above 5 %. */
function looksBinary(s: string): boolean {
  const head = s.slice(0, 4096);
  let bad = 0;
  for (let i = 0; i < head.length; i++) {
    const c = head.charCodeAt(i);
    if (c === 0xfffd || (c < 0x20 && c !== 9 && c !== 10 && c !== 13) || (c >= 0x80 && c <= 0x9f)) bad++;
  }
  return head.length > 0 && bad / head.length > 0.05;
}

/** The page title (possibly '') if the document is an HTML page, else null. */
function htmlPageTitle(s: string): string | null {
  const head = s.slice(0, 4096);
  const root = /^(?:<\?[\s\S]*?\?>\s*|<!--[\s\S]*?-->\s*)*(?:<!doctype\s+([a-z]+)[^>]*>\s*(?:<!--[\s\S]*?-->\s*)*)?<([A-Za-z][\w:.-]*)/i.exec(head);
  const isHtml = root ? root[1]?.toLowerCase() === 'html' || /^(html|head|body)$/i.test(root[2]) : false;
  if (!isHtml) return null;
  const t = /<title[^>]*>([^<]*)<\/title>/i.exec(s.slice(0, 65536));
  return t ? t[1].replace(/\s+/g, ' ').trim() : '';
}

function explainParseError(e: unknown, text: string): string {
  const raw = String((e as Error)?.message ?? e);
  const first = raw.split('\n')[0].trim();
  const line = /Line:\s*(\d+)/.exec(raw);
  const col = /Column:\s*(\d+)/.exec(raw);
  const where = line ? ` at line ${Number(line[1]) + 1}${col ? `, column ${col[1]}` : ''}` : '';
  if (/Feed not recognized|default RSS version/.test(raw)) {
    const root = /<([A-Za-z][\w:.-]*)/.exec(text.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>/gi, ''));
    return `not a feed: the document is XML but not RSS or Atom${root ? ` (its root element is <${root[1]}>)` : ''}`;
  }
  if (/Unable to parse XML/.test(raw)) return 'not a feed: the response contains no XML document';
  if (/Unclosed root tag/.test(raw)) {
    return 'not a feed: the document ends before it is complete (truncated download or broken generator)';
  }
  if (/Non-whitespace before first tag|Text data outside of root node/.test(raw)) {
    return `not a feed: the response is not XML (${lowerFirst(first)}${where})`;
  }
  if (/^(Unexpected|Unmatched|Invalid|Unquoted|Attribute|Unclosed|Text data|Unencoded|Forward-slash|Malformed|Max buffer)/.test(first)) {
    return `the feed is not well-formed XML: ${lowerFirst(first)}${where}`;
  }
  if (e instanceof TypeError || e instanceof RangeError) {
    return 'not a feed: the XML does not have the structure of an RSS or Atom feed (for example <rss> without <channel>)';
  }
  return `the feed could not be read: ${clip(first, 160)}${where}`;
}

function lowerFirst(s: string): string {
  return s ? s[0].toLowerCase() + s.slice(1).replace(/\.$/, '') : s;
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
