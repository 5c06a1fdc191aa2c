/**
 * @module login-throttle
 * S7: the throttling rule of admin logins, pure. A key (a login, or a client address) may try again
 * when it has fewer than `maxFailures` failures inside the last `windowMs`; otherwise it waits until
 * the oldest counted failure leaves the window.
 */

export interface ThrottleRule {
  maxFailures: number;
  windowMs: number;
}

export interface LoginThrottleOptions {
  /** Failed attempts of one login (from any address) within the window before it is locked (default 5). */
  perLogin: ThrottleRule;
  /** Failed attempts from one client address (any login) within the window before it is locked (default 20). */
  perAddress: ThrottleRule;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = {
  perLogin: { maxFailures: 5, windowMs: 15 * 60_000 },
  perAddress: { maxFailures: 20, windowMs: 15 * 60_000 },
};

/** Milliseconds until a key with these failure times (ms, oldest first) may try again; 0 = now. */
export function retryAfterMs(failures: readonly number[], nowMs: number, rule: ThrottleRule): number {
  const recent = failures.filter((t) => nowMs - t < rule.windowMs);
  if (recent.length < rule.maxFailures) return 0;
  const oldestCounted = recent[recent.length - rule.maxFailures]!;
  return Math.max(0, oldestCounted + rule.windowMs - nowMs);
}

/** The throttle key of a login: trimmed, lower-cased. */
export const loginKey = (login: string): string => login.trim().toLowerCase();
