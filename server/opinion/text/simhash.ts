// 64-bit SimHash (Charikar) over tokens, for near-duplicate detection of reposts with small edits.
//
// Each distinct token is hashed with FNV-1a 64 over its UTF-8 bytes and weighted by its frequency in the document; bit
// i of the result is set when the weighted vote of all tokens' bit i is positive. Posts that share most of their
// tokens land within a few bits of each other; unrelated posts differ in ~32 bits. Feed it content tokens
// (contentTokens(segmenter.cut(text))) so function words don't dilute the vote.
//
// The hash is computed in four 16-bit limbs with ordinary numbers (no BigInt in the inner loop); only the final
// value is assembled as a bigint. Stable across processes, platforms and versions: stored fingerprints stay valid.

const FNV_PRIME_LO = 0x01b3; // 0x100000001b3 = 2^40 + 0x1b3
const FNV_PRIME_HI = 0x0100; // the 2^40 part lands as 0x100 in limb 2

/** FNV-1a 64 of the UTF-8 encoding of `s`, as [high 32 bits, low 32 bits] (unsigned). */
export function fnv1a64(s: string): [number, number] {
  // offset basis 0xcbf29ce484222325
  let h0 = 0x2325, h1 = 0x8422, h2 = 0x9ce4, h3 = 0xcbf2;
  const step = (byte: number) => {
    h0 ^= byte;
    const t0 = h0 * FNV_PRIME_LO;
    let t1 = h1 * FNV_PRIME_LO;
    let t2 = h2 * FNV_PRIME_LO + h0 * FNV_PRIME_HI;
    let t3 = h3 * FNV_PRIME_LO + h1 * FNV_PRIME_HI;
    t1 += t0 >>> 16;
    h0 = t0 & 0xffff;
    t2 += t1 >>> 16;
    h1 = t1 & 0xffff;
    t3 += t2 >>> 16;
    h2 = t2 & 0xffff;
    h3 = t3 & 0xffff;
  };
  for (let i = 0; i < s.length; i++) {
    let cp = s.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdfff) {
      const lo = cp <= 0xdbff && i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      } else {
        cp = 0xfffd; // lone surrogate: encoded as U+FFFD, like TextEncoder
      }
    }
    if (cp < 0x80) step(cp);
    else if (cp < 0x800) {
      step(0xc0 | (cp >> 6));
      step(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      step(0xe0 | (cp >> 12));
      step(0x80 | ((cp >> 6) & 0x3f));
      step(0x80 | (cp & 0x3f));
    } else {
      step(0xf0 | (cp >> 18));
      step(0x80 | ((cp >> 12) & 0x3f));
      step(0x80 | ((cp >> 6) & 0x3f));
      step(0x80 | (cp & 0x3f));
    }
  }
  return [((h3 << 16) | h2) >>> 0, ((h1 << 16) | h0) >>> 0];
}

const votes = new Float64Array(64);

/**
 * The 64-bit SimHash of a token list, each distinct token weighted by how often it occurs. An empty list gives 0n.
 */
export function simhash64(tokens: readonly string[]): bigint {
  if (tokens.length === 0) return 0n;
  const tf = new Map<string, number>();
  for (const t of tokens) tf.set(t, (tf.get(t) ?? 0) + 1);
  votes.fill(0);
  for (const [token, weight] of tf) {
    const [hi, lo] = fnv1a64(token);
    for (let bit = 0; bit < 32; bit++) {
      votes[bit] += lo & (1 << bit) ? weight : -weight;
      votes[bit + 32] += hi & (1 << bit) ? weight : -weight;
    }
  }
  let lo = 0;
  let hi = 0;
  for (let bit = 0; bit < 32; bit++) {
    if (votes[bit] > 0) lo |= 1 << bit;
    if (votes[bit + 32] > 0) hi |= 1 << bit;
  }
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

const MASK64 = (1n << 64n) - 1n;

/** Number of differing bits between two 64-bit fingerprints (0–64). */
export function hammingDistance(a: bigint, b: bigint): number {
  const x = (a ^ b) & MASK64;
  return popcount32(Number(x & 0xffffffffn)) + popcount32(Number(x >> 32n));
}

/** 16 lowercase hex characters, zero-padded: the storage form (fits a text column; sorts and compares as text). */
export function simhashToHex(h: bigint): string {
  return (h & MASK64).toString(16).padStart(16, '0');
}

/** Inverse of simhashToHex. Throws on anything but 1–16 hex digits. */
export function fromHex(hex: string): bigint {
  if (!/^[0-9a-fA-F]{1,16}$/.test(hex)) throw new Error(`not a 64-bit hex fingerprint: ${JSON.stringify(hex)}`);
  return BigInt('0x' + hex);
}

/**
 * The fingerprint cut into four 16-bit bands (as numbers 0–65535). Two fingerprints within Hamming distance 3 share at
 * least one band exactly (pigeonhole), so an index on the bands finds near-duplicate candidates without a full scan:
 * look up rows equal in any band, then check hammingDistance.
 */
export function simhashBands(h: bigint): [number, number, number, number] {
  const x = h & MASK64;
  return [Number((x >> 48n) & 0xffffn), Number((x >> 32n) & 0xffffn), Number((x >> 16n) & 0xffffn), Number(x & 0xffffn)];
}
