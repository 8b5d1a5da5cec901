// Fetch one feed document (DESIGN §3): our own HTTP client, never rss-parser's parseURL.
//
// - conditional GET (If-None-Match / If-Modified-Since); 304 → { status: 'not_modified' }
// - redirects followed by hand, at most maxRedirects, every hop re-checked by the SSRF guard,
//   and every connection made through the guard's lookup (no DNS-rebinding window)
// - one total deadline (DNS + connect + all hops + body): when it fires the request and its
//   socket are destroyed, so a hung or trickling server costs one socket for timeoutMs at most
// - a size cap on the bytes received and on the decompressed size (gzip/deflate/br bombs)
// - charset: BOM, else Content-Type charset, else the XML declaration, else UTF-8 (or, for
//   undeclared bytes that are not UTF-8, GB18030 then windows-1252), decoded with TextDecoder
//   (gbk/gb18030/big5/utf-16/windows-1252 …); the BOM is stripped
import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';
import { FeedError } from './errors.ts';
import { assertFetchableUrl, createGuardedLookup, type HostLookup } from './guard.ts';

export { FeedError, type FeedErrorKind } from './errors.ts';

export interface FetchFeedOptions {
  etag?: string | null;
  lastModified?: string | null;
  /** Total time for the whole fetch, redirects included. Default 15 000. */
  timeoutMs?: number;
  /** Cap on bytes received and on the decompressed body. Default 5 MiB. */
  maxBytes?: number;
  /** Redirect hops followed before giving up. Default 5. */
  maxRedirects?: number;
  /** ALLOW_PRIVATE_FEEDS: let loopback/private/link-local addresses through. */
  allowPrivate: boolean;
  userAgent?: string;
  /** Resolve host names (tests, or a custom resolver); used for the check and to connect. */
  lookup?: HostLookup;
}

export type FetchFeedResult =
  | { status: 'not_modified' }
  | {
      status: 'ok';
      /** The decoded document, BOM stripped. */
      text: string;
      etag: string | null;
      lastModified: string | null;
      /** The URL the document came from after redirects. */
      finalUrl: string;
      /** Bytes received on the wire for the final response body (before decompression). */
      bytes: number;
    };

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
const DEFAULT_MAX_REDIRECTS = 5;
const DEFAULT_USER_AGENT = 'Beacon-FeedPoller/1.0 (+government emergency information console)';
const ACCEPT =
  'application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5';
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export async function fetchFeed(url: string, opts: FetchFeedOptions): Promise<FetchFeedResult> {
  const timeoutMs = positiveOr(opts.timeoutMs, DEFAULT_TIMEOUT_MS);
  const maxBytes = positiveOr(opts.maxBytes, DEFAULT_MAX_BYTES);
  const maxRedirects = Math.max(0, Math.floor(opts.maxRedirects ?? DEFAULT_MAX_REDIRECTS));
  const ac = new AbortController();
  const timer = setTimeout(() => {
    ac.abort(
      new FeedError(
        'timeout',
        `timed out: the feed server did not deliver a complete answer within ${seconds(timeoutMs)}; the connection was closed`,
      ),
    );
  }, timeoutMs);
  try {
    return await fetchWithin(url, opts, { maxBytes, maxRedirects }, ac.signal);
  } finally {
    clearTimeout(timer);
    // Anything still open (it should not be) is destroyed by the abort listeners.
    if (!ac.signal.aborted) ac.abort(new FeedError('network', 'fetch finished'));
  }
}

async function fetchWithin(
  url: string,
  opts: FetchFeedOptions,
  limits: { maxBytes: number; maxRedirects: number },
  signal: AbortSignal,
): Promise<FetchFeedResult> {
  const guard = { allowPrivate: opts.allowPrivate, lookup: opts.lookup };
  const lookup = createGuardedLookup(guard);
  const headers: Record<string, string> = {
    'user-agent': opts.userAgent || DEFAULT_USER_AGENT,
    accept: ACCEPT,
    'accept-encoding': 'gzip, deflate, br',
  };
  if (opts.etag && isHeaderSafe(opts.etag)) headers['if-none-match'] = opts.etag;
  if (opts.lastModified && isHeaderSafe(opts.lastModified)) {
    headers['if-modified-since'] = opts.lastModified;
  }

  let current = url;
  for (let hop = 0; ; hop++) {
    const target = await abortable(assertFetchableUrl(current, guard), signal);
    const res = await request(target, headers, lookup, signal);
    const status = res.statusCode ?? 0;

    if (REDIRECT_STATUSES.has(status)) {
      res.destroy();
      const location = res.headers.location;
      if (!location) {
        throw new FeedError('http', `HTTP ${status} redirect without a Location header`, status);
      }
      if (hop >= limits.maxRedirects) {
        throw new FeedError(
          'redirects',
          `too many redirects: gave up after ${limits.maxRedirects} (the last one pointed to ${clip(location, 100)}); the address may redirect in a loop`,
          status,
        );
      }
      try {
        current = new URL(location, target).href;
      } catch {
        throw new FeedError('redirects', `HTTP ${status} redirect to an invalid address: ${clip(location, 100)}`, status);
      }
      continue;
    }
    if (status === 304) {
      res.destroy();
      return { status: 'not_modified' };
    }
    if (status < 200 || status >= 300) {
      res.destroy();
      const phrase = http.STATUS_CODES[status] ?? clip(res.statusMessage ?? '', 60);
      throw new FeedError('http', `HTTP ${status}${phrase ? ` ${phrase}` : ''}`, status);
    }

    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > limits.maxBytes) {
      res.destroy();
      throw tooLarge(limits.maxBytes, `the server announced ${formatBytes(declared)}`);
    }
    const raw = await readBody(res, limits.maxBytes, signal, target);
    const body = await decompress(raw, res.headers['content-encoding'], limits.maxBytes);
    if (signal.aborted) throw signal.reason;
    return {
      status: 'ok',
      text: decodeFeedBytes(body, res.headers['content-type']),
      etag: headerValue(res.headers.etag),
      lastModified: headerValue(res.headers['last-modified']),
      finalUrl: target.href,
      bytes: raw.length,
    };
  }
}

function request(
  target: URL,
  headers: Record<string, string>,
  lookup: ReturnType<typeof createGuardedLookup>,
  signal: AbortSignal,
): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const mod = target.protocol === 'https:' ? https : http;
    let req: http.ClientRequest;
    try {
      // agent: false → a fresh socket per request, closed when done: nothing pooled, and
      // destroy() below really closes the connection the server sees.
      req = mod.request(target, { method: 'GET', headers, agent: false, lookup });
    } catch (e) {
      reject(networkError(e, target));
      return;
    }
    const onAbort = () => req.destroy(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('close', () => signal.removeEventListener('abort', onAbort));
    req.on('response', resolve);
    req.on('error', (e) => reject(e instanceof FeedError ? e : networkError(e, target)));
    req.end();
  });
}

function readBody(
  res: http.IncomingMessage,
  maxBytes: number,
  signal: AbortSignal,
  target: URL,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err: unknown, value?: Buffer) => {
      if (done) return;
      done = true;
      signal.removeEventListener('abort', onAbort);
      if (err) {
        res.destroy();
        reject(err);
      } else resolve(value!);
    };
    const onAbort = () => finish(signal.reason);
    if (signal.aborted) {
      finish(signal.reason);
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    res.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > maxBytes) {
        finish(tooLarge(maxBytes, 'the download was stopped'));
        return;
      }
      chunks.push(chunk);
    });
    res.on('end', () => finish(null, Buffer.concat(chunks, size)));
    res.on('error', (e) => finish(e instanceof FeedError ? e : networkError(e, target)));
    res.on('close', () => {
      if (!res.complete) {
        finish(new FeedError('network', `the connection to ${target.host} closed before the feed was complete`));
      }
    });
  });
}

async function decompress(raw: Buffer, encodingHeader: string | undefined, maxBytes: number): Promise<Buffer> {
  let encoding = (encodingHeader ?? '').trim().toLowerCase();
  if (raw.length === 0) return raw; // "Content-Encoding: gzip" on an empty body
  if (encoding === '' || encoding === 'identity') {
    // A .xml.gz served without Content-Encoding still starts with the gzip magic.
    if (raw.length > 2 && raw[0] === 0x1f && raw[1] === 0x8b) encoding = 'gzip';
    else return raw;
  }
  const limit = { maxOutputLength: maxBytes };
  const run = (fn: (buf: Buffer, o: zlib.ZlibOptions, cb: (e: Error | null, r: Buffer) => void) => void) =>
    new Promise<Buffer>((resolve, reject) => fn(raw, limit, (e, r) => (e ? reject(e) : resolve(r))));
  try {
    switch (encoding) {
      case 'gzip':
      case 'x-gzip':
        return await run(zlib.gunzip);
      case 'deflate':
        // "deflate" should be zlib-wrapped; some servers send raw deflate.
        try {
          return await run(zlib.inflate);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw e;
          return await run(zlib.inflateRaw);
        }
      case 'br':
        return await new Promise<Buffer>((resolve, reject) =>
          zlib.brotliDecompress(raw, limit, (e, r) => (e ? reject(e) : resolve(r))),
        );
      default:
        throw new FeedError('network', `the server used a compression this poller cannot read (${clip(encoding, 40)})`);
    }
  } catch (e) {
    if (e instanceof FeedError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw tooLarge(maxBytes, `after ${encoding} decompression`);
    }
    throw new FeedError('network', `the server sent a corrupt ${encoding}-compressed body`, undefined, { cause: e });
  }
}

// ---- charset ----------------------------------------------------------------------------

/**
 * Bytes → text. Order: a BOM (it cannot lie), else the Content-Type charset, else the XML
 * declaration, else UTF-8. Refinements for real servers:
 * - header and XML declaration disagree: a header of iso-8859-1/us-ascii/windows-1252 (a
 *   common web-server default) loses to the declaration; any other header wins only if the
 *   bytes are valid in it and the declaration's encoding is not (nginx `charset utf-8;` in
 *   front of a GBK file);
 * - nothing declares a charset and the bytes are not valid UTF-8: GB18030 (a superset of
 *   GBK/GB2312, i.e. undeclared legacy Chinese feeds) if they are valid in it, else
 *   windows-1252. Valid UTF-8 is never affected.
 */
function decodeFeedBytes(buf: Buffer, contentType: string | undefined): string {
  const strict = (encoding: string): string | null => {
    try {
      return new TextDecoder(encoding, { fatal: true }).decode(buf);
    } catch {
      return null;
    }
  };
  const loose = (encoding: string) => new TextDecoder(encoding).decode(buf);

  const bom = sniffBom(buf);
  let text: string;
  if (bom) text = loose(bom);
  else {
    const usable = (label: string | null) => {
      const enc = supportedEncoding(label);
      // The bytes are ASCII-compatible here (no BOM, no "<\0?\0"), so "utf-16" is wrong.
      return enc && !enc.startsWith('utf-16') ? enc : null;
    };
    const header = usable(charsetParam(contentType));
    const declared = usable(xmlDeclEncoding(buf));
    if (header && declared && declared !== header) {
      text = header === 'windows-1252' ? loose(declared) : (strict(header) ?? strict(declared) ?? loose(header));
    } else if (header || declared) {
      text = loose((header ?? declared)!);
    } else {
      text = strict('utf-8') ?? strict('gb18030') ?? loose('windows-1252');
    }
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The encoding a byte-order mark (or UTF-16 "<?" without one) proves, else null. */
function sniffBom(buf: Buffer): string | null {
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return 'utf-8';
  if (buf[0] === 0xff && buf[1] === 0xfe) return 'utf-16le';
  if (buf[0] === 0xfe && buf[1] === 0xff) return 'utf-16be';
  if (buf[0] === 0x3c && buf[1] === 0 && buf[2] === 0x3f && buf[3] === 0) return 'utf-16le';
  if (buf[0] === 0 && buf[1] === 0x3c && buf[2] === 0 && buf[3] === 0x3f) return 'utf-16be';
  return null;
}

function supportedEncoding(label: string | null): string | null {
  if (!label) return null;
  try {
    return new TextDecoder(label.trim().toLowerCase()).encoding;
  } catch {
    return null;
  }
}

function charsetParam(contentType: string | undefined): string | null {
  const m = /;\s*charset\s*=\s*"?([^";,\s]+)"?/i.exec(contentType ?? '');
  return m ? m[1] : null;
}

function xmlDeclEncoding(buf: Buffer): string | null {
  const head = buf.subarray(0, 1024).toString('latin1');
  const m = /^\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']\s*([A-Za-z0-9._:-]+)\s*["']/.exec(head);
  return m ? m[1] : null;
}

// ---- helpers ----------------------------------------------------------------------------

function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    p.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function networkError(e: unknown, target: URL): FeedError {
  if (e instanceof FeedError) return e;
  const err = e as NodeJS.ErrnoException;
  const code = err?.code ?? '';
  const host = target.host;
  const msg = clip(String(err?.message ?? e), 160);
  let text: string;
  if (code === 'ECONNREFUSED') text = `could not connect to ${host}: connection refused`;
  else if (code === 'ENOTFOUND') text = `could not resolve the feed host ${target.hostname} (no such host)`;
  else if (code === 'EAI_AGAIN') text = `could not resolve the feed host ${target.hostname} (DNS server did not answer)`;
  else if (code === 'ECONNRESET' || code === 'EPIPE') text = `the connection to ${host} was reset before the feed was complete`;
  else if (code === 'ETIMEDOUT' || code === 'ENETUNREACH' || code === 'EHOSTUNREACH') {
    text = `could not reach ${host} (${code === 'ETIMEDOUT' ? 'connection timed out' : 'network unreachable'})`;
  } else if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL/.test(code)) {
    text = `the HTTPS certificate of ${host} was not accepted (${code}: ${msg})`;
  } else if (code.startsWith('HPE_')) text = `the server at ${host} sent a malformed HTTP response (${code})`;
  else if (code === 'ERR_INVALID_CHAR' || code === 'ERR_INVALID_HTTP_TOKEN') text = `invalid request header (${msg})`;
  else text = `network error talking to ${host}: ${msg}`;
  return new FeedError('network', text, undefined, { cause: e });
}

function tooLarge(maxBytes: number, detail: string): FeedError {
  return new FeedError('too_large', `too large: the feed is bigger than the ${formatBytes(maxBytes)} limit (${detail})`);
}

function headerValue(v: string | string[] | undefined): string | null {
  const s = Array.isArray(v) ? v[0] : v;
  return s && s.trim() ? s.trim() : null;
}

function isHeaderSafe(v: string): boolean {
  return /^[\t\x20-\x7e\x80-\xff]*$/.test(v);
}

function positiveOr(v: number | undefined, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fallback;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(n % 1024 === 0 ? 0 : 1)} KiB`;
  return `${n} bytes`;
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
