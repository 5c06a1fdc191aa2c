/**
 * @module admin-auth
 * Admin panel logins (B8): bcrypt-hashed passwords (`admin_users`), server-side sessions whose
 * cookie holds a random id stored only as a SHA-256 hash (`admin_sessions`), one CSRF token per
 * session, and throttling of failed logins per login and per client address, in the database so
 * that every process shares it (S7), on the injected clock.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import type { Database } from '../../store/schema.js';
import { DEFAULT_LOGIN_THROTTLE, loginKey, retryAfterMs, type LoginThrottleOptions } from '../../domain/login-throttle.js';
import { AdminUserRepository } from '../../store/repositories/admin-user-repository.js';
import { LoginFailureRepository } from '../../store/repositories/login-failure-repository.js';

export { DEFAULT_LOGIN_THROTTLE, type LoginThrottleOptions };
export const DEFAULT_SESSION_TTL_MS = 12 * 3600_000;

/**
 * S7: failed logins in the database (shared by every process), counted per login and per client
 * address (`TRUSTED_PROXIES` decides which address that is); the rule is `retryAfterMs`.
 */
export class LoginThrottle {
  readonly #failures: LoginFailureRepository;

  constructor(
    db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly options: LoginThrottleOptions = DEFAULT_LOGIN_THROTTLE,
  ) {
    this.#failures = new LoginFailureRepository(db);
  }

  #since(windowMs: number): string {
    return new Date(this.clock.nowMs() - windowMs).toISOString();
  }

  /** Milliseconds until this login from this address may try again; 0 when it may now. */
  async retryAfterMs(login: string, address: string): Promise<number> {
    const now = this.clock.nowMs();
    const { perLogin, perAddress } = this.options;
    const [byLogin, byAddress] = await Promise.all([
      this.#failures.since('login', loginKey(login), this.#since(perLogin.windowMs)),
      this.#failures.since('address', address, this.#since(perAddress.windowMs)),
    ]);
    return Math.max(retryAfterMs(byLogin, now, perLogin), retryAfterMs(byAddress, now, perAddress));
  }

  async fail(login: string, address: string): Promise<void> {
    const longest = Math.max(this.options.perLogin.windowMs, this.options.perAddress.windowMs);
    await this.#failures.record(
      [
        { scope: 'login', key: loginKey(login) },
        { scope: 'address', key: address },
      ],
      this.clock.now().toISOString(),
      this.#since(longest),
    );
  }

  /** A successful login forgets its login's failures (not the address's: it may be spraying). */
  async clear(login: string): Promise<void> {
    await this.#failures.clear('login', loginKey(login));
  }
}

export interface AdminSession {
  sessionId: number;
  userId: number;
  login: string;
  csrfToken: string;
}

export type LoginResult = { ok: true; cookieValue: string; session: AdminSession } | { ok: false; reason: 'invalid' } | { ok: false; reason: 'throttled'; retryAfterMs: number };

const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
/** A bcrypt hash of nothing anyone knows: compared against when the login does not exist, so timing does not tell. */
const DUMMY_HASH = bcrypt.hashSync(randomBytes(16).toString('hex'), 10);

/** Constant-time string comparison. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface AdminAuthDeps {
  db: Kysely<Database>;
  clock: Clock;
  throttle?: LoginThrottleOptions;
  sessionTtlMs?: number;
}

export class AdminAuth {
  readonly throttle: LoginThrottle;
  readonly #deps: AdminAuthDeps;
  readonly #users: AdminUserRepository;

  constructor(deps: AdminAuthDeps) {
    this.#deps = deps;
    this.#users = new AdminUserRepository(deps.db);
    this.throttle = new LoginThrottle(deps.db, deps.clock, deps.throttle ?? DEFAULT_LOGIN_THROTTLE);
  }

  get sessionTtlMs(): number {
    return this.#deps.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
  }

  /** Checks the password (throttled per login and per client address, S7) and opens a session. */
  async login(login: string, password: string, ip: string): Promise<LoginResult> {
    const wait = await this.throttle.retryAfterMs(login, ip);
    if (wait > 0) return { ok: false, reason: 'throttled', retryAfterMs: wait };
    const user = await this.#users.findByLogin(login.trim());
    const matches = await bcrypt.compare(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !matches) {
      await this.throttle.fail(login, ip);
      const after = await this.throttle.retryAfterMs(login, ip);
      return after > 0 ? { ok: false, reason: 'throttled', retryAfterMs: after } : { ok: false, reason: 'invalid' };
    }
    await this.throttle.clear(login);
    await this.purgeExpired();
    const cookieValue = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const now = this.#deps.clock.nowMs();
    const sessionId = await this.#users.openSession({
      idHash: sha256(cookieValue),
      userId: user.id,
      csrfToken,
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + this.sessionTtlMs).toISOString(),
    });
    return { ok: true, cookieValue, session: { sessionId, userId: user.id, login: user.login, csrfToken } };
  }

  /** The live session of a cookie value, or null (unknown, expired, or its user was removed). */
  async session(cookieValue: string | undefined): Promise<AdminSession | null> {
    if (!cookieValue) return null;
    const row = await this.#users.sessionByHash(sha256(cookieValue));
    if (!row) return null;
    if (Date.parse(row.expiresAt) <= this.#deps.clock.nowMs()) {
      await this.#users.deleteSession(row.id);
      return null;
    }
    return { sessionId: row.id, userId: row.userId, login: row.login, csrfToken: row.csrfToken };
  }

  async logout(cookieValue: string | undefined): Promise<void> {
    if (!cookieValue) return;
    await this.#users.deleteSessionByHash(sha256(cookieValue));
  }

  /** Removes expired sessions; returns how many. */
  async purgeExpired(): Promise<number> {
    return this.#users.purgeExpiredSessions(this.#deps.clock.now().toISOString());
  }
}
