/**
 * @module permission-problems
 * C10 what a sync does when MoySklad refuses it for a permission or tariff reason (13004, 1043,
 * 1016–1018, 1045, 30004, …): the integration's status gets the Russian sentence saying what to
 * change in MoySklad, the run logs ONE line with it, and the job's family waits `PROBLEM_RETRY_MS`
 * before its schedule fires again (or until the integration's settings change) — no hot retries.
 * A later success of the family clears it. `recordRun` calls both for every run.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.js';
import { jobFamilyOf, permissionProblemOf, PROBLEM_RETRY_MS, PROBLEM_TEXT, type PermissionProblemCode } from '../domain/permission-problem.js';
import { MoySkladError } from '../moysklad/errors.js';
import { IntegrationProblemRepository } from '../store/repositories/integration-problem-repository.js';
import type { Database } from '../store/schema.js';

export interface NotedProblem {
  code: PermissionProblemCode;
  msCode: number | null;
  /** Russian: what to change in MoySklad. */
  message: string;
  retryAt: Date;
}

/** The permission or tariff problem a thrown error carries (a MoySklad refusal), or null. */
export function problemOfError(e: unknown): { code: PermissionProblemCode; msCode: number | null } | null {
  const ms = e instanceof MoySkladError ? e : e instanceof Error && e.cause instanceof MoySkladError ? e.cause : null;
  if (!ms) return null;
  const code = permissionProblemOf({ status: ms.msStatus, msCode: ms.msCode, path: ms.path });
  return code ? { code, msCode: ms.msCode ?? null } : null;
}

/** Records the problem of a failed job of `kind` for the integration, when the failure is one. */
export async function notePermissionProblem(db: Kysely<Database>, clock: Clock, integrationId: number | null | undefined, kind: string, error: unknown): Promise<NotedProblem | null> {
  const p = problemOfError(error);
  if (!p || integrationId === null || integrationId === undefined) return null;
  const message = PROBLEM_TEXT[p.code].ru;
  const retryAt = new Date(clock.nowMs() + PROBLEM_RETRY_MS);
  await new IntegrationProblemRepository(db, clock).record({ integrationId, family: jobFamilyOf(kind), code: p.code, msCode: p.msCode, message, retryAt });
  return { code: p.code, msCode: p.msCode, message, retryAt };
}

/** A job of `kind` succeeded for the integration: its family's problem is gone. */
export async function clearPermissionProblem(db: Kysely<Database>, clock: Clock, integrationId: number | null | undefined, kind: string): Promise<void> {
  if (integrationId === null || integrationId === undefined) return;
  await new IntegrationProblemRepository(db, clock).clearFamily(integrationId, jobFamilyOf(kind));
}
