/**
 * @module client-pool
 * One `MoySkladClient` per MoySklad credential (an `ms_accounts` row), shared by every
 * integration (region) that uses it, so that its limiter holds the credential's whole budget.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.js';
import { NotFoundError } from '../core/errors.js';
import type { SecretBox } from '../core/secret-box.js';
import { MoySkladClient, type MoySkladClientOptions, type MoySkladCredentials, type MoySkladLogger, type RequestEvent } from '../moysklad/client.js';
import type { Database, MsAccountRow } from '../store/schema.js';
import { tallyRequest } from './request-scope.js';

export interface ClientPoolDeps {
  db: Kysely<Database>;
  secretBox: SecretBox;
  clock: Clock;
  /** The fetch every client uses (global fetch, or the in-process emulator's in demo mode and tests). */
  fetch?: typeof fetch;
  logger?: MoySkladLogger;
  /** Extra per-request hook (metrics). */
  onRequest?: (event: RequestEvent, account: { id: number; label: string }) => void;
  /** Extra client options (timeouts, retries) applied to every client. */
  clientOptions?: Partial<Omit<MoySkladClientOptions, 'baseUrl' | 'credentials'>>;
}

/** Credentials of an `ms_accounts` row, decrypted. Never log the result. */
export function credentialsOf(account: MsAccountRow, secretBox: SecretBox): MoySkladCredentials {
  const secret = secretBox.decrypt(account.secretEnc);
  switch (account.authKind) {
    case 'password':
      return { kind: 'password', login: account.login ?? '', password: secret };
    case 'user_token':
      return { kind: 'token', token: secret, tokenKind: 'user' };
    case 'solution_token':
      return { kind: 'token', token: secret, tokenKind: 'solution' };
  }
}

export class MoySkladClientPool {
  readonly #deps: ClientPoolDeps;
  readonly #clients = new Map<number, { version: string; client: MoySkladClient }>();

  constructor(deps: ClientPoolDeps) {
    this.#deps = deps;
  }

  /** A client for arbitrary credentials (e.g. checking them before an integration is saved); not cached. */
  clientFor(baseUrl: string, credentials: MoySkladCredentials, label = 'unsaved'): MoySkladClient {
    return new MoySkladClient(this.#options(baseUrl, credentials, { id: 0, label }));
  }

  /** The shared client of one `ms_accounts` row; rebuilt when the row's credentials changed. */
  async forAccount(msAccountId: number): Promise<MoySkladClient> {
    const account = await this.#deps.db.selectFrom('msAccounts').selectAll().where('id', '=', msAccountId).executeTakeFirst();
    if (!account) throw new NotFoundError('MoySklad account', msAccountId);
    return this.forAccountRow(account);
  }

  forAccountRow(account: MsAccountRow): MoySkladClient {
    const version = `${account.updatedAt}|${account.secretEnc}|${account.baseUrl}`;
    const cached = this.#clients.get(account.id);
    if (cached && cached.version === version) return cached.client;
    const client = new MoySkladClient(
      this.#options(account.baseUrl, credentialsOf(account, this.#deps.secretBox), { id: account.id, label: account.label }),
    );
    this.#clients.set(account.id, { version, client });
    return client;
  }

  #options(baseUrl: string, credentials: MoySkladCredentials, account: { id: number; label: string }): MoySkladClientOptions {
    const { fetch, clock, logger, onRequest, clientOptions } = this.#deps;
    const options: MoySkladClientOptions = {
      ...clientOptions,
      baseUrl,
      credentials,
      clock,
      onRequest: (event) => {
        tallyRequest(event);
        onRequest?.(event, account);
        clientOptions?.onRequest?.(event);
      },
    };
    if (fetch) options.fetch = fetch;
    if (logger) options.logger = logger;
    return options;
  }
}
