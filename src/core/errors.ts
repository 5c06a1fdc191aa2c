/**
 * @module errors
 * The base of every expected error. Each carries a stable snake_case `code` that tests,
 * logs, API responses and the admin panel can rely on; the message is for people.
 */

import type { AppErrorCode } from './error-codes.js';

export type { ApiErrorCode, AppErrorCode } from './error-codes.js';

export interface AppErrorOptions {
  /** HTTP status when the error reaches the REST API (default 500). */
  status?: number;
  /** Structured detail, e.g. field-level validation messages. Must never hold secrets. */
  details?: unknown;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly status: number;
  readonly details: unknown;

  constructor(code: AppErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = options.status ?? 500;
    this.details = options.details;
  }

  toJSON(): { code: AppErrorCode; message: string; details?: unknown } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id: string | number) {
    super('not_found', `${what} ${id} not found`, { status: 404, details: { what, id } });
    this.name = 'NotFoundError';
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details?: unknown) {
    super('validation_failed', message, { status: 400, details });
    this.name = 'ValidationError';
  }
}

export class ConflictError extends AppError {
  constructor(code: AppErrorCode, message: string, details?: unknown) {
    super(code, message, { status: 409, details });
    this.name = 'ConflictError';
  }
}

/** A 422 for a request that is well-formed but breaks a business rule. */
export class UnprocessableError extends AppError {
  constructor(code: AppErrorCode, message: string, details?: unknown) {
    super(code, message, { status: 422, details });
    this.name = 'UnprocessableError';
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

/** A message safe to log or show for any thrown value. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
