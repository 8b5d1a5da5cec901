// Sign-in throttling over real HTTP from distinct loopback addresses: 5 failures lock a login (from anywhere) and an
// address (for any login) for 15 minutes with a readable 429; other logins from other addresses are unaffected;
// case, spaces and X-Forwarded-For do not open a way around it; the lock lifts after exactly the window.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbKind, PASSWORD, startHarness, type Harness } from '../support/harness.ts';

let h: Harness;
let port: number;

beforeAll(async () => {
  h = await startHarness({ start: '2026-11-22T03:00:00Z' });
  port = Number(new URL(await h.beacon.listen(0)).port);
});
afterAll(() => h?.close());

let nextHost = 10;
/** A loopback source address of its own (Linux routes all of 127/8 to lo). */
const freshAddress = () => `127.0.0.${nextHost++}`;

function signIn(login: string, password: string, from: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, localAddress: from, path: '/api/session', method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : null }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ login, password }));
  });
}

const MINUTE = 60_000;

describe(`login throttling on ${dbKind}`, () => {
  it('5 failures lock the login for 15 minutes from every address; other logins go on; the lock lifts on time', async () => {
    const a = freshAddress();
    const start = h.clock.now().getTime();
    for (let i = 0; i < 5; i++) {
      const res = await signIn('spokes', `wrong-${i}`, a);
      expect(res.status).toBe(401);
      expect(res.body.error.message).toBe('wrong login or password');
    }
    // The right password no longer helps, from this address or any other.
    for (const from of [a, freshAddress()]) {
      const locked = await signIn('spokes', PASSWORD, from);
      expect(locked.status).toBe(429);
      expect(locked.body.error.code).toBe('rate_limited');
      expect(locked.body.error.message).toMatch(/^too many failed sign-ins: try again in (\d+) s$/);
      expect(Number(/(\d+) s$/.exec(locked.body.error.message)![1])).toBe(900);
    }
    // Someone else from another address is not affected.
    expect((await signIn('leader', PASSWORD, freshAddress())).status).toBe(200);
    // Attempts while locked do not extend the lock.
    h.clock.set(new Date(start + 14 * MINUTE + 59_000));
    const almost = await signIn('spokes', PASSWORD, freshAddress());
    expect(almost.status).toBe(429);
    expect(almost.body.error.message).toBe('too many failed sign-ins: try again in 1 s');
    h.clock.set(new Date(start + 15 * MINUTE));
    expect((await signIn('spokes', PASSWORD, freshAddress())).status).toBe(200);
  });

  it('5 failures from one address lock that address for every login, unknown logins included; other addresses go on', async () => {
    const a = freshAddress();
    for (const login of ['duty', 'nobody-1', 'leader', 'nobody-2', 'em.duty']) {
      const res = await signIn(login, 'guess', a);
      expect(res.status).toBe(401);
      // Unknown and known logins fail alike: nothing to enumerate.
      expect(res.body.error.message).toBe('wrong login or password');
    }
    const locked = await signIn('he.leader', PASSWORD, a);
    expect(locked.status).toBe(429);
    expect(locked.body.error.message).toMatch(/too many failed sign-ins/);
    // X-Forwarded-For is not trusted: a client cannot pose as a new address.
    expect((await signIn('he.leader', PASSWORD, a, { 'x-forwarded-for': '203.0.113.9', 'x-real-ip': '203.0.113.9' })).status).toBe(429);
    // The same users from elsewhere are fine (each had one failure only).
    expect((await signIn('he.leader', PASSWORD, freshAddress())).status).toBe(200);
    expect((await signIn('duty', PASSWORD, freshAddress())).status).toBe(200);
    h.clock.advance(15 * MINUTE);
  });

  it('spelling the login differently counts against the same login', async () => {
    for (const [i, spelled] of ['he.duty', 'HE.DUTY', ' He.Duty ', 'he.DUTY', 'He.duty'].entries()) {
      expect((await signIn(spelled, `wrong-${i}`, freshAddress())).status).toBe(401);
    }
    expect((await signIn('he.duty', PASSWORD, freshAddress())).status).toBe(429);
  });

  it('a success clears the login’s failures; failures spread over more than the window never lock', async () => {
    const a = freshAddress();
    for (let i = 0; i < 4; i++) expect((await signIn('em.leader', 'wrong', a)).status).toBe(401);
    expect((await signIn('em.leader', PASSWORD, a)).status).toBe(200);
    const b = freshAddress();
    for (let i = 0; i < 4; i++) expect((await signIn('em.leader', 'wrong', b)).status).toBe(401);
    expect((await signIn('em.leader', PASSWORD, freshAddress())).status).toBe(200);

    const c = freshAddress();
    for (let i = 0; i < 8; i++) {
      expect((await signIn('po.analyst', 'wrong', c)).status).toBe(401);
      h.clock.set(new Date(h.clock.now().getTime() + 4 * MINUTE));
    }
    expect((await signIn('po.analyst', PASSWORD, c)).status).toBe(200);
  });
});
