// fetchFeed against real local HTTP servers: conditional GET, timeouts that really close the
// socket, size caps (plain and decompressed), redirects, HTTP and network errors, garbage.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { FeedError, fetchFeed } from '../../server/opinion/fetch/fetch-feed.ts';
import { parseFeed } from '../../server/opinion/fetch/parse-feed.ts';

interface TestServer {
  url: string;
  requests: http.IncomingMessage[];
  /** Resolves when every socket the server accepted so far has closed. */
  allSocketsClosed(): Promise<void>;
  sockets: Set<Socket>;
  close(): Promise<void>;
}

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handler: http.RequestListener): Promise<TestServer> {
  const requests: http.IncomingMessage[] = [];
  const sockets = new Set<Socket>();
  const closed: Promise<void>[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    closed.push(new Promise((r) => socket.once('close', () => r())));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const s: TestServer = {
    url: `http://127.0.0.1:${port}`,
    requests,
    sockets,
    allSocketsClosed: () => Promise.all(closed).then(() => undefined),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  servers.push(s);
  return s;
}

const FEED = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Test feed</title>
<item><title>One</title><link>http://example.org/1</link><guid>g1</guid></item>
</channel></rss>`;

async function feedError(p: Promise<unknown>): Promise<FeedError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(FeedError);
    return e as FeedError;
  }
  throw new Error('expected a FeedError, got success');
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<T>((_, reject) => {
      t = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
    }),
  ]);
}

/** A readable message: one line, no stack frames, no "[object". */
function expectReadable(message: string) {
  expect(message.length).toBeGreaterThan(10);
  expect(message.length).toBeLessThan(300);
  expect(message).not.toMatch(/\n|\(\S+:\d+:\d+\)|\[object|undefined/);
}

describe('fetchFeed: conditional GET', () => {
  it('returns ok with validators, then not_modified when If-None-Match matches', async () => {
    const srv = await serve((req, res) => {
      if (req.headers['if-none-match'] === '"v1"') {
        res.writeHead(304, { etag: '"v1"' }).end();
        return;
      }
      res.writeHead(200, {
        'content-type': 'application/rss+xml',
        etag: '"v1"',
        'last-modified': 'Sat, 01 Jun 2024 10:00:00 GMT',
      });
      res.end(FEED);
    });
    const first = await fetchFeed(`${srv.url}/feed`, { allowPrivate: true });
    expect(first.status).toBe('ok');
    if (first.status !== 'ok') return;
    expect(first.etag).toBe('"v1"');
    expect(first.lastModified).toBe('Sat, 01 Jun 2024 10:00:00 GMT');
    expect(first.finalUrl).toBe(`${srv.url}/feed`);
    expect(first.bytes).toBe(Buffer.byteLength(FEED));
    expect((await parseFeed(first.text)).items[0].title).toBe('One');

    const second = await fetchFeed(`${srv.url}/feed`, {
      allowPrivate: true,
      etag: first.etag,
      lastModified: first.lastModified,
    });
    expect(second).toEqual({ status: 'not_modified' });
    expect(srv.requests[1].headers['if-none-match']).toBe('"v1"');
    expect(srv.requests[1].headers['if-modified-since']).toBe('Sat, 01 Jun 2024 10:00:00 GMT');
  });

  it('sends If-Modified-Since and honours 304 on it; no validators when none are known', async () => {
    const srv = await serve((req, res) => {
      if (req.headers['if-modified-since'] === 'Sat, 01 Jun 2024 10:00:00 GMT') {
        res.writeHead(304).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/xml' }).end(FEED);
    });
    expect(await fetchFeed(srv.url, { allowPrivate: true, lastModified: 'Sat, 01 Jun 2024 10:00:00 GMT' })).toEqual({
      status: 'not_modified',
    });
    const plain = await fetchFeed(srv.url, { allowPrivate: true, etag: null, lastModified: null });
    expect(plain.status).toBe('ok');
    expect(srv.requests[1].headers['if-none-match']).toBeUndefined();
    expect(srv.requests[1].headers['if-modified-since']).toBeUndefined();
    expect(srv.requests[1].headers['user-agent']).toMatch(/Beacon/);
    expect(srv.requests[1].headers['accept-encoding']).toMatch(/gzip/);
  });
});

describe('fetchFeed: timeouts close the connection', () => {
  it('a server that accepts and never answers → timeout within timeoutMs, socket closed', async () => {
    const srv = await serve(() => {
      /* never respond */
    });
    const started = Date.now();
    const err = await feedError(fetchFeed(`${srv.url}/hang`, { allowPrivate: true, timeoutMs: 400 }));
    const elapsed = Date.now() - started;
    expect(err.kind).toBe('timeout');
    expectReadable(err.message);
    expect(err.message).toMatch(/0\.4 s/);
    expect(elapsed).toBeGreaterThanOrEqual(390);
    expect(elapsed).toBeLessThan(400 + 400);
    expect(srv.sockets.size).toBe(1);
    await within(srv.allSocketsClosed(), 1000, 'server-side socket close');
  });

  it('a server that trickles bytes forever → timeout (total, not idle), socket closed', async () => {
    let timer: NodeJS.Timeout | undefined;
    const srv = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.write('<?xml version="1.0"?><rss version="2.0"><channel>');
      timer = setInterval(() => res.write(' '), 20);
      res.on('close', () => clearInterval(timer));
    });
    const started = Date.now();
    const err = await feedError(fetchFeed(srv.url, { allowPrivate: true, timeoutMs: 500 }));
    expect(err.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(500 + 400);
    await within(srv.allSocketsClosed(), 1000, 'server-side socket close');
    clearInterval(timer);
  });

  it('the deadline covers the redirect chain as a whole', async () => {
    let n = 0;
    const srv = await serve((_req, res) => {
      n++;
      setTimeout(() => res.writeHead(302, { location: `/hop${n}` }).end(), 150);
    });
    const err = await feedError(fetchFeed(srv.url, { allowPrivate: true, timeoutMs: 400 }));
    expect(err.kind).toBe('timeout');
    expect(n).toBeLessThanOrEqual(3);
  });
});

describe('fetchFeed: size caps', () => {
  it('a 10 MB body with the default 5 MiB cap → too_large, the server sees the connection closed', async () => {
    let written = 0;
    const total = 10 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const srv = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      const pump = () => {
        while (written < total && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        if (written >= total) res.end();
      };
      pump();
    });
    const err = await feedError(fetchFeed(srv.url, { allowPrivate: true }));
    expect(err.kind).toBe('too_large');
    expect(err.message).toMatch(/5 MiB/);
    expectReadable(err.message);
    await within(srv.allSocketsClosed(), 2000, 'server-side socket close');
  });

  it('an endless body stops being read at the cap (the server is cut off early)', async () => {
    let written = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const srv = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      const pump = () => {
        while (!res.destroyed && written < 1024 * 1024 * 1024) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
      };
      res.on('close', () => {});
      pump();
    });
    const err = await feedError(fetchFeed(srv.url, { allowPrivate: true, maxBytes: 256 * 1024 }));
    expect(err.kind).toBe('too_large');
    await within(srv.allSocketsClosed(), 2000, 'server-side socket close');
    // The kernel buffers some megabytes at most; a client reading to the end would need 1 GiB.
    expect(written).toBeLessThan(128 * 1024 * 1024);
    console.log(`endless body: server managed to write ${(written / 1024 / 1024).toFixed(1)} MiB before being cut off`);
  });

  it('a Content-Length above the cap is refused before reading the body', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-length': String(10 * 1024 * 1024) });
      res.write('<rss>'); // and then nothing: only the header can have caused the error
    });
    const started = Date.now();
    const err = await feedError(fetchFeed(srv.url, { allowPrivate: true, timeoutMs: 5000 }));
    expect(err.kind).toBe('too_large');
    expect(err.message).toMatch(/announced 10 MiB/);
    expect(Date.now() - started).toBeLessThan(2000);
    await within(srv.allSocketsClosed(), 1000, 'server-side socket close');
  });

  it.each([
    ['gzip', (b: Buffer) => zlib.gzipSync(b)],
    ['br', (b: Buffer) => zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } })],
    ['deflate', (b: Buffer) => zlib.deflateSync(b)],
  ])('a %s bomb (64 MiB of zeros, tiny on the wire) → too_large after decompression', async (enc, compress) => {
    const bomb = compress(Buffer.alloc(64 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const srv = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': enc }).end(bomb);
    });
    const err = await feedError(fetchFeed(srv.url, { allowPrivate: true, maxBytes: 1024 * 1024 }));
    expect(err.kind).toBe('too_large');
    expect(err.message).toContain(`after ${enc} decompression`);
  });

  it.each([
    ['gzip', (b: Buffer) => zlib.gzipSync(b)],
    ['br', (b: Buffer) => zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } })],
    ['deflate', (b: Buffer) => zlib.deflateSync(b)],
    ['deflate', (b: Buffer) => zlib.deflateRawSync(b)], // raw deflate, as some servers send
  ])('decodes Content-Encoding %s', async (enc, compress) => {
    const body = compress(Buffer.from(FEED));
    const srv = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': enc }).end(body);
    });
    const r = await fetchFeed(srv.url, { allowPrivate: true });
    expect(r.status).toBe('ok');
    if (r.status !== 'ok') return;
    expect(r.text).toBe(FEED);
    expect(r.bytes).toBe(body.length);
  });

  it('a corrupt gzip body is a readable network error', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip' }).end(Buffer.from('definitely not gzip'));
    });
    const err = await feedError(fetchFeed(srv.url, { allowPrivate: true }));
    expect(err.kind).toBe('network');
    expect(err.message).toBe('the server sent a corrupt gzip-compressed body');
  });
});

describe('fetchFeed: redirects', () => {
  it('follows a relative redirect chain and reports the final URL', async () => {
    const srv = await serve((req, res) => {
      if (req.url === '/a') res.writeHead(301, { location: '/b' }).end();
      else if (req.url === '/b') res.writeHead(307, { location: `${srv.url}/feed.xml` }).end();
      else res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(FEED);
    });
    const r = await fetchFeed(`${srv.url}/a`, { allowPrivate: true });
    expect(r.status).toBe('ok');
    if (r.status === 'ok') expect(r.finalUrl).toBe(`${srv.url}/feed.xml`);
  });

  it('a redirect loop → FeedError redirects after 5 hops (6 requests)', async () => {
    const srv = await serve((_req, res) => res.writeHead(302, { location: '/loop' }).end());
    const err = await feedError(fetchFeed(`${srv.url}/loop`, { allowPrivate: true }));
    expect(err.kind).toBe('redirects');
    expectReadable(err.message);
    expect(err.message).toMatch(/gave up after 5/);
    expect(srv.requests.length).toBe(6);
  });

  it('maxRedirects is honoured', async () => {
    const srv = await serve((_req, res) => res.writeHead(302, { location: '/again' }).end());
    const err = await feedError(fetchFeed(srv.url, { allowPrivate: true, maxRedirects: 1 }));
    expect(err.kind).toBe('redirects');
    expect(srv.requests.length).toBe(2);
  });

  it('a redirect to a non-http scheme is refused', async () => {
    const srv = await serve((_req, res) => res.writeHead(302, { location: 'file:///etc/passwd' }).end());
    const err = await feedError(fetchFeed(srv.url, { allowPrivate: true }));
    expect(err.kind).toBe('refused');
    expect(err.message).toMatch(/only http/);
  });

  it('a redirect without Location is an HTTP error', async () => {
    const srv = await serve((_req, res) => res.writeHead(302).end());
    const err = await feedError(fetchFeed(srv.url, { allowPrivate: true }));
    expect(err.kind).toBe('http');
    expect(err.status).toBe(302);
  });
});

describe('fetchFeed: errors a duty analyst can read', () => {
  it.each([
    [503, 'HTTP 503 Service Unavailable'],
    [404, 'HTTP 404 Not Found'],
    [403, 'HTTP 403 Forbidden'],
  ])('HTTP %i', async (status, message) => {
    const srv = await serve((_req, res) => res.writeHead(status).end('<html>nope</html>'));
    const err = await feedError(fetchFeed(srv.url, { allowPrivate: true }));
    expect(err.kind).toBe('http');
    expect(err.status).toBe(status);
    expect(err.message).toBe(message);
  });

  it('connection refused', async () => {
    const srv = await serve(() => {});
    const port = new URL(srv.url).port;
    await srv.close();
    const err = await feedError(fetchFeed(`http://127.0.0.1:${port}/`, { allowPrivate: true }));
    expect(err.kind).toBe('network');
    expect(err.message).toBe(`could not connect to 127.0.0.1:${port}: connection refused`);
  });

  it('the server drops the connection mid-body', async () => {
    const srv = await serve((req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('<rss version="2.0">');
      setTimeout(() => req.socket.destroy(), 20);
    });
    const err = await feedError(fetchFeed(srv.url, { allowPrivate: true }));
    expect(err.kind).toBe('network');
    expectReadable(err.message);
  });

  it('a host that does not resolve (injected lookup) is a network error naming the host', async () => {
    const err = await feedError(
      fetchFeed('http://no-such-feed.invalid/rss', {
        allowPrivate: false,
        lookup: async () => {
          throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
        },
      }),
    );
    expect(err.kind).toBe('network');
    expect(err.message).toBe('could not resolve the feed host no-such-feed.invalid (no such host)');
  });
});

describe('garbage from the server → parse error with a readable message', () => {
  function seeded(seed: number) {
    let s = seed >>> 0;
    return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) & 0xff);
  }
  const next = seeded(42);
  const random = Buffer.from(Array.from({ length: 4096 }, next));
  const cases: [string, Buffer | string, string, RegExp][] = [
    ['random binary', random, 'application/octet-stream', /binary data/],
    [
      'an HTML page',
      '<!DOCTYPE html><html><head><title>请登录 - 统一身份认证</title></head><body><p>Login</p></body></html>',
      'text/html; charset=utf-8',
      /HTML web page \("请登录 - 统一身份认证"\)/,
    ],
    ['truncated XML', FEED.slice(0, 120), 'application/rss+xml', /ends before it is complete/],
    ['JSON', '{"items":[]}', 'application/json', /not XML/],
    ['XML that is not a feed', '<?xml version="1.0"?><config><a>1</a></config>', 'text/xml', /root element is <config>/],
    ['empty body', '', 'application/rss+xml', /empty/],
  ];
  it.each(cases)('%s', async (_name, body, type, pattern) => {
    const srv = await serve((_req, res) => res.writeHead(200, { 'content-type': type }).end(body));
    const r = await fetchFeed(srv.url, { allowPrivate: true });
    expect(r.status).toBe('ok');
    if (r.status !== 'ok') return;
    const err = await feedError(parseFeed(r.text));
    expect(err.kind).toBe('parse');
    expectReadable(err.message);
    expect(err.message).toMatch(pattern);
  });
});

describe('fetchFeed: HTTPS', () => {
  it('a TLS server that accepts TCP and never answers the handshake → timeout, socket closed', async () => {
    const sockets: Socket[] = [];
    const closed: Promise<void>[] = [];
    const raw = net.createServer((socket) => {
      socket.resume(); // read (and ignore) the ClientHello, so the client's close is seen
      sockets.push(socket);
      closed.push(new Promise((r) => socket.once('close', () => r())));
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    const { port } = raw.address() as AddressInfo;
    try {
      const err = await feedError(fetchFeed(`https://127.0.0.1:${port}/feed`, { allowPrivate: true, timeoutMs: 400 }));
      expect(err.kind).toBe('timeout');
      expect(sockets.length).toBe(1);
      await within(Promise.all(closed), 1000, 'server-side socket close');
    } finally {
      for (const so of sockets) so.destroy();
      await new Promise((r) => raw.close(r));
    }
  });

  let openssl = true;
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
  } catch {
    openssl = false;
  }
  it.skipIf(!openssl)('a self-signed certificate is refused with a readable message; SNI carries the feed host name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'beacon-tls-'));
    try {
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
          '-days', '1', '-subj', '/CN=feeds.beacon.test'],
        { stdio: 'ignore' },
      );
      const servernames: string[] = [];
      const srv = https.createServer(
        {
          key: readFileSync(join(dir, 'key.pem')),
          cert: readFileSync(join(dir, 'cert.pem')),
          SNICallback: (name, cb) => {
            servernames.push(name);
            cb(null, undefined); // the default context
          },
        },
        (_req, res) => res.end(FEED),
      );
      srv.on('tlsClientError', () => {});
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
      const { port } = srv.address() as AddressInfo;
      try {
        const err = await feedError(
          fetchFeed(`https://feeds.beacon.test:${port}/rss`, { allowPrivate: true, lookup: async () => ['127.0.0.1'] }),
        );
        expect(err.kind).toBe('network');
        expect(servernames).toEqual(['feeds.beacon.test']);
        expect(err.message).toMatch(new RegExp(`^the HTTPS certificate of feeds\\.beacon\\.test:${port} was not accepted \\(DEPTH_ZERO_SELF_SIGNED_CERT`));
      } finally {
        srv.closeAllConnections();
        await new Promise((r) => srv.close(r));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
