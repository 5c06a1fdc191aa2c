/**
 * @module ms-account-repository
 * MoySklad credentials (R8): one row per login or token, shared by every integration using it.
 * The password/token is encrypted with `SecretBox`; the domain object never carries it.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { NotFoundError } from '../../core/errors.js';
import type { SecretBox } from '../../core/secret-box.js';
import { nowIso } from '../database.js';
import type { Db } from '../db.js';
import type { MsAccountRow, MsAuthKind } from '../schema.js';

/** A MoySklad account without its secret. */
export type MsAccount = Omit<MsAccountRow, 'secretEnc' | 'credentialKey'>;

export interface MsCredentialsInput {
  label?: string;
  authKind: MsAuthKind;
  /** Required for `password`. */
  login?: string | null;
  /** The password or token (plain; encrypted before storage). */
  secret: string;
  baseUrl: string;
}

/** Decrypted credentials, for the MoySklad client only. Never log this object. */
export interface MsCredentials {
  accountId: number;
  authKind: MsAuthKind;
  login: string | null;
  secret: string;
  baseUrl: string;
}

export function credentialKeyOf(input: Pick<MsCredentialsInput, 'authKind' | 'login' | 'secret'>): string {
  if (input.authKind === 'password') return (input.login ?? '').trim().toLowerCase();
  return createHash('sha256').update(input.secret).digest('hex');
}

const normalizeBaseUrl = (u: string): string => u.trim().replace(/\/+$/, '');

function toMsAccount(row: MsAccountRow): MsAccount {
  const { secretEnc: _s, credentialKey: _k, ...rest } = row;
  return rest;
}

export interface MsAccountRepositoryOptions {
  /**
   * Called with every secret this repository decrypts or stores, e.g.
   * `(s) => redactor.addSecret(s)` so that logs scrub it wherever it appears (B8).
   */
  onSecret?: (secret: string) => void;
}

export class MsAccountRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly box: SecretBox,
    private readonly options: MsAccountRepositoryOptions = {},
  ) {}

  async list(): Promise<MsAccount[]> {
    return (await this.db.selectFrom('msAccounts').selectAll().orderBy('id').execute()).map(toMsAccount);
  }

  async find(id: number): Promise<MsAccount | null> {
    const row = await this.db.selectFrom('msAccounts').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toMsAccount(row) : null;
  }

  async get(id: number): Promise<MsAccount> {
    const a = await this.find(id);
    if (!a) throw new NotFoundError('ms_account', id);
    return a;
  }

  /**
   * The account for these credentials: found by (baseUrl, authKind, login or token hash) and
   * updated (new password, label), or created. Same login on the same MoySklad = same row (R8).
   */
  async upsert(input: MsCredentialsInput): Promise<MsAccount> {
    if (input.authKind === 'password' && !input.login?.trim()) throw new Error('login is required for password credentials');
    const at = nowIso(this.clock);
    const baseUrl = normalizeBaseUrl(input.baseUrl);
    const credentialKey = credentialKeyOf(input);
    const login = input.authKind === 'password' ? (input.login ?? '').trim() : null;
    const label = input.label ?? (login ? `${login}` : `token …${input.secret.slice(-4)}`);
    this.options.onSecret?.(input.secret);
    const secretEnc = this.box.encrypt(input.secret);
    const row = await this.db
      .insertInto('msAccounts')
      .values({ label, authKind: input.authKind, login, credentialKey, secretEnc, baseUrl, moyskladAccountId: null, createdAt: at, updatedAt: at })
      .onConflict((oc) =>
        oc.columns(['baseUrl', 'authKind', 'credentialKey']).doUpdateSet({ secretEnc, label, login, updatedAt: at }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return toMsAccount(row);
  }

  async setMoyskladAccountId(id: number, moyskladAccountId: string): Promise<void> {
    await this.db
      .updateTable('msAccounts')
      .set({ moyskladAccountId, updatedAt: nowIso(this.clock) })
      .where('id', '=', id)
      .execute();
  }

  async findByMoyskladAccountId(moyskladAccountId: string): Promise<MsAccount[]> {
    const rows = await this.db.selectFrom('msAccounts').selectAll().where('moyskladAccountId', '=', moyskladAccountId).execute();
    return rows.map(toMsAccount);
  }

  /** Decrypted credentials for the MoySklad client. */
  async credentials(id: number): Promise<MsCredentials> {
    const row = await this.db.selectFrom('msAccounts').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError('ms_account', id);
    const secret = this.box.decrypt(row.secretEnc);
    this.options.onSecret?.(secret);
    return { accountId: row.id, authKind: row.authKind, login: row.login, secret, baseUrl: row.baseUrl };
  }

  /** Deletes the account when no integration uses it any more; returns whether it was deleted. */
  async deleteIfUnused(id: number): Promise<boolean> {
    const used = await this.db.selectFrom('integrations').select('id').where('msAccountId', '=', id).executeTakeFirst();
    if (used) return false;
    const r = await this.db.deleteFrom('msAccounts').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
