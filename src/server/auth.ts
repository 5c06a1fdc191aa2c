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
import type { Database } from '../store/schema.js';
import { UnauthorizedError } from './error-handler.js';

/** The prefix every API token starts with, so a leaked one is recognisable. */
export const API_TOKEN_PREFIX = 'mse_';

export { hashToken };

/** A new random token (`mse_` + 43 base64url characters, 256 bits). */
export function generateToken(): string {
  return API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export interface ApiTokenInfo {
  id: number;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** Issues, lists, revokes and verifies API tokens. */
export class ApiTokenService {
  constructor(private readonly deps: { db: Kysely<Database>; clock: Clock }) {}

  /** Creates a token; the plain token is returned once and only its hash is stored. */
  async create(name: string): Promise<{ id: number; name: string; token: string }> {
    const token = generateToken();
    const row = await this.deps.db
      .insertInto('apiTokens')
      .values({ name, tokenHash: hashToken(token), prefix: token.slice(0, 10), createdAt: this.deps.clock.now().toISOString() })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: Number(row.id), name, token };
  }

  async list(): Promise<ApiTokenInfo[]> {
    const rows = await this.deps.db
      .selectFrom('apiTokens')
      .select(['id', 'name', 'prefix', 'createdAt', 'lastUsedAt', 'revokedAt'])
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ ...r, id: Number(r.id) }));
  }

  /** Revokes a token; returns false when there is no such (unrevoked) token. */
  async revoke(id: number): Promise<boolean> {
    const res = await this.deps.db
      .updateTable('apiTokens')
      .set({ revokedAt: this.deps.clock.now().toISOString() })
      .where('id', '=', id)
      .where('revokedAt', 'is', null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /** The token's id when it is valid and not revoked, else null. Stamps `last_used_at`. */
  async verify(token: string): Promise<number | null> {
    const row = await this.deps.db
      .selectFrom('apiTokens')
      .select(['id', 'lastUsedAt'])
      .where('tokenHash', '=', hashToken(token))
      .where('revokedAt', 'is', null)
      .executeTakeFirst();
    if (!row) return null;
    const now = this.deps.clock.now();
    // Stamp at most once a minute so that reads do not turn into writes on every request.
    if (!row.lastUsedAt || now.getTime() - Date.parse(row.lastUsedAt) > 60_000) {
      await this.deps.db.updateTable('apiTokens').set({ lastUsedAt: now.toISOString() }).where('id', '=', row.id).execute();
    }
    return Number(row.id);
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
