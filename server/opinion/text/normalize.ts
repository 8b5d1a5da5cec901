// Text and URL normalisation for the opinion pipeline: pure string functions, no DOM, no dependencies.
//
// normalizeText turns what feeds and push sources send (HTML fragments, entities, full-width characters, odd
// whitespace) into the one plain-text form every later stage works on. canonicalUrl gives the form used for exact
// de-duplication by URL.

/** Named entities that appear in real feeds (HTML 4 set subset plus the Chinese typographic ones). */
const NAMED_ENTITIES: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', ensp: ' ', emsp: ' ', thinsp: ' ',
  zwnj: '', zwj: '', lrm: '', rlm: '', shy: '',
  ldquo: '“', rdquo: '”', lsquo: '‘', rsquo: '’', sbquo: '‚', bdquo: '„', laquo: '«', raquo: '»',
  lsaquo: '‹', rsaquo: '›', hellip: '…', mdash: '—', ndash: '–', middot: '·', bull: '•', prime: '′', Prime: '″',
  times: '×', divide: '÷', plusmn: '±', deg: '°', micro: 'µ', para: '¶', sect: '§', copy: '©', reg: '®',
  trade: '™', yen: '¥', euro: '€', pound: '£', cent: '¢', permil: '‰', frac12: '½', frac14: '¼', frac34: '¾',
  sup2: '²', sup3: '³', larr: '←', rarr: '→', uarr: '↑', darr: '↓', harr: '↔', hearts: '♥', star: '☆',
  iexcl: '¡', iquest: '¿', acute: '´', cedil: '¸', uml: '¨', macr: '¯', ordf: 'ª', ordm: 'º', not: '¬',
  Agrave: 'À', Aacute: 'Á', Acirc: 'Â', Atilde: 'Ã', Auml: 'Ä', Aring: 'Å', AElig: 'Æ', Ccedil: 'Ç',
  Egrave: 'È', Eacute: 'É', Ecirc: 'Ê', Euml: 'Ë', Igrave: 'Ì', Iacute: 'Í', Icirc: 'Î', Iuml: 'Ï',
  Ntilde: 'Ñ', Ograve: 'Ò', Oacute: 'Ó', Ocirc: 'Ô', Otilde: 'Õ', Ouml: 'Ö', Oslash: 'Ø', Ugrave: 'Ù',
  Uacute: 'Ú', Ucirc: 'Û', Uuml: 'Ü', Yacute: 'Ý', szlig: 'ß', agrave: 'à', aacute: 'á', acirc: 'â',
  atilde: 'ã', auml: 'ä', aring: 'å', aelig: 'æ', ccedil: 'ç', egrave: 'è', eacute: 'é', ecirc: 'ê',
  euml: 'ë', igrave: 'ì', iacute: 'í', icirc: 'î', iuml: 'ï', ntilde: 'ñ', ograve: 'ò', oacute: 'ó',
  ocirc: 'ô', otilde: 'õ', ouml: 'ö', oslash: 'ø', ugrave: 'ù', uacute: 'ú', ucirc: 'û', uuml: 'ü',
  yacute: 'ý', yuml: 'ÿ',
};

/** Elements whose content is never text a person reads. */
const INVISIBLE_BLOCKS = /<(script|style|noscript|template|head|svg|math|iframe|object)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;
const COMMENTS = /<!--[\s\S]*?(?:-->|$)/g;
const CDATA = /<!\[CDATA\[([\s\S]*?)\]\]>/g;
/**
 * A tag: `<name …>`, `</name>`, `<!DOCTYPE …>`, `<?xml …?>`. Attribute values in quotes may contain `>`. Requires a
 * letter (or / ! ?) right after `<`, so text like `3<5` or `a < b` is left alone.
 */
const TAG = /<(?:\/?[a-zA-Z][\w:.-]*|!|\?)(?:[^>"']|"[^"]*"|'[^']*')*>/g;
const ENTITY = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z][a-zA-Z0-9]{1,31}));?/g;
/** Zero-width and formatting characters, and C0/C1 controls other than whitespace. */
const INVISIBLE_CHARS = /[\u0000-\u0008\u000B\u000E-\u001F\u007F-\u009F\u00AD\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF]/g;
const WHITESPACE_RUN = /\s+/g;

function decodeEntity(match: string, dec?: string, hex?: string, name?: string): string {
  if (dec !== undefined || hex !== undefined) {
    const cp = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex!, 16);
    // Invalid code points and surrogates become U+FFFD, as HTML parsers do; NUL is dropped.
    if (cp === 0) return '';
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return '\uFFFD';
    return String.fromCodePoint(cp);
  }
  // Unknown names (and bare `&` in text such as "R&D") stay as written.
  return Object.hasOwn(NAMED_ENTITIES, name!) ? NAMED_ENTITIES[name!] : match;
}

function stripTags(s: string): string {
  if (!s.includes('<')) return s;
  return s
    .replace(CDATA, '$1')
    .replace(COMMENTS, ' ')
    .replace(INVISIBLE_BLOCKS, ' ')
    .replace(TAG, ' ');
}

/**
 * Plain text from a feed or pushed item: HTML tags (and script/style content) removed, entities decoded, NFKC applied
 * (full-width ASCII → half-width, ideographic space → space, compatibility forms folded), zero-width and control
 * characters removed, whitespace runs collapsed to one space, trimmed. Tags are replaced by a space so words from
 * adjacent block elements don't run together; the collapse removes the extra spaces. Content that was HTML-escaped
 * twice (common in feeds: `&lt;p&gt;`) is stripped again after decoding.
 */
export function normalizeText(raw: string): string {
  if (!raw) return '';
  let s = stripTags(String(raw));
  if (s.includes('&')) {
    s = s.replace(ENTITY, decodeEntity);
    if (s.includes('<')) s = stripTags(s);
  }
  s = s.normalize('NFKC').replace(INVISIBLE_CHARS, '');
  return s.replace(WHITESPACE_RUN, ' ').trim();
}

/**
 * Query parameters that only track where a click came from. Exact names (lowercase) and prefixes. `from`, `spm` and the
 * share_* family are the Chinese platforms' (Weibo, Taobao/Alibaba, Bilibili, Toutiao); scene/chksm/sessionid/
 * clicktime/enterid are WeChat article share markers (the article identity is __biz/mid/idx/sn, which stay).
 */
const TRACKING_PARAMS = new Set([
  'spm', 'from', 'fbclid', 'gclid', 'dclid', 'msclkid', 'yclid', 'igshid', 'mc_cid', 'mc_eid', 'vd_source',
  'isappinstalled', 'scene', 'chksm', 'sessionid', 'clicktime', 'enterid', 'wfr', 'ref_src', 'ref_url',
  'srcid', 'shareid', 'sharer', 'sharefrom', 'sharesource', 'tt_from', 'timestamp', 'app_version',
  'wxshare_count', 'xhsshare', 'appuid', 'apptime', 'share_token',
]);
const TRACKING_PREFIXES = ['utm_', 'share_', 'sharer_', '_hs', 'pk_', 'mtm_', 'wt.', 'at_'];

function isTrackingParam(name: string): boolean {
  const n = name.toLowerCase();
  if (TRACKING_PARAMS.has(n)) return true;
  for (const p of TRACKING_PREFIXES) if (n.startsWith(p)) return true;
  return false;
}

/**
 * The canonical form of an http(s) URL for de-duplication: scheme and host lowercase (the URL parser does that and
 * IDNA), default port dropped, credentials and fragment dropped, tracking parameters (utm_*, spm, from, share_*, …)
 * dropped, the remaining parameters sorted by name then value, and trailing slashes stripped from the path.
 * Returns null for anything that doesn't parse as an absolute http(s) URL.
 */
export function canonicalUrl(url: string): string | null {
  if (typeof url !== 'string') return null;
  const trimmed = url.trim();
  if (!trimmed) return null;
  let u: URL;
  try {
    u = new URL(trimmed);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  if (!u.hostname) return null;

  const params: [string, string][] = [];
  for (const [k, v] of u.searchParams) if (k && !isTrackingParam(k)) params.push([k, v]);
  params.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const query = params.length ? '?' + new URLSearchParams(params).toString() : '';

  let path = u.pathname;
  while (path.length > 0 && path.endsWith('/')) path = path.slice(0, -1);

  return `${u.protocol}//${u.host.toLowerCase()}${path}${query}`;
}

const URLS = /\bhttps?:\/\/[^\s<>"'，。！？]+/gi;
const REPOST_MARKER = /\/\/\s*@[^\s:：]{1,30}\s*[:：]/g;
const MENTION = /@[^\s:：,，.。!！?？@#]{1,30}/g;
const HASHTAG = /#([^#\n]{1,60})#/g;
const PLATFORM_NOISE = /转发微博|网页链接|展开全文|查看图片|O网页链接|\[图片\]|\[视频\]|全文/g;
const EMOJI = /[\p{Extended_Pictographic}\u{1F3FB}-\u{1F3FF}\uFE0F\u200D]/gu;

/**
 * The part of a normalised post that identifies its story, for near-duplicate fingerprints: URLs, @mentions, repost
 * chain markers (//@name:), hashtag marks (the words stay), platform boilerplate (转发微博, 网页链接, 展开全文) and emoji
 * removed, whitespace collapsed. Reposts differ from their original mostly in exactly these.
 */
export function stripRepostNoise(text: string): string {
  if (!/[@#/]|http|转发|网页|全文|图片|视频|\p{Extended_Pictographic}/u.test(text)) return text;
  return text
    .replace(URLS, ' ')
    .replace(REPOST_MARKER, ' ')
    .replace(MENTION, ' ')
    .replace(HASHTAG, ' $1 ')
    .replace(PLATFORM_NOISE, ' ')
    .replace(EMOJI, '')
    .replace(WHITESPACE_RUN, ' ')
    .trim();
}
