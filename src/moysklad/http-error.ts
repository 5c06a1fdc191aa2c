/**
 * @module moysklad/http-error
 * The typed error for a MoySklad answer that is not a success (pure: status, code and errors in).
 */
import {
  MoySkladAuthError,
  MoySkladError,
  MoySkladNotFoundError,
  MoySkladRateLimitError,
  MoySkladServerError,
  type AuthFailureReason,
} from './errors.js';
import type { Exchange, MoySkladCredentials } from './types.js';

const EXPLAIN_AUTH: Record<AuthFailureReason, string> = {
  wrong_credentials: 'wrong login or password',
  token_invalid: 'the token is invalid or was revoked (a newer token was issued)',
  no_api_access: 'the user has no API access (enable it in the user settings)',
  too_many_attempts: 'too many failed login attempts; wait before trying again',
  blocked: 'the user or account is blocked',
};

export function httpError(method: string, path: string, ex: Pick<Exchange, 'status' | 'msCode' | 'errors' | 'headers'>, credentialKind: MoySkladCredentials['kind']): MoySkladError {
  const { status, msCode, errors } = ex;
  const what = errors.length ? errors.map((e) => (e.code ? `${e.error} (${e.code})` : e.error)).join('; ') : `HTTP ${status}`;
  const init = { status, msCode, method, path, errors };
  const text = `MoySklad ${method} ${path} failed: ${what}`;
  if (status === 429) {
    const ra = Number(ex.headers.get('x-lognex-retry-after'));
    return new MoySkladRateLimitError(text, { ...init, retryAfterMs: Number.isFinite(ra) && ra > 0 ? ra : undefined });
  }
  if (status === 401 || msCode === 1056 || msCode === 1061 || msCode === 1048) {
    const reason: AuthFailureReason =
      msCode === 1061 ? 'no_api_access' : msCode === 1048 ? 'too_many_attempts' : credentialKind === 'token' ? 'token_invalid' : 'wrong_credentials';
    return new MoySkladAuthError(`MoySklad authentication failed: ${EXPLAIN_AUTH[reason]} — ${what}`, reason, init);
  }
  if (status === 404) return new MoySkladNotFoundError(text, init);
  if (status >= 500) return new MoySkladServerError(text, init);
  if (status === 403) return new MoySkladError('moysklad_forbidden', text, init);
  return new MoySkladError('moysklad_request_failed', text, init);
}
