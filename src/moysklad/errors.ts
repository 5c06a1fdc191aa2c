/**
 * @module moysklad/errors
 * Typed errors of the MoySklad client. Every error carries the MoySklad HTTP status as `msStatus` (0
 * when no response arrived) apart from `status`, the status our own REST API answers with when the error
 * reaches it (502, or 503 when MoySklad is busy or out of reach), the MoySklad error code `msCode`, the request `path` without its query string
 * and whether retrying can help. Credentials never reach these objects: the client redacts every
 * text it copies from a response or a thrown value before building an error.
 */
import { apiStatusOf, type MoySkladErrorCode } from '../core/error-codes.js';
import { AppError } from '../core/errors.js';
import type { MsErrorEntry } from './schemas/error.js';

export { apiStatusOf, type MoySkladErrorCode };

export interface MoySkladErrorInit {
  /** HTTP status of the MoySklad response; 0 when there was none (network, timeout). */
  status: number;
  /** The first MoySklad error code of the response body, when there is one. */
  msCode?: number;
  /** HTTP method and the request path relative to the API base, without the query string. */
  method?: string;
  path: string;
  retryable?: boolean;
  errors?: MsErrorEntry[];
  cause?: unknown;
}

export class MoySkladError extends AppError {
  /** The MoySklad HTTP status (0 for network errors and timeouts). `status` is our API's (`apiStatusOf`). */
  readonly msStatus: number;
  readonly msCode: number | undefined;
  readonly method: string | undefined;
  readonly path: string;
  readonly retryable: boolean;
  readonly errors: MsErrorEntry[];

  constructor(code: MoySkladErrorCode, message: string, init: MoySkladErrorInit) {
    super(code, message, {
      status: apiStatusOf(code),
      details: { msStatus: init.status, msCode: init.msCode, path: init.path, errors: init.errors ?? [] },
      cause: init.cause,
    });
    this.name = 'MoySkladError';
    this.msStatus = init.status;
    this.msCode = init.msCode;
    this.method = init.method;
    this.path = init.path;
    this.retryable = init.retryable ?? false;
    this.errors = init.errors ?? [];
  }
}

/** Why authentication failed, as precisely as MoySklad says it. */
export type AuthFailureReason = 'wrong_credentials' | 'token_invalid' | 'no_api_access' | 'too_many_attempts' | 'blocked';

export class MoySkladAuthError extends MoySkladError {
  readonly reason: AuthFailureReason;
  constructor(message: string, reason: AuthFailureReason, init: MoySkladErrorInit) {
    super('moysklad_auth_failed', message, { ...init, retryable: false });
    this.name = 'MoySkladAuthError';
    this.reason = reason;
  }
}

export class MoySkladNotFoundError extends MoySkladError {
  constructor(message: string, init: MoySkladErrorInit) {
    super('moysklad_not_found', message, { ...init, retryable: false });
    this.name = 'MoySkladNotFoundError';
  }
}

export class MoySkladRateLimitError extends MoySkladError {
  /** Milliseconds MoySklad asked to wait (`X-Lognex-Retry-After`), when it said. */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, init: MoySkladErrorInit & { retryAfterMs?: number }) {
    super('moysklad_rate_limited', message, { ...init, retryable: true });
    this.name = 'MoySkladRateLimitError';
    this.retryAfterMs = init.retryAfterMs;
  }
}

export class MoySkladNetworkError extends MoySkladError {
  constructor(message: string, init: Omit<MoySkladErrorInit, 'status'>) {
    super('moysklad_unreachable', message, { ...init, status: 0, retryable: true });
    this.name = 'MoySkladNetworkError';
  }
}

export class MoySkladTimeoutError extends MoySkladError {
  constructor(message: string, init: Omit<MoySkladErrorInit, 'status'>) {
    super('moysklad_timeout', message, { ...init, status: 0, retryable: true });
    this.name = 'MoySkladTimeoutError';
  }
}

export class MoySkladServerError extends MoySkladError {
  constructor(message: string, init: MoySkladErrorInit) {
    super('moysklad_server_error', message, { ...init, retryable: true });
    this.name = 'MoySkladServerError';
  }
}

/** A response that is not what the API documents (bad JSON, a schema mismatch, a missing redirect). */
export class MoySkladBadResponseError extends MoySkladError {
  constructor(message: string, init: MoySkladErrorInit) {
    super('moysklad_bad_response', message, { ...init, retryable: false });
    this.name = 'MoySkladBadResponseError';
  }
}

export const isMoySkladError = (e: unknown): e is MoySkladError => e instanceof MoySkladError;
