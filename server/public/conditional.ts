// Conditional GET for the public site: a strong ETag from the bytes served, Last-Modified from the newest change
// shown, and the RFC 9110 rules for If-None-Match (weak comparison; it wins over If-Modified-Since).
import { createHash } from 'node:crypto';

export const PUBLIC_CACHE_CONTROL = 'public, max-age=60';

/** A strong validator: the same bytes always give the same tag, any change gives another. */
export function strongEtag(body: string): string {
  return `"${createHash('sha256').update(body, 'utf8').digest('base64url').slice(0, 32)}"`;
}

/** The HTTP-date of a moment (seconds precision, as HTTP carries it). */
export function httpDate(date: Date): string {
  return date.toUTCString();
}

const opaque = (tag: string) => tag.trim().replace(/^W\//, '');

/** Whether a GET with these request headers may be answered 304 Not Modified. */
export function isNotModified(
  req: { ifNoneMatch?: string | null; ifModifiedSince?: string | null },
  etag: string,
  lastModified: Date | null,
): boolean {
  if (req.ifNoneMatch != null && req.ifNoneMatch.trim() !== '') {
    const list = req.ifNoneMatch.trim();
    if (list === '*') return true;
    const mine = opaque(etag);
    return list.split(',').some((tag) => opaque(tag) === mine);
  }
  if (req.ifModifiedSince && lastModified) {
    const since = Date.parse(req.ifModifiedSince);
    if (Number.isNaN(since)) return false;
    return Math.floor(lastModified.getTime() / 1000) * 1000 <= since;
  }
  return false;
}
