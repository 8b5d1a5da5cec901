// Every redirect hop goes through the SSRF guard. A test server can only live on loopback,
// so this file wraps the real guard to treat exactly that server's origin as "public" and
// delegates everything else to the real rules: a redirect from it to a private address must
// be refused with allowPrivate false.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const pretend = vi.hoisted(() => ({ publicOrigin: '', checked: [] as string[] }));

vi.mock('../../server/opinion/fetch/guard.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../server/opinion/fetch/guard.ts')>();
  return {
    ...real,
    assertFetchableUrl: async (url: string, opts: Parameters<typeof real.assertFetchableUrl>[1]) => {
      pretend.checked.push(url);
      const u = new URL(url);
      if (u.origin === pretend.publicOrigin) return u;
      return real.assertFetchableUrl(url, opts);
    },
  };
});

const { FeedError, fetchFeed } = await import('../../server/opinion/fetch/fetch-feed.ts');

let server: http.Server;
let requests = 0;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests++;
    const target = new URL(req.url ?? '/', 'http://x').searchParams.get('to');
    if (target) res.writeHead(302, { location: target }).end();
    else res.writeHead(200, { 'content-type': 'application/rss+xml' }).end('<rss version="2.0"><channel/></rss>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  pretend.publicOrigin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('redirect from an allowed host to a private one', () => {
  it.each([
    ['http://10.0.0.1/feed', /private network \(|is a private network/],
    ['http://169.254.169.254/latest/meta-data/', /link-local/],
    ['http://[::1]:8080/', /loopback/],
    ['http://localhost.beacon.test/', /loopback/], // a name, resolved by the injected lookup
  ])('→ %s is refused', async (target, why) => {
    const before = requests;
    pretend.checked.length = 0;
    const start = `${pretend.publicOrigin}/feed?to=${encodeURIComponent(target)}`;
    const err = await fetchFeed(start, {
      allowPrivate: false,
      timeoutMs: 3000,
      lookup: async (host) => (host === 'localhost.beacon.test' ? ['127.0.0.1'] : ['93.184.216.34']),
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FeedError);
    expect((err as InstanceType<typeof FeedError>).kind).toBe('refused');
    expect((err as Error).message).toMatch(why);
    expect(pretend.checked).toEqual([start, new URL(target).href]);
    expect(requests - before).toBe(1); // the private hop was never requested
  });

  it('the same chain with allowPrivate (ALLOW_PRIVATE_FEEDS=1) follows to the end', async () => {
    const r = await fetchFeed(`${pretend.publicOrigin}/a?to=${encodeURIComponent(`${pretend.publicOrigin}/feed`)}`, {
      allowPrivate: true,
    });
    expect(r.status).toBe('ok');
  });
});
