/**
 * @module export-error
 * How the outbox drain classifies a failure: `retryable` ones (MoySklad down, 5xx, timeouts,
 * unreachable, 429 beyond the limiter, credentials being fixed) put the item back with backoff;
 * the others (data problems a person must fix: an ambiguous counterparty, a supplier as a client,
 * a product MoySklad refuses) fail the item with a clear reason until a manual retry.
 */
import type { AppErrorCode, ExportDeferredCode, ExportErrorCode } from '../../core/error-codes.js';
import { AppError, errorMessage, isAppError } from '../../core/errors.js';
import { MoySkladError } from '../../moysklad/errors.js';
import { problemOfError } from '../permission-problems.js';

export class ExportError extends AppError {
  readonly retryable: boolean;
  constructor(code: ExportErrorCode, message: string, options: { retryable?: boolean; details?: unknown; cause?: unknown } = {}) {
    super(code, message, { status: 422, details: options.details, cause: options.cause });
    this.name = 'ExportError';
    this.retryable = options.retryable ?? false;
  }
}

/** A precondition that is not met yet (option off, no organization chosen): retried later, costs no MoySklad request. */
export class ExportDeferred extends AppError {
  readonly retryAfterMs: number;
  constructor(code: ExportDeferredCode, message: string, retryAfterMs = 60 * 60_000) {
    super(code, message, { status: 409 });
    this.name = 'ExportDeferred';
    this.retryAfterMs = retryAfterMs;
  }
}

export interface ErrorClass {
  retryable: boolean;
  code: AppErrorCode;
  message: string;
}

/** Decides whether a failure is worth retrying automatically. */
export function classifyExportError(e: unknown): ErrorClass {
  const code = isAppError(e) ? e.code : 'internal_error';
  const message = `${code}: ${errorMessage(e)}`;
  if (e instanceof ExportError) return { retryable: e.retryable, code, message };
  if (e instanceof MoySkladError) {
    // Outages and limits pass; a credential problem is an integration problem the admin fixes — the
    // orders wait for it rather than fail one by one.
    // C10: a permission or tariff refusal waits for the admin to fix MoySklad (the drain delays it).
    const retryable = e.retryable || e.code === 'moysklad_auth_failed' || problemOfError(e) !== null;
    return { retryable, code, message };
  }
  if (isAppError(e)) {
    // e.g. integration_inactive: the orders wait until the integration is active again.
    return { retryable: e.code === 'integration_inactive' || e.status >= 500, code, message };
  }
  // Unknown errors (a crash between two steps, a database hiccup): the work is idempotent, retry.
  return { retryable: true, code, message };
}
