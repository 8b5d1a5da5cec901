import { describe, expect, it } from 'vitest';
import { BACKOFF_JITTER, BACKOFF_STEPS_MS, backoffMs, MAX_ATTEMPTS, nominalBackoffMs } from '../../server/channels/backoff.ts';
import { describeFetchError, describeHttpStatus, describeTimeout } from '../../server/channels/describe.ts';
import { generateSecret, secretHint, signBody, verifySignature } from '../../server/channels/signature.ts';
import { createChannelSchema, patchChannelSchema } from '../../server/channels/schemas.ts';

describe('webhook signature', () => {
  // Vectors computed independently:
  //   printf '%s' '<body>' > body.json && openssl dgst -sha256 -hmac '<secret>' body.json
  it('matches openssl for a UTF-8 JSON body', () => {
    const body = '{"action":"published","title":"城东化工园区储罐爆炸"}';
    const expected = 'sha256=a1c29d656690d8f11f7bf60d7e5fc40bac3fb76be6451341ec74c3bfb850b934';
    expect(signBody('whsec_test_0123456789abcdef', body)).toBe(expected);
    expect(signBody('whsec_test_0123456789abcdef', Buffer.from(body, 'utf8'))).toBe(expected);
  });

  it('matches the well-known HMAC-SHA256 vector', () => {
    expect(signBody('key', 'The quick brown fox jumps over the lazy dog')).toBe(
      'sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
    );
  });

  it('verifies its own signature and refuses a wrong secret, a changed body or a missing header', () => {
    const sig = signBody('s3cret-s3cret-s3cret', '{"a":1}');
    expect(verifySignature('s3cret-s3cret-s3cret', '{"a":1}', sig)).toBe(true);
    expect(verifySignature('s3cret-s3cret-s3cret', '{"a":1}', sig.toUpperCase().replace('SHA256', 'sha256'))).toBe(true);
    expect(verifySignature('other-secret-other', '{"a":1}', sig)).toBe(false);
    expect(verifySignature('s3cret-s3cret-s3cret', '{"a": 1}', sig)).toBe(false);
    expect(verifySignature('s3cret-s3cret-s3cret', '{"a":1}', null)).toBe(false);
    expect(verifySignature('s3cret-s3cret-s3cret', '{"a":1}', 'sha256=00')).toBe(false);
  });

  it('generates long random secrets and shows only a hint', () => {
    const a = generateSecret();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generateSecret()).not.toBe(a);
    expect(secretHint(a)).toBe(`…${a.slice(-4)}`);
  });
});

describe('delivery backoff', () => {
  it('increases from 10 s to a 1 h ceiling and stays bounded', () => {
    const nominal = Array.from({ length: 12 }, (_, i) => nominalBackoffMs(i + 1));
    expect(nominal.slice(0, 6)).toEqual([10_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000]);
    for (let i = 1; i < nominal.length; i++) expect(nominal[i]).toBeGreaterThanOrEqual(nominal[i - 1]);
    expect(Math.max(...nominal)).toBe(3_600_000);
    expect(nominalBackoffMs(0)).toBe(10_000);
    expect(nominalBackoffMs(1000)).toBe(3_600_000);
  });

  it('jitter stays within [nominal × (1 − jitter), nominal] and uses the injected random', () => {
    for (let attempts = 1; attempts <= MAX_ATTEMPTS + 2; attempts++) {
      const nominal = nominalBackoffMs(attempts);
      expect(backoffMs(attempts, () => 0)).toBe(nominal);
      expect(backoffMs(attempts, () => 0.999999)).toBeCloseTo(nominal * (1 - BACKOFF_JITTER), -1);
      expect(backoffMs(attempts, () => 0.5)).toBe(Math.round(nominal * (1 - BACKOFF_JITTER / 2)));
      for (let k = 0; k < 50; k++) {
        const ms = backoffMs(attempts);
        expect(ms).toBeGreaterThanOrEqual(Math.floor(nominal * (1 - BACKOFF_JITTER)));
        expect(ms).toBeLessThanOrEqual(nominal);
      }
    }
    // Out-of-range randoms are clamped rather than trusted.
    expect(backoffMs(1, () => 7)).toBe(Math.round(10_000 * (1 - BACKOFF_JITTER)));
    expect(backoffMs(1, () => -1)).toBe(10_000);
  });

  it('steps do not overlap: every possible wait is longer than any earlier one (until the ceiling)', () => {
    for (let i = 1; i < BACKOFF_STEPS_MS.length; i++) {
      expect(BACKOFF_STEPS_MS[i] * (1 - BACKOFF_JITTER)).toBeGreaterThan(BACKOFF_STEPS_MS[i - 1]);
    }
  });
});

describe('delivery errors in words', () => {
  it('names timeouts, HTTP statuses and socket errors', () => {
    expect(describeTimeout(10_000)).toBe('timeout after 10 s');
    expect(describeTimeout(250)).toBe('timeout after 0.25 s');
    expect(describeHttpStatus(503)).toBe('HTTP 503');
    expect(describeHttpStatus(302)).toBe('HTTP 302 (redirect not followed)');
    expect(describeHttpStatus(401, '  invalid\n signature ')).toBe('HTTP 401: invalid signature');
    const refused = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    expect(describeFetchError(refused)).toBe('connection refused');
    const aggregate = Object.assign(new TypeError('fetch failed'), {
      cause: new AggregateError([Object.assign(new Error('x'), { code: 'ENOTFOUND' })]),
    });
    expect(describeFetchError(aggregate)).toBe('host not found');
    const tls = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('bad cert'), { code: 'CERT_HAS_EXPIRED' }) });
    expect(describeFetchError(tls)).toBe('TLS certificate error (CERT_HAS_EXPIRED)');
    expect(describeFetchError(new Error('odd'))).toBe('request failed: odd');
  });
});

describe('channel schemas', () => {
  it('accepts http(s) URLs and names the field otherwise', () => {
    expect(createChannelSchema.parse({ name: '微博网关', url: 'https://gw.example.cn/hook' })).toEqual({
      name: '微博网关',
      url: 'https://gw.example.cn/hook',
      enabled: true,
    });
    for (const url of ['ftp://gw.example.cn/', 'javascript:alert(1)', 'not a url', 'https://u:p@gw.example.cn/']) {
      const r = createChannelSchema.safeParse({ name: 'x', url });
      expect(r.success, url).toBe(false);
      expect(r.error!.issues[0].path).toEqual(['url']);
    }
    expect(createChannelSchema.safeParse({ name: 'x', url: 'https://a.cn/', secret: 'short' }).error!.issues[0].path).toEqual(['secret']);
    expect(patchChannelSchema.safeParse({ rotateSecret: true, secret: 'a-long-enough-secret' }).success).toBe(false);
    expect(patchChannelSchema.safeParse({ bogus: 1 }).success).toBe(false);
  });
});
