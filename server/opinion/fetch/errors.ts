// The one error type of the feed fetch/parse layer. `kind` is stable (the poller and the
// console key on it: a translation, a health badge, whether to back off); `message` is an
// English sentence a duty analyst can read on the source's health line, never a stack.
export type FeedErrorKind =
  | 'refused' // SSRF guard: bad scheme, credentials in the URL, private/loopback address
  | 'timeout' // the whole fetch (DNS, connect, redirects, body) took longer than timeoutMs
  | 'too_large' // body (on the wire or after decompression) above maxBytes
  | 'http' // non-2xx status
  | 'redirects' // more than maxRedirects hops, or a redirect without a usable Location
  | 'network' // DNS failure, connection refused/reset, TLS, corrupt compression
  | 'parse'; // not an RSS/Atom document

export class FeedError extends Error {
  override readonly name = 'FeedError';
  constructor(
    readonly kind: FeedErrorKind,
    message: string,
    /** HTTP status for kind 'http' (and the last status seen otherwise, when known). */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
