/**
 * @module error-handler
 * The one place where errors become HTTP responses: `AppError` → its status and
 * `{error:{code,message,details}}` (S2: `details` always present, null when there are none), zod failures → 400 with field-level details, malformed
 * JSON → 400 `invalid_json`, anything else → 500 `internal_error` (logged, no stack to the client).
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ZodError } from 'zod';
import type { AppErrorCode } from '../core/error-codes.js';
import { AppError, isAppError, UnprocessableError } from '../core/errors.js';

/** One field-level validation message: `path` is dotted (`positions.0.quantity`), empty for the body itself. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** The error body every error response uses (S2): `details` is always there, null when none. */
export interface ErrorBody {
  error: { code: AppErrorCode; message: string; details: unknown };
}

/** The part of a logger the error handler needs. */
export interface ErrorLogger {
  error(obj: object, msg?: string): void;
}

/** Turns zod issues into `[{ path: 'positions.0.quantity', message }]`. */
export function zodIssues(error: ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map((p) => String(p)).join('.'),
    message: issue.message,
  }));
}

/** A 400 raised for request input that does not satisfy its schema. */
export class RequestValidationError extends AppError {
  constructor(where: 'body' | 'query' | 'params', issues: FieldIssue[]) {
    super('validation_failed', `Invalid request ${where}: ${issues.map((i) => `${i.path || where}: ${i.message}`).join('; ')}`, {
      status: 400,
      details: issues,
    });
    this.name = 'RequestValidationError';
  }
}

/** A 400 for a body that is not JSON at all. */
export class InvalidJsonError extends AppError {
  constructor(message = 'Request body is not valid JSON') {
    super('invalid_json', message, { status: 400 });
    this.name = 'InvalidJsonError';
  }
}

/** The 401 every protected route answers without a valid bearer token. */
export class UnauthorizedError extends AppError {
  constructor(message = 'A valid bearer token is required (Authorization: Bearer <token>)') {
    super('unauthorized', message, { status: 401 });
    this.name = 'UnauthorizedError';
  }
}

export { UnprocessableError };

/** The one error shape (S2). */
export function errorBody(code: AppErrorCode, message: string, details?: unknown): ErrorBody {
  return { error: { code, message, details: details ?? null } };
}

/** Builds the `app.onError` handler. */
export function createErrorHandler(logger: ErrorLogger) {
  return (err: Error, c: Context): Response => {
    if (isAppError(err)) {
      if (err.status >= 500) logger.error({ code: err.code, err: { message: err.message } }, 'request failed');
      return c.json(errorBody(err.code, err.message, err.details), err.status as ContentfulStatusCode);
    }
    if (err instanceof ZodError) {
      const issues = zodIssues(err);
      return c.json(errorBody('validation_failed', 'Invalid request', issues), 400);
    }
    if (err instanceof SyntaxError) {
      return c.json(errorBody('invalid_json', 'Request body is not valid JSON'), 400);
    }
    if (err instanceof HTTPException) {
      const status = err.status;
      const code = status === 401 ? 'unauthorized' : status === 404 ? 'not_found' : status < 500 ? 'bad_request' : 'internal_error';
      if (status >= 500) logger.error({ err: { message: err.message } }, 'request failed');
      return c.json(errorBody(code, err.message || code), status as ContentfulStatusCode);
    }
    logger.error({ err: { message: err.message, name: err.name, stack: err.stack } }, 'unhandled error');
    return c.json(errorBody('internal_error', 'Internal server error'), 500);
  };
}

/** The `app.notFound` handler: an unknown path is a 404 `not_found` in the same envelope. */
export function notFoundHandler(c: Context): Response {
  return c.json(errorBody('not_found', `No route for ${c.req.method} ${new URL(c.req.url).pathname}`), 404);
}
