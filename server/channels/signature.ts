// The webhook signature: HMAC-SHA256 of the exact body bytes with the channel's secret, as `sha256=<hex>`.
// Receivers recompute it over the raw request body (before any JSON parsing) and compare in constant time.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-beacon-signature';

export function signBody(secret: string, body: string | Uint8Array): string {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return `sha256=${createHmac('sha256', secret).update(bytes).digest('hex')}`;
}

/** Whether a `sha256=<hex>` header matches the body; constant-time on the digest. */
export function verifySignature(secret: string, body: string | Uint8Array, header: string | null | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signBody(secret, body));
  const given = Buffer.from(header.trim().toLowerCase());
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A fresh channel secret: 32 random bytes, base64url (43 characters). */
export function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** What the console shows instead of a secret: its last four characters. */
export function secretHint(secret: string): string {
  return `…${secret.slice(-4)}`;
}
