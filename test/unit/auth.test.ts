import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../server/auth/password.ts';
import { LoginThrottle } from '../../server/auth/rate-limit.ts';
import { ManualClock } from '../../server/clock.ts';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { canonicalJson, eventHash } from '../../server/audit/hash.ts';

describe('passwords', () => {
  it('verifies the right password only, with a fresh salt each time', async () => {
    const a = await hashPassword('correct-horse');
    const b = await hashPassword('correct-horse');
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct-horse', a)).toBe(true);
    expect(await verifyPassword('correct-horsf', a)).toBe(false);
    expect(await verifyPassword('x', 'garbage')).toBe(false);
  });
});

describe('login throttle', () => {
  it('refuses after 5 failures in 15 minutes, then lets in again', () => {
    const clock = new ManualClock();
    const t = new LoginThrottle(clock);
    for (let i = 0; i < 4; i++) t.fail(['login:duty']);
    expect(t.retryAfter(['login:duty'])).toBe(0);
    t.fail(['login:duty']);
    expect(t.retryAfter(['login:duty'])).toBe(900);
    expect(t.retryAfter(['login:other'])).toBe(0);
    clock.advance(15 * 60_000 + 1);
    expect(t.retryAfter(['login:duty'])).toBe(0);
  });
});

describe('config', () => {
  it('defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBeNull();
    expect(c.dataDir.endsWith('/data')).toBe(true);
    expect(c.demo).toBe(false);
  });
  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ DEMO: 'maybe' }, 'DEMO'],
    [{ ADMIN_PASSWORD: 'short' }, 'ADMIN_PASSWORD'],
    [{ ALLOW_PRIVATE_FEEDS: '2' }, 'ALLOW_PRIVATE_FEEDS'],
  ])('%j stops start-up naming %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(name);
  });
});

describe('event hash chain', () => {
  it('canonical JSON ignores key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}');
  });
  it('changes when any field or the previous hash changes', () => {
    const row = { id: 1, type: 'incident.created', at: new Date(0), incidentId: 1, actorId: 2, deptIds: [1], userIds: [], isPublic: false, payload: { a: 1 } };
    const h = eventHash('', row);
    expect(eventHash('', { ...row })).toBe(h);
    expect(eventHash('x', row)).not.toBe(h);
    expect(eventHash('', { ...row, payload: { a: 2 } })).not.toBe(h);
    expect(eventHash('', { ...row, deptIds: [1, 2] })).not.toBe(h);
  });
});
