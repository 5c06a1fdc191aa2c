/**
 * @module client-pool
 * One `MoySkladClient` per MoySklad credential (an `ms_accounts` row), shared by every
 * integration (region) that uses it, so that its limiter holds the credential's whole budget.
 *
 * `leaseHandover()` lets the credential's limiter state travel with the queue's credential lease
 * (`ms-account:<id>`): the releasing process leaves its limiter's snapshot on the lease, the process taking
 * the lease over restores it into its client's limiter (now, or when it first builds that client).
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.js';
import { NotFoundError } from '../core/errors.js';
import type { SecretBox } from '../core/secret-box.js';
import { MoySkladClient, type MoySkladClientOptions, type MoySkladCredentials, type MoySkladLogger, type RequestEvent } from '../moysklad/client.js';
import { AdaptiveLimiter, parseLimiterSnapshot, type LimiterSnapshot } from '../moysklad/limiter.js';
import { SyncRowsRepository } from '../store/repositories/sync-rows-repository.js';
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

/** The queue's lease key of an `ms_accounts` row (the queue's default lease resolver uses the same form). */
export const accountLeaseKey = (msAccountId: number): string => `ms-account:${msAccountId}`;

/** The `ms_accounts` id of a lease key `ms-account:<id>`, or undefined for another kind of key. */
export function accountIdOfLeaseKey(key: string): number | undefined {
  const m = /^ms-account:(\d+)$/.exec(key);
  return m ? Number(m[1]) : undefined;
}

/** Structurally the queue's `LeaseHandover` (sync does not import the queue). */
export interface ClientLeaseHandover {
  snapshot(key: string): string | undefined;
  restore(key: string, state: string | null): void;
}

export class MoySkladClientPool {
  readonly #deps: ClientPoolDeps;
  readonly #clients = new Map<number, { version: string; client: MoySkladClient }>();
  /** Limiter state handed over for a credential whose client this process has not built yet. */
  readonly #pendingState = new Map<number, LimiterSnapshot>();

  constructor(deps: ClientPoolDeps) {
    this.#deps = deps;
  }

  /** A client for arbitrary credentials (e.g. checking them before an integration is saved); not cached. */
  clientFor(baseUrl: string, credentials: MoySkladCredentials, label = 'unsaved'): MoySkladClient {
    return new MoySkladClient(this.#options(baseUrl, credentials, { id: 0, label }));
  }

  /** The shared client of one `ms_accounts` row; rebuilt when the row's credentials changed. */
  async forAccount(msAccountId: number): Promise<MoySkladClient> {
    const account = await new SyncRowsRepository(this.#deps.db).msAccount(msAccountId);
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
    // a rebuilt client (changed credentials) continues its predecessor's pacing; a first one a handed-over state
    const previous = cached ? this.limiterSnapshot(account.id) : undefined;
    this.#clients.set(account.id, { version, client });
    const pending = previous ?? this.#pendingState.get(account.id);
    this.#pendingState.delete(account.id);
    if (pending && client.limiter instanceof AdaptiveLimiter) client.limiter.restore(pending);
    return client;
  }

  /** The limiter state of a credential's client in this process (undefined: no client, or no `AdaptiveLimiter`). */
  limiterSnapshot(msAccountId: number): LimiterSnapshot | undefined {
    const limiter = this.#clients.get(msAccountId)?.client.limiter;
    return limiter instanceof AdaptiveLimiter ? limiter.snapshot() : this.#pendingState.get(msAccountId);
  }

  /** Continues another process's limiter state for a credential (see `AdaptiveLimiter.restore`). */
  restoreLimiter(msAccountId: number, snapshot: LimiterSnapshot): void {
    const limiter = this.#clients.get(msAccountId)?.client.limiter;
    if (limiter instanceof AdaptiveLimiter) limiter.restore(snapshot);
    else if (!this.#clients.has(msAccountId)) this.#pendingState.set(msAccountId, snapshot);
  }

  /**
   * The hand-over for the queue's worker (`createWorker({ handover })`): lease keys `ms-account:<id>` map to
   * this pool's client of that `ms_accounts` row; other keys carry nothing. An unreadable state is ignored
   * (the limiter then starts as without hand-over).
   */
  leaseHandover(): ClientLeaseHandover {
    return {
      snapshot: (key) => {
        const id = accountIdOfLeaseKey(key);
        const snap = id === undefined ? undefined : this.limiterSnapshot(id);
        return snap ? JSON.stringify(snap) : undefined;
      },
      restore: (key, state) => {
        const id = accountIdOfLeaseKey(key);
        const snap = id === undefined || state === null ? undefined : parseLimiterSnapshot(state);
        if (id !== undefined && snap) this.restoreLimiter(id, snap);
      },
    };
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
