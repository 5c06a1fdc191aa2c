/**
 * @module integration-problem-repository
 * C10 the open permission or tariff problems of integrations (`integration_problems`, 0020), one per
 * (integration, job family), and the integration's status line that shows the latest of them.
 * - `record` when a job of a family is refused: the row (occurrences + 1, `retry_at` pushed out),
 *   and the integration's status `error` with the problem's code and Russian sentence;
 * - `clearFamily` when a job of that family succeeds again; `clearAll` when the integration's
 *   settings or credentials change (the admin fixed something: try at once). Both give the status
 *   back (`ok`, or the next open problem) only when it shows a permission problem;
 * - `blockedNow` for the scheduler: which (integration, family) must not fire yet.
 */
import type { Clock } from '../../core/clock.js';
import { isPermissionProblemCode, type JobFamily, type PermissionProblemCode } from '../../domain/permission-problem.js';
import type { Db } from '../db.js';
import type { IntegrationProblemRow } from '../schema.js';

export interface ProblemInput {
  integrationId: number;
  family: JobFamily;
  code: PermissionProblemCode;
  msCode: number | null;
  message: string;
  retryAt: Date;
}

export class IntegrationProblemRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Records (or refreshes) the problem of an integration's job family and shows it in the integration's status. */
  async record(p: ProblemInput): Promise<IntegrationProblemRow> {
    const at = this.clock.now().toISOString();
    const retryAt = p.retryAt.toISOString();
    const row = await this.db
      .insertInto('integrationProblems')
      .values({ integrationId: p.integrationId, family: p.family, code: p.code, msCode: p.msCode, message: p.message, detectedAt: at, lastSeenAt: at, retryAt, occurrences: 1 })
      .onConflict((oc) =>
        oc.columns(['integrationId', 'family']).doUpdateSet((eb) => ({
          code: p.code,
          msCode: p.msCode,
          message: p.message,
          lastSeenAt: at,
          retryAt,
          occurrences: eb('integrationProblems.occurrences', '+', 1),
        })),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    await this.db.updateTable('integrations').set({ status: 'error', statusCode: p.code, statusMessage: p.message, updatedAt: at }).where('id', '=', p.integrationId).execute();
    return row;
  }

  /** The open problems of an integration, newest first. */
  listOpen(integrationId: number): Promise<IntegrationProblemRow[]> {
    return this.db.selectFrom('integrationProblems').selectAll().where('integrationId', '=', integrationId).orderBy('lastSeenAt', 'desc').orderBy('id', 'desc').execute();
  }

  /** The open problem of one family, if any. */
  async find(integrationId: number, family: JobFamily): Promise<IntegrationProblemRow | null> {
    return (await this.db.selectFrom('integrationProblems').selectAll().where('integrationId', '=', integrationId).where('family', '=', family).executeTakeFirst()) ?? null;
  }

  /** A family whose job must not run yet (its problem's retry time is ahead). */
  async isBlocked(integrationId: number, family: JobFamily): Promise<boolean> {
    const p = await this.find(integrationId, family);
    return p !== null && p.retryAt > this.clock.now().toISOString();
  }

  /** Every (integration, family) whose scheduled job must not fire now. */
  async blockedNow(): Promise<Array<{ integrationId: number; family: string }>> {
    const rows = await this.db.selectFrom('integrationProblems').select(['integrationId', 'family']).where('retryAt', '>', this.clock.now().toISOString()).execute();
    return rows.map((r) => ({ integrationId: Number(r.integrationId), family: r.family }));
  }

  /** A job of the family succeeded: its problem is gone. */
  async clearFamily(integrationId: number, family: JobFamily): Promise<boolean> {
    const r = await this.db.deleteFrom('integrationProblems').where('integrationId', '=', integrationId).where('family', '=', family).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) return false;
    await this.#restoreStatus(integrationId);
    return true;
  }

  /** The integration's settings or credentials changed: every problem is forgotten and its jobs may run at once. */
  async clearAll(integrationId: number): Promise<number> {
    const r = await this.db.deleteFrom('integrationProblems').where('integrationId', '=', integrationId).executeTakeFirst();
    const n = Number(r.numDeletedRows);
    if (n > 0) await this.#restoreStatus(integrationId);
    return n;
  }

  /** Shows the next open problem, or `ok` — only when the status shows a permission problem now. */
  async #restoreStatus(integrationId: number): Promise<void> {
    const i = await this.db.selectFrom('integrations').select(['statusCode']).where('id', '=', integrationId).executeTakeFirst();
    if (!i || !isPermissionProblemCode(i.statusCode)) return;
    const [next] = await this.listOpen(integrationId);
    const at = this.clock.now().toISOString();
    await this.db
      .updateTable('integrations')
      .set(next ? { status: 'error', statusCode: next.code, statusMessage: next.message, updatedAt: at } : { status: 'ok', statusCode: null, statusMessage: null, updatedAt: at })
      .where('id', '=', integrationId)
      .execute();
  }
}
