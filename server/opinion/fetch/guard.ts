// SSRF guard for feed URLs (DESIGN §7): only http/https, no credentials, and no address on
// loopback, private, link-local, CGNAT, unique-local, multicast or reserved networks unless
// ALLOW_PRIVATE_FEEDS is set.
//
// Checking the URL once is not enough: the HTTP client resolves the name again when it
// connects, and a hostile DNS server can answer "public" to the check and "127.0.0.1" to the
// connection (DNS rebinding). `createGuardedLookup` closes that gap: fetch-feed passes it as
// the `lookup` of every request, so the addresses the socket actually connects to are the
// ones that were checked, at connect time.
import { promises as dnsPromises, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { FeedError } from './errors.ts';

export { FeedError } from './errors.ts';

/** Resolve a host name to all its addresses (injectable so tests need no DNS). */
export type HostLookup = (host: string) => Promise<string[]>;

export interface GuardOptions {
  allowPrivate: boolean;
  lookup?: HostLookup;
}

const HINT = '; an administrator can allow intranet feeds with ALLOW_PRIVATE_FEEDS=1';

/**
 * Check that `url` may be fetched and return it parsed. Throws FeedError kind 'refused'
 * (bad scheme, credentials, private address) or 'network' (the name does not resolve).
 */
export async function assertFetchableUrl(url: string, opts: GuardOptions): Promise<URL> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new FeedError('refused', `refused: "${clip(url, 120)}" is not a valid web address`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new FeedError(
      'refused',
      `refused: only http:// and https:// feed addresses are allowed, not ${u.protocol}//`,
    );
  }
  if (u.username !== '' || u.password !== '') {
    throw new FeedError(
      'refused',
      'refused: the feed address contains a user name or password; remove them from the URL',
    );
  }
  const host = bareHost(u.hostname);
  if (host === '') throw new FeedError('refused', `refused: the feed address has no host name`);
  if (opts.allowPrivate) return u;

  if (isIP(host) !== 0) {
    const why = classifyAddress(host);
    if (why) throw new FeedError('refused', `refused: the feed address ${host} is ${why}${HINT}`);
    return u;
  }
  const addresses = await resolveAll(host, opts.lookup);
  for (const address of addresses) {
    const why = classifyAddress(address);
    if (why) {
      throw new FeedError('refused', `refused: feed address ${host} resolves to ${why} (${address})${HINT}`);
    }
  }
  return u;
}

/**
 * A `lookup` for node:http / node:https / net.connect that resolves like dns.lookup (or with
 * the injected lookup) and refuses private addresses at connect time, unless allowPrivate.
 * Supports both callback shapes (`all: true` for happy-eyeballs, and single address).
 */
export function createGuardedLookup(opts: GuardOptions): LookupFunction {
  return (hostname, options, callback) => {
    const wanted = familyNumber(options.family);
    const resolved: Promise<LookupAddress[]> = opts.lookup
      ? opts.lookup(hostname).then((list) =>
          list.map((address) => ({ address: bareHost(address), family: isIP(bareHost(address)) })),
        )
      : dnsPromises.lookup(hostname, { all: true, family: wanted, hints: options.hints });
    resolved.then(
      (all) => {
        const list = all.filter((a) => a.family !== 0 && (wanted === 0 || a.family === wanted));
        if (list.length === 0) {
          const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
            code: 'ENOTFOUND',
            hostname,
          });
          process.nextTick(callback, err, '', 0);
          return;
        }
        if (!opts.allowPrivate) {
          for (const a of list) {
            const why = classifyAddress(a.address);
            if (why) {
              const err = new FeedError(
                'refused',
                `refused: feed address ${hostname} resolves to ${why} (${a.address}) at connect time${HINT}`,
              );
              process.nextTick(callback, err as NodeJS.ErrnoException, '', 0);
              return;
            }
          }
        }
        if (options.all) process.nextTick(callback, null, list);
        else process.nextTick(callback, null, list[0].address, list[0].family);
      },
      (err: NodeJS.ErrnoException) => process.nextTick(callback, err, '', 0),
    );
  };
}

async function resolveAll(host: string, lookup: HostLookup | undefined): Promise<string[]> {
  let list: string[];
  try {
    list = lookup
      ? await lookup(host)
      : (await dnsPromises.lookup(host, { all: true })).map((a) => a.address);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException)?.code;
    const detail = code === 'ENOTFOUND' ? 'no such host' : code === 'EAI_AGAIN' ? 'DNS server did not answer' : (code ?? String((e as Error)?.message ?? e));
    throw new FeedError('network', `could not resolve the feed host ${host} (${detail})`, undefined, { cause: e });
  }
  const addresses = list.map(bareHost).filter((a) => isIP(a) !== 0);
  if (addresses.length === 0) {
    throw new FeedError('network', `could not resolve the feed host ${host} (no addresses)`);
  }
  return addresses;
}

function familyNumber(f: unknown): 0 | 4 | 6 {
  if (f === 4 || f === 'IPv4') return 4;
  if (f === 6 || f === 'IPv6') return 6;
  return 0;
}

/** "[::1]" → "::1", "fe80::1%eth0" → "fe80::1". */
function bareHost(h: string): string {
  let s = h.trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const pct = s.indexOf('%');
  if (pct >= 0 && s.includes(':')) s = s.slice(0, pct);
  return s;
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

/** Why an address may not be fetched, or null if it is a public unicast address. */
function classifyAddress(address: string): string | null {
  const family = isIP(address);
  if (family === 4) return classifyV4(parseV4(address));
  if (family === 6) {
    const w = parseV6(address);
    if (!w) return 'not a valid address';
    return classifyV6(w);
  }
  return 'not an IP address';
}

function parseV4(s: string): [number, number, number, number] {
  const p = s.split('.').map(Number);
  return [p[0], p[1], p[2], p[3]];
}

function classifyV4([a, b, c]: [number, number, number, number]): string | null {
  if (a === 0) return 'the "this network" block 0.0.0.0/8';
  if (a === 127) return 'the loopback interface';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) {
    return 'a private network';
  }
  if (a === 169 && b === 254) return 'a link-local address (cloud metadata lives here)';
  if (a === 100 && b >= 64 && b <= 127) return 'carrier-grade NAT shared address space';
  if (a === 192 && b === 0 && c === 0) return 'a reserved protocol address block';
  if (a === 198 && (b === 18 || b === 19)) return 'a reserved benchmarking network';
  if (a >= 224 && a <= 239) return 'a multicast address';
  if (a >= 240) return 'a reserved or broadcast address';
  return null;
}

/** Eight 16-bit words, or null. Accepts "::" compression and a trailing dotted quad. */
function parseV6(s: string): number[] | null {
  let text = s.toLowerCase();
  const lastColon = text.lastIndexOf(':');
  const quad = text.slice(lastColon + 1);
  if (quad.includes('.')) {
    if (isIP(quad) !== 4) return null;
    const q = parseV4(quad);
    text = `${text.slice(0, lastColon + 1)}${((q[0] << 8) | q[1]).toString(16)}:${((q[2] << 8) | q[3]).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const words = (parts: string[]) => parts.map((p) => parseInt(p, 16));
  const h = words(head);
  const r = words(rest);
  const fill = halves.length === 2 ? 8 - h.length - r.length : 0;
  if (fill < 0) return null;
  const all = [...h, ...new Array<number>(fill).fill(0), ...r];
  return all.length === 8 && all.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff) ? all : null;
}

function v4From(hi: number, lo: number): [number, number, number, number] {
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff];
}

function classifyV6(w: number[]): string | null {
  const zeroUpTo = (n: number) => w.slice(0, n).every((x) => x === 0);
  if (zeroUpTo(8)) return 'the unspecified address ::';
  if (zeroUpTo(7) && w[7] === 1) return 'the loopback interface';
  // IPv4-mapped ::ffff:a.b.c.d and the deprecated IPv4-compatible ::a.b.c.d
  if (zeroUpTo(5) && w[5] === 0xffff) return withV4(classifyV4(v4From(w[6], w[7])), 'IPv4-mapped');
  if (zeroUpTo(6)) return withV4(classifyV4(v4From(w[6], w[7])), 'IPv4-compatible');
  // NAT64 well-known prefix 64:ff9b::/96 and 6to4 2002::/16 carry an IPv4 address
  if (w[0] === 0x64 && w[1] === 0xff9b && w.slice(2, 6).every((x) => x === 0)) {
    return withV4(classifyV4(v4From(w[6], w[7])), 'NAT64');
  }
  if (w[0] === 0x2002) return withV4(classifyV4(v4From(w[1], w[2])), '6to4');
  if ((w[0] & 0xffc0) === 0xfe80) return 'a link-local address';
  if ((w[0] & 0xffc0) === 0xfec0) return 'a site-local address';
  if ((w[0] & 0xfe00) === 0xfc00) return 'an IPv6 unique-local (private) network';
  if ((w[0] & 0xff00) === 0xff00) return 'a multicast address';
  return null;
}

function withV4(why: string | null, how: string): string | null {
  return why ? `${why} (${how} IPv6)` : null;
}
