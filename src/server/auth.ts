/**
 * @module auth
 * Bearer-token auth for `/api/v1` (B8). Tokens live in `api_tokens` as SHA-256 hashes; the
 * token itself is shown once, when it is created, and never stored or logged.
 */
import { randomBytes } from 'node:crypto';
import { hashToken } from '../core/token-hash.js';
import type { MiddlewareHandler } from 'hono';
import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.js';
import { ApiTokenRepository, type ApiTokenRecord } from '../store/repositories/api-token-repository.js';
import type { Database } from '../store/schema.js';
import { UnauthorizedError } from './error-handler.js';

/** The prefix every API token starts with, so a leaked one is recognisable. */
export const API_TOKEN_PREFIX = 'mse_';

export { hashToken };

/** A new random token (`mse_` + 43 base64url characters, 256 bits). */
export function generateToken(): string {
  return API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export type ApiTokenInfo = ApiTokenRecord;

/** Issues, lists, revokes and verifies API tokens. */
export class ApiTokenService {
  readonly #tokens: ApiTokenRepository;

  constructor(private readonly deps: { db: Kysely<Database>; clock: Clock }) {
    this.#tokens = new ApiTokenRepository(deps.db);
  }

  /** Creates a token; the plain token is returned once and only its hash is stored. */
  async create(name: string): Promise<{ id: number; name: string; token: string }> {
    const token = generateToken();
    const id = await this.#tokens.insert({ name, tokenHash: hashToken(token), prefix: token.slice(0, 10), createdAt: this.deps.clock.now().toISOString() });
    return { id, name, token };
  }

  list(): Promise<ApiTokenInfo[]> {
    return this.#tokens.list();
  }

  /** Revokes a token; returns false when there is no such (unrevoked) token. */
  revoke(id: number): Promise<boolean> {
    return this.#tokens.revoke(id, this.deps.clock.now().toISOString());
  }

  /** The token's id when it is valid and not revoked, else null. Stamps `last_used_at`. */
  async verify(token: string): Promise<number | null> {
    const row = await this.#tokens.findActiveByHash(hashToken(token));
    if (!row) return null;
    const now = this.deps.clock.now();
    // Stamp at most once a minute so that reads do not turn into writes on every request.
    if (!row.lastUsedAt || now.getTime() - Date.parse(row.lastUsedAt) > 60_000) await this.#tokens.stampUsed(row.id, now.toISOString());
    return row.id;
  }
}

const BEARER_RE = /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i;

/** Middleware: a valid `Authorization: Bearer <token>` or 401 `unauthorized`. */
export function bearerAuth(tokens: Pick<ApiTokenService, 'verify'>): MiddlewareHandler {
  return async (c, next) => {
    const header = c.req.header('authorization');
    const m = header ? BEARER_RE.exec(header) : null;
    if (!m?.[1]) throw new UnauthorizedError();
    const id = await tokens.verify(m[1]);
    if (id === null) throw new UnauthorizedError('The bearer token is unknown or revoked');
    c.set('apiTokenId' as never, id as never);
    await next();
  };
}
