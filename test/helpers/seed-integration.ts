/**
 * @module seed-integration (test and benchmark helper)
 * The rows a sync needs before it can run, written straight to the store: a central region, one
 * MoySklad account (its secret encrypted with the given box) and one active integration joining
 * them. Shared by the sync test fixture and the benchmarks (`bench/` imports it).
 */
import type { Kysely } from 'kysely';
import type { SecretBox } from '../../src/core/secret-box.js';
import type { Database, IntegrationRow, MsAccountRow } from '../../src/store/schema.js';

export interface SeedAccount {
  label: string;
  authKind: MsAccountRow['authKind'];
  login: string | null;
  credentialKey: string;
  /** Password or token, stored encrypted. */
  secret: string;
}

export interface SeedAccountInput {
  /** ISO time stamped as createdAt/updatedAt. */
  now: string;
  secretBox: SecretBox;
  /** The MoySklad API base URL (the emulator's). */
  baseUrl: string;
  account: SeedAccount;
}

export type SeedIntegrationValues = Partial<Omit<IntegrationRow, 'id' | 'regionId' | 'msAccountId' | 'createdAt' | 'updatedAt'>>;

export interface SeedIntegrationInput extends SeedAccountInput {
  /** Default: «Центральный» / `central`. */
  region?: { name: string; code: string };
  /** Integration columns (active and status `ok` unless given), or computed once the account row exists. */
  integration?: SeedIntegrationValues | ((msAccountId: number) => Promise<SeedIntegrationValues>);
}

/** Inserts one MoySklad account row; returns its id. */
export async function seedAccountRow(db: Kysely<Database>, input: SeedAccountInput): Promise<number> {
  const { now, secretBox, baseUrl, account } = input;
  const row = await db
    .insertInto('msAccounts')
    .values({
      label: account.label,
      authKind: account.authKind,
      login: account.login,
      credentialKey: account.credentialKey,
      secretEnc: secretBox.encrypt(account.secret),
      baseUrl,
      moyskladAccountId: null,
      createdAt: now,
      updatedAt: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Inserts a central region, an account and an active integration of the two; returns their ids. */
export async function seedIntegrationRows(
  db: Kysely<Database>,
  input: SeedIntegrationInput,
): Promise<{ regionId: number; msAccountId: number; integrationId: number }> {
  const { now } = input;
  const regionValues = input.region ?? { name: 'Центральный', code: 'central' };
  const region = await db
    .insertInto('regions')
    .values({ name: regionValues.name, code: regionValues.code, isCentral: 1, createdAt: now, updatedAt: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  const msAccountId = await seedAccountRow(db, input);
  const extra = typeof input.integration === 'function' ? await input.integration(msAccountId) : (input.integration ?? {});
  const integration = await db
    .insertInto('integrations')
    .values({ regionId: region.id, msAccountId, active: 1, status: 'ok', createdAt: now, updatedAt: now, ...extra })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { regionId: region.id, msAccountId, integrationId: integration.id };
}
