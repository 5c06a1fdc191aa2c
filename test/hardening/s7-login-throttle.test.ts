/**
 * S7: admin login throttling lives in the database, so every process serving the panel shares it;
 * it counts failures per login (from any address) and per client address (any login); the client
 * address is the socket's unless the peer is one of TRUSTED_PROXIES, then X-Forwarded-For's.
 */
import bcrypt from 'bcryptjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { clientAddress, NO_TRUSTED_PROXIES, trustedProxies } from '../../src/core/client-address.js';
import { loadConfig } from '../../src/config/config.js';
import { retryAfterMs } from '../../src/domain/login-throttle.js';
import { AdminAuth } from '../../src/server/admin/admin-auth.js';
import { forEachDialect } from '../helpers/databases.js';

const PASSWORD = 'correct horse battery';
const MIN = 60_000;

forEachDialect((getDb) => {
  let clock: ManualClock;
  beforeAll(async () => {
    clock = new ManualClock({ start: '2026-03-01T10:00:00Z' });
    const passwordHash = await bcrypt.hash(PASSWORD, 4);
    const now = clock.now().toISOString();
    for (const login of ['admin', 'manager']) await getDb().db.insertInto('adminUsers').values({ login, passwordHash, createdAt: now, updatedAt: now }).execute();
  });

  it('S7 failures counted by one process lock the login in another (the count is in the database), by login from any address', async () => {
    // Two AdminAuth instances = two processes serving the panel over one database.
    const a = new AdminAuth({ db: getDb().db, clock });
    const b = new AdminAuth({ db: getDb().db, clock });
    const results: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await (i % 2 ? b : a).login('Admin', 'wrong', `203.0.113.${i + 1}`);
      results.push(r.ok ? 'ok' : r.reason);
    }
    expect(results).toEqual(['invalid', 'invalid', 'invalid', 'invalid', 'throttled']);
    // Locked in both processes, from a new address too, even with the right password.
    const locked = await b.login('admin', PASSWORD, '198.51.100.7');
    expect(locked).toEqual({ ok: false, reason: 'throttled', retryAfterMs: 15 * MIN });
    expect((await a.login('admin', PASSWORD, '198.51.100.8')).ok).toBe(false);
    // Another login is not affected.
    expect((await a.login('manager', PASSWORD, '198.51.100.9')).ok).toBe(true);
    clock.advance(15 * MIN + 1);
    expect((await b.login('admin', PASSWORD, '198.51.100.7')).ok).toBe(true);
  });

  it('S7 one address trying many logins is locked by address, for every login, across processes', async () => {
    const a = new AdminAuth({ db: getDb().db, clock });
    const b = new AdminAuth({ db: getDb().db, clock });
    const ip = '192.0.2.66';
    for (let i = 0; i < 20; i++) await (i % 2 ? b : a).login(`user${i}`, 'guess', ip);
    const r = await a.login('manager', PASSWORD, ip);
    expect(r).toMatchObject({ ok: false, reason: 'throttled' });
    // The same login from another address still works: the lock is the address's.
    expect((await b.login('manager', PASSWORD, '192.0.2.67')).ok).toBe(true);
    const rows = await getDb().db.selectFrom('loginFailures').select(['scope']).where('key', '=', ip).execute();
    expect(rows.length).toBe(20);
    clock.advance(15 * MIN + 1);
    expect((await a.login('manager', PASSWORD, ip)).ok).toBe(true);
  });
});

describe('S7 client address and TRUSTED_PROXIES', () => {
  it('S7 X-Forwarded-For is ignored unless the peer is a trusted proxy; then the rightmost untrusted hop is the client', () => {
    const trusted = trustedProxies(['127.0.0.1', '10.0.0.0/8', '::1']);
    const cases: [string | undefined, string | undefined, string][] = [
      ['203.0.113.5', '1.2.3.4', '203.0.113.5'], // not from a proxy: the header is the client's own claim
      ['127.0.0.1', '198.51.100.1', '198.51.100.1'],
      ['::ffff:127.0.0.1', '198.51.100.1', '198.51.100.1'],
      ['127.0.0.1', '6.6.6.6, 198.51.100.1, 10.1.2.3', '198.51.100.1'], // a forged leftmost entry is skipped
      ['::1', '10.0.0.2, 10.0.0.3', '10.0.0.2'],
      ['127.0.0.1', 'garbage', '127.0.0.1'],
      ['127.0.0.1', undefined, '127.0.0.1'],
      [undefined, '1.2.3.4', 'unknown'],
    ];
    expect(cases.map(([remote, xff]) => clientAddress(remote, xff, trusted))).toEqual(cases.map(([, , want]) => want));
    expect(clientAddress('127.0.0.1', '198.51.100.1', NO_TRUSTED_PROXIES)).toBe('127.0.0.1');
  });

  it('S7 TRUSTED_PROXIES is read from the environment as IPs and CIDR ranges; anything else is a one-line config error', () => {
    expect(loadConfig({ TRUSTED_PROXIES: ' 127.0.0.1, 10.0.0.0/8 ,::1 ' }).trustedProxies).toEqual(['127.0.0.1', '10.0.0.0/8', '::1']);
    expect(loadConfig({}).trustedProxies).toEqual([]);
    expect(() => loadConfig({ TRUSTED_PROXIES: '10.0.0.0/33' })).toThrow(/^TRUSTED_PROXIES must be a comma-separated list of IP addresses or CIDR ranges/);
    expect(() => loadConfig({ TRUSTED_PROXIES: 'proxy.local' })).toThrow(/TRUSTED_PROXIES/);
  });

  it('S7 the rule: locked at the limit within the window, until the oldest counted failure leaves it', () => {
    const rule = { maxFailures: 3, windowMs: 10 * MIN };
    const now = 100 * MIN;
    expect([
      retryAfterMs([], now, rule),
      retryAfterMs([now - 2 * MIN, now - MIN], now, rule),
      retryAfterMs([now - 3 * MIN, now - 2 * MIN, now - MIN], now, rule),
      retryAfterMs([now - 20 * MIN, now - 2 * MIN, now - MIN], now, rule),
    ]).toEqual([0, 0, 7 * MIN, 0]);
  });
});
