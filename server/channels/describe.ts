// Delivery failures in words, for `last_error` and the console's delivery log.

const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the receiver',
  UND_ERR_SOCKET: 'connection closed by the receiver',
  EPIPE: 'connection closed by the receiver',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed (temporary)',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

export function describeTimeout(timeoutMs: number): string {
  return `timeout after ${seconds(timeoutMs)}`;
}

/** An HTTP answer that is not a 2xx, with the receiver's short plain-text or JSON explanation when it gave one. */
export function describeHttpStatus(status: number, detail?: string): string {
  const base = status >= 300 && status < 400 ? `HTTP ${status} (redirect not followed)` : `HTTP ${status}`;
  const text = detail?.replace(/\s+/g, ' ').trim().slice(0, 200);
  return text ? `${base}: ${text}` : base;
}

function codeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; errors?: unknown[] };
  if (typeof e.code === 'string') return e.code;
  // Happy eyeballs: an AggregateError of one failure per address.
  if (Array.isArray(e.errors)) for (const inner of e.errors) if (codeOf(inner)) return codeOf(inner);
  return undefined;
}

/** A fetch() rejection (undici puts the socket error in `cause`) as a short phrase. */
export function describeFetchError(err: unknown): string {
  const cause = (err as { cause?: unknown })?.cause ?? err;
  const code = codeOf(cause) ?? codeOf(err);
  if (code && NETWORK_ERRORS[code]) return NETWORK_ERRORS[code];
  if (code && /CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) return `TLS certificate error (${code})`;
  const message = cause instanceof Error ? cause.message : err instanceof Error ? err.message : String(err);
  return `request failed: ${code ? `${code} ` : ''}${message}`.slice(0, 300);
}
