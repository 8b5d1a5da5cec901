// SSRF guard: refused addresses, allowed public ones, and the connect-time re-check that
// closes the DNS-rebinding gap. No real DNS: lookups are injected.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeedError, fetchFeed } from '../../server/opinion/fetch/fetch-feed.ts';
import { assertFetchableUrl, createGuardedLookup } from '../../server/opinion/fetch/guard.ts';

const noDns = async (host: string): Promise<string[]> => {
  throw new Error(`test must not resolve ${host}`);
};
const resolvesTo =
  (...addresses: string[]) =>
  async () =>
    addresses;

async function refusal(p: Promise<unknown>): Promise<FeedError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(FeedError);
    return e as FeedError;
  }
  throw new Error('expected a refusal');
}

describe('assertFetchableUrl: literal addresses', () => {
  it.each([
    ['http://127.0.0.1/feed', /loopback/],
    ['http://127.8.9.10:8080/feed', /loopback/],
    ['http://10.0.0.1/feed', /private network/],
    ['http://172.16.5.4/feed', /private network/],
    ['http://172.31.255.255/feed', /private network/],
    ['http://192.168.1.1/feed', /private network/],
    ['http://169.254.169.254/latest/meta-data/', /link-local/],
    ['http://100.64.0.1/feed', /carrier-grade NAT/],
    ['http://100.127.255.254/feed', /carrier-grade NAT/],
    ['http://0.0.0.0/feed', /this network/],
    ['http://224.0.0.1/feed', /multicast/],
    ['http://255.255.255.255/feed', /broadcast/],
    ['http://[::1]/feed', /loopback/],
    ['http://[::]/feed', /unspecified/],
    ['http://[::ffff:127.0.0.1]/feed', /loopback.*IPv4-mapped/],
    ['http://[::ffff:10.1.2.3]/feed', /private network.*IPv4-mapped/],
    ['http://[::ffff:a9fe:a9fe]/feed', /link-local/], // 169.254.169.254 in hex
    ['http://[fe80::1]/feed', /link-local/],
    ['http://[fd12:3456::1]/feed', /unique-local/],
    ['http://[fc00::1]/feed', /unique-local/],
    ['http://[ff02::1]/feed', /multicast/],
    ['http://[64:ff9b::a00:1]/feed', /private network.*NAT64/],
    ['http://[2002:c0a8:101::1]/feed', /private network.*6to4/],
    // WHATWG URL normalises these spellings of 127.0.0.1 before we see them
    ['http://2130706433/feed', /loopback/],
    ['http://0x7f.1/feed', /loopback/],
    ['http://127.1/feed', /loopback/],
  ])('%s is refused', async (url, why) => {
    const err = await refusal(assertFetchableUrl(url, { allowPrivate: false, lookup: noDns }));
    expect(err.kind).toBe('refused');
    expect(err.message).toMatch(/^refused: /);
    expect(err.message).toMatch(why);
  });

  it.each([
    'http://93.184.216.34/rss',
    'https://8.8.8.8/feed',
    'http://172.32.0.1/', // just outside 172.16/12
    'http://100.128.0.1/', // just outside 100.64/10
    'http://[2001:4860:4860::8888]/feed',
    'http://[::ffff:8.8.8.8]/feed',
  ])('%s is allowed', async (url) => {
    const u = await assertFetchableUrl(url, { allowPrivate: false, lookup: noDns });
    expect(u.href).toBe(new URL(url).href);
  });

  it('everything private is allowed with allowPrivate (ALLOW_PRIVATE_FEEDS=1)', async () => {
    for (const url of ['http://127.0.0.1/', 'http://10.0.0.1/', 'http://[::1]/', 'http://169.254.169.254/']) {
      await expect(assertFetchableUrl(url, { allowPrivate: true, lookup: noDns })).resolves.toBeInstanceOf(URL);
    }
  });
});

describe('assertFetchableUrl: names, schemes, credentials', () => {
  it('a host name resolving to a private address is refused, naming the address', async () => {
    const err = await refusal(
      assertFetchableUrl('http://intranet.example.gov.cn/rss', { allowPrivate: false, lookup: resolvesTo('10.1.2.3') }),
    );
    expect(err.message).toBe(
      'refused: feed address intranet.example.gov.cn resolves to a private network (10.1.2.3); an administrator can allow intranet feeds with ALLOW_PRIVATE_FEEDS=1',
    );
  });

  it('one private address among public ones is enough to refuse', async () => {
    const err = await refusal(
      assertFetchableUrl('http://mixed.example/', {
        allowPrivate: false,
        lookup: resolvesTo('93.184.216.34', '2606:2800:220:1::1', '::1'),
      }),
    );
    expect(err.message).toMatch(/loopback.*\(::1\)/);
  });

  it('a host name resolving to public addresses is allowed', async () => {
    const u = await assertFetchableUrl('https://www.example.gov.cn/rss.xml', {
      allowPrivate: false,
      lookup: resolvesTo('93.184.216.34', '2606:2800:220:1::1'),
    });
    expect(u.hostname).toBe('www.example.gov.cn');
  });

  it('localhost is refused (through the lookup)', async () => {
    const err = await refusal(assertFetchableUrl('http://localhost:3000/', { allowPrivate: false, lookup: resolvesTo('127.0.0.1', '::1') }));
    expect(err.message).toMatch(/loopback/);
  });

  it.each([
    ['ftp://example.org/feed', /only http/],
    ['file:///etc/passwd', /only http/],
    ['gopher://example.org/', /only http/],
    ['javascript:alert(1)', /only http/],
    ['not a url', /not a valid web address/],
    ['http://user:secret@example.org/feed', /user name or password/],
    ['http://token@example.org/feed', /user name or password/],
  ])('%s is refused', async (url, why) => {
    const err = await refusal(assertFetchableUrl(url, { allowPrivate: true, lookup: resolvesTo('93.184.216.34') }));
    expect(err.kind).toBe('refused');
    expect(err.message).toMatch(why);
  });

  it('a name that does not resolve is a network error, not a refusal', async () => {
    const err = await refusal(assertFetchableUrl('http://nowhere.example/', { allowPrivate: false, lookup: resolvesTo() }));
    expect(err.kind).toBe('network');
    expect(err.message).toMatch(/could not resolve the feed host nowhere\.example/);
  });
});

describe('connect-time check (DNS rebinding)', () => {
  let server: http.Server;
  let port = 0;
  let connections = 0;
  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.end('<rss version="2.0"><channel><title>local</title></channel></rss>');
    });
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('a name that answers "public" to the check and "127.0.0.1" to the connection is refused, and never connected', async () => {
    const before = connections;
    let calls = 0;
    const rebinding = async () => (++calls === 1 ? ['93.184.216.34'] : ['127.0.0.1']);
    const err = await refusal(fetchFeed(`http://rebind.example:${port}/feed`, { allowPrivate: false, lookup: rebinding, timeoutMs: 3000 }));
    expect(err.kind).toBe('refused');
    expect(err.message).toMatch(/resolves to the loopback interface \(127\.0\.0\.1\) at connect time/);
    expect(calls).toBe(2); // once for the check, once by the socket
    expect(connections).toBe(before);
  });

  it('the connection really uses the guarded lookup (a name only it knows connects)', async () => {
    const r = await fetchFeed(`http://feeds.beacon.test:${port}/feed`, {
      allowPrivate: true,
      lookup: resolvesTo('127.0.0.1'),
    });
    expect(r.status).toBe('ok');
  });

  it('createGuardedLookup refuses through plain node:http too', async () => {
    const lookup = createGuardedLookup({ allowPrivate: false, lookup: resolvesTo('127.0.0.1') });
    const err = await new Promise<Error>((resolve, reject) => {
      const req = http.get({ host: 'sneaky.example', port, path: '/', lookup, agent: false }, () =>
        reject(new Error('connected')),
      );
      req.on('error', resolve);
    });
    expect(err).toBeInstanceOf(FeedError);
    expect((err as FeedError).kind).toBe('refused');
  });

  it('createGuardedLookup answers both callback shapes', async () => {
    const lookup = createGuardedLookup({ allowPrivate: false, lookup: resolvesTo('93.184.216.34', '2606:2800:220:1::1') });
    const all = await new Promise((resolve, reject) =>
      lookup('x.example', { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))),
    );
    expect(all).toEqual([
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800:220:1::1', family: 6 },
    ]);
    const one = await new Promise((resolve, reject) =>
      lookup('x.example', { family: 6 }, (err, address, family) => (err ? reject(err) : resolve([address, family]))),
    );
    expect(one).toEqual(['2606:2800:220:1::1', 6]);
  });
});
