/**
 * @module login-failure-repository
 * S7: failed admin logins in the database (`login_failures`), so that every process serving the
 * panel sees the same count. Times are ISO strings (lexical order = time order).
 */
import type { Kysely } from 'kysely';
import type { Database, LoginFailuresTable } from '../schema.js';

export type LoginFailureScope = LoginFailuresTable['scope'];

export class LoginFailureRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The failure times (ms, oldest first) of a key since `sinceIso`. */
  async since(scope: LoginFailureScope, key: string, sinceIso: string): Promise<number[]> {
    const rows = await this.db
      .selectFrom('loginFailures')
      .select('failedAt')
      .where('scope', '=', scope)
      .where('key', '=', key)
      .where('failedAt', '>', sinceIso)
      .orderBy('failedAt')
      .execute();
    return rows.map((r) => Date.parse(r.failedAt));
  }

  /** Records one failure under each of the keys, and forgets failures older than `purgeBeforeIso`. */
  async record(keys: readonly { scope: LoginFailureScope; key: string }[], atIso: string, purgeBeforeIso: string): Promise<void> {
    await this.db.deleteFrom('loginFailures').where('failedAt', '<=', purgeBeforeIso).execute();
    if (keys.length > 0) await this.db.insertInto('loginFailures').values(keys.map((k) => ({ scope: k.scope, key: k.key, failedAt: atIso }))).execute();
  }

  /** Forgets the failures of one key (a successful login clears its login's count). */
  async clear(scope: LoginFailureScope, key: string): Promise<void> {
    await this.db.deleteFrom('loginFailures').where('scope', '=', scope).where('key', '=', key).execute();
  }
}
