/**
 * @module api-router
 * Declares REST operations once — method, path, zod schemas for params/query/body/response,
 * the error codes it can return — and from that one declaration both registers the Hono route
 * (with validation) and feeds the OpenAPI document. Every `/api/v1` route goes through here.
 */
import type { Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import type { ApiErrorCode } from '../core/error-codes.js';
import { AppError } from '../core/errors.js';
import { InvalidJsonError, RequestValidationError, zodIssues } from './error-handler.js';

export const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** What a handler receives: validated params, query and body, plus the Hono context. */
export interface OperationInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  c: Context;
}

/** One REST operation. `path` is Hono-style and relative to the API prefix (`/regions/:id`). */
export interface ApiOperation<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> {
  method: HttpMethod;
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  description?: string;
  params?: P;
  query?: Q;
  body?: B;
  /** Schema of the success response (JSON), for the OpenAPI document. */
  response?: z.ZodType;
  /** Non-JSON success content type (e.g. `text/csv`); the handler then returns a Response. */
  responseContentType?: string;
  successStatus?: 200 | 201 | 202;
  /** Error codes this operation can answer with besides `unauthorized` and `validation_failed` (502/503 for `moysklad_*`). */
  errors?: readonly ApiErrorCode[];
  /** Public operations skip bearer auth (the OpenAPI document and its page, the secret price-list feeds). */
  public?: boolean;
  /**
   * Mounted under this prefix instead of the API prefix (e.g. `''` for the secret feeds at
   * `/feeds/{token}/…`, outside `/api/v1` and its bearer auth); the OpenAPI path follows.
   */
  prefix?: string;
  handler: (input: OperationInput<z.infer<P>, z.infer<Q>, z.infer<B>>) => Promise<unknown> | unknown;
}

/** Helper that keeps the handler's input types inferred from the schemas. */
export function defineOperation<
  P extends z.ZodType = z.ZodUndefined,
  Q extends z.ZodType = z.ZodUndefined,
  B extends z.ZodType = z.ZodUndefined,
>(op: ApiOperation<P, Q, B>): ApiOperation {
  return op as unknown as ApiOperation;
}

function parseOrThrow(schema: z.ZodType | undefined, value: unknown, where: 'body' | 'query' | 'params'): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (!result.success) {
    // A path segment that is not a valid id names no resource: 404, not 400.
    if (where === 'params') throw new AppError('not_found', 'No such resource', { status: 404, details: zodIssues(result.error) });
    throw new RequestValidationError(where, zodIssues(result.error));
  }
  return result.data;
}

async function readJsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new InvalidJsonError(`Request body is not valid JSON: ${(e as Error).message}`);
  }
}

/** Registers the operations on a Hono app (or sub-app) under `prefix`. */
export function mountOperations(app: Hono, prefix: string, operations: readonly ApiOperation[]): void {
  for (const op of operations) {
    app.on(op.method.toUpperCase(), (op.prefix ?? prefix) + op.path, async (c) => {
      const params = parseOrThrow(op.params, c.req.param(), 'params');
      const query = parseOrThrow(op.query, c.req.query(), 'query');
      const body = op.body ? parseOrThrow(op.body, await readJsonBody(c), 'body') : undefined;
      const result = await op.handler({ params, query, body, c });
      if (result instanceof Response) return result;
      return c.json(result as object, (op.successStatus ?? 200) as ContentfulStatusCode);
    });
  }
}

/** `/regions/:id` → `/regions/{id}` for OpenAPI. */
export function toOpenApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}
