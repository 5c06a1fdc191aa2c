/**
 * @module integration-setup
 * Creating and configuring integrations (R8–R10, R18, R21–R23, R29), used by the admin panel and
 * usable by the API/CLI. Credentials are checked against MoySklad BEFORE anything is written:
 * a failed check leaves no row behind and never overwrites the stored secret of a login other
 * integrations share (R10). A new integration is saved inactive (`draft`) until the admin has
 * chosen its organization; only then may it be activated.
 *
 * Deactivating or deleting an integration stops its jobs: the syncs refuse inactive (and
 * missing) integrations through `loadIntegrationContext`.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.js';
import { AppError, errorMessage, type AppErrorCode } from '../core/errors.js';
import type { SecretBox } from '../core/secret-box.js';
import type { MoySkladClient, MoySkladCredentials } from '../moysklad/client.js';
import { MoySkladAuthError, MoySkladError } from '../moysklad/errors.js';
import { IntegrationProblemRepository } from '../store/repositories/integration-problem-repository.js';
import { IntegrationRepository, type Integration, type IntegrationOptions } from '../store/repositories/integration-repository.js';
import { OutboxRepository } from '../store/repositories/outbox-repository.js';
import { PERMISSION_PROBLEM_PREFIX } from '../sync/outbox/outbox-drain.js';
import { MsAccountRepository, type MsCredentialsInput } from '../store/repositories/ms-account-repository.js';
import type { Database, MsAuthKind } from '../store/schema.js';
import type { MoySkladClientPool } from '../sync/client-pool.js';

/** What the admin typed: login + password, or a token. */
export type SetupCredentials =
  | { authKind: 'password'; login: string; password: string }
  | { authKind: 'user_token'; token: string };

/** Why a credential check failed, precisely (the admin panel translates the code). */
export type CredentialProblem =
  | 'wrong_credentials'
  | 'token_invalid'
  | 'no_api_access'
  | 'too_many_attempts'
  | 'blocked'
  | 'forbidden'
  | 'unreachable'
  | 'rate_limited'
  | 'server_error'
  | 'bad_response'
  | 'missing_input'
  /** C10 the login works but is not a MoySklad administrator (the seed asks for one). */
  | 'not_admin';

export interface CheckFailure {
  ok: false;
  problem: CredentialProblem;
  /** English technical detail (already free of credentials: the client redacts). */
  detail: string;
}

export interface MsChoice {
  id: string;
  name: string;
}

export type CheckResult = { ok: true; organizations: MsChoice[] } | CheckFailure;

/** Maps what the MoySklad client threw to a precise problem. */
export function credentialProblemOf(e: unknown): CheckFailure {
  if (e instanceof MoySkladAuthError) {
    return { ok: false, problem: e.reason, detail: e.message };
  }
  if (e instanceof MoySkladError) {
    const problem: CredentialProblem =
      e.code === 'moysklad_forbidden'
        ? 'forbidden'
        : e.code === 'moysklad_rate_limited'
          ? 'rate_limited'
          : e.code === 'moysklad_unreachable' || e.code === 'moysklad_timeout'
            ? 'unreachable'
            : e.code === 'moysklad_server_error'
              ? 'server_error'
              : 'bad_response';
    return { ok: false, problem, detail: e.message };
  }
  return { ok: false, problem: 'unreachable', detail: errorMessage(e) };
}

export class SetupError extends AppError {
  constructor(code: AppErrorCode, message: string) {
    super(code, message, { status: 422 });
    this.name = 'SetupError';
  }
}

export interface IntegrationSetupDeps {
  db: Kysely<Database>;
  clock: Clock;
  secretBox: SecretBox;
  clients: MoySkladClientPool;
  /** The MoySklad JSON API base new integrations use (MOYSKLAD_BASE_URL, or the demo emulator's). */
  defaultBaseUrl: string;
  /** Called with every password/token entered or decrypted here, e.g. `(s) => log.redactor.addSecret(s)` (B8). */
  onSecret?: (secret: string) => void;
  /** Called after an integration was activated or deactivated (B3: the composition root enqueues the `webhooks` job). */
  onActiveChanged?: (integrationId: number, active: boolean) => void | Promise<void>;
}

export interface CreateIntegrationInput {
  regionId: number;
  credentials: SetupCredentials;
  baseUrl?: string;
}

export type CreateResult = { ok: true; integration: Integration; organizations: MsChoice[] } | CheckFailure;

/** The choices the settings form offers, read from the integration's MoySklad account. */
export interface IntegrationChoices {
  organizations: MsChoice[];
  folders: Array<MsChoice & { path: string }>;
  stores: MsChoice[];
}

export type SaveOptionsResult = { ok: true; integration: Integration } | { ok: false; problem: 'organization_required' | 'organization_unknown' | 'folder_unknown' | 'store_unknown' | CredentialProblem; detail: string };

function toClientCredentials(c: SetupCredentials): MoySkladCredentials {
  return c.authKind === 'password' ? { kind: 'password', login: c.login.trim(), password: c.password } : { kind: 'token', token: c.token.trim(), tokenKind: 'user' };
}

function toAccountInput(c: SetupCredentials, baseUrl: string): MsCredentialsInput {
  return c.authKind === 'password'
    ? { authKind: 'password', login: c.login.trim(), secret: c.password, baseUrl }
    : { authKind: 'user_token' as MsAuthKind, secret: c.token.trim(), baseUrl };
}

function missing(c: SetupCredentials): boolean {
  return c.authKind === 'password' ? !c.login.trim() || !c.password : !c.token.trim();
}

export class IntegrationSetupService {
  readonly #deps: IntegrationSetupDeps;
  readonly integrations: IntegrationRepository;
  readonly accounts: MsAccountRepository;

  constructor(deps: IntegrationSetupDeps) {
    this.#deps = deps;
    this.integrations = new IntegrationRepository(deps.db, deps.clock);
    this.accounts = new MsAccountRepository(deps.db, deps.clock, deps.secretBox, deps.onSecret ? { onSecret: deps.onSecret } : {});
  }

  get defaultBaseUrl(): string {
    return this.#deps.defaultBaseUrl;
  }

  /**
   * R9/R10, C10: asks MoySklad whether the credentials work and belong to an ADMINISTRATOR (the
   * seed asks for an administrator's login: `GET context/employee` → `permissions.admin`, see
   * md/_general.md «Контекст запроса сотрудника»); the organizations when they do. Writes nothing.
   */
  async checkCredentials(credentials: SetupCredentials, baseUrl = this.#deps.defaultBaseUrl): Promise<CheckResult> {
    if (missing(credentials)) return { ok: false, problem: 'missing_input', detail: 'login and password (or a token) are required' };
    this.#deps.onSecret?.(credentials.authKind === 'password' ? credentials.password : credentials.token.trim());
    const client = this.#deps.clients.clientFor(baseUrl, toClientCredentials(credentials), 'credential check');
    try {
      const orgs = await client.checkCredentials();
      const me = await client.currentEmployee();
      if (!me.admin) return { ok: false, problem: 'not_admin', detail: `${me.login ?? 'this user'} is not a MoySklad administrator` };
      return { ok: true, organizations: orgs.map((o) => ({ id: o.id, name: o.name })) };
    } catch (e) {
      return credentialProblemOf(e);
    }
  }

  /**
   * R8–R10: checks the credentials, then saves the MoySklad account (the same row for the same
   * MoySklad + login, R8) and the region's integration, inactive, as a draft waiting for its
   * organization. On a failed check nothing is written.
   */
  async createIntegration(input: CreateIntegrationInput): Promise<CreateResult> {
    const existing = await this.integrations.findByRegion(input.regionId);
    if (existing) throw new SetupError('integration_exists', `region ${input.regionId} already has integration ${existing.id}`);
    const baseUrl = input.baseUrl ?? this.#deps.defaultBaseUrl;
    const check = await this.checkCredentials(input.credentials, baseUrl);
    if (!check.ok) return check;
    const account = await this.accounts.upsert(toAccountInput(input.credentials, baseUrl));
    const only = check.organizations.length === 1 ? check.organizations[0] : undefined;
    const integration = await this.integrations.create({
      regionId: input.regionId,
      msAccountId: account.id,
      active: false,
      // One organization: preselected, still inactive until the admin ticks "Active".
      organizationMsId: only?.id ?? null,
      organizationName: only?.name ?? null,
    });
    await this.integrations.setStatus(integration.id, 'draft', 'organization_required', 'choose the organization and tick Active');
    return { ok: true, integration: await this.integrations.get(integration.id), organizations: check.organizations };
  }

  /**
   * New credentials for an existing integration: checked first; on failure nothing changes (the
   * shared account keeps its working secret). On success the integration moves to the account
   * of these credentials, and the old account is removed when nothing uses it any more.
   */
  async changeCredentials(integrationId: number, credentials: SetupCredentials, baseUrl?: string): Promise<CheckResult> {
    const integration = await this.integrations.get(integrationId);
    const current = await this.accounts.get(integration.msAccountId);
    const url = baseUrl ?? current.baseUrl;
    const check = await this.checkCredentials(credentials, url);
    if (!check.ok) return check;
    const account = await this.accounts.upsert(toAccountInput(credentials, url));
    if (account.id !== integration.msAccountId) {
      const orgStillThere = check.organizations.some((o) => o.id === integration.organizationMsId);
      await this.integrations.update(integrationId, {
        msAccountId: account.id,
        ...(orgStillThere ? {} : { organizationMsId: null, organizationName: null, active: false, rootFolderMsId: null, defaultStoreMsId: null }),
      });
      await this.accounts.deleteIfUnused(current.id);
    }
    await this.integrations.setStatus(integrationId, 'ok');
    await this.#settingsChanged(integrationId);
    return check;
  }

  /**
   * C10 the admin changed something: the integration's permission problems are forgotten, so its
   * jobs run at their next slot, and the outbox items that waited for them are due now.
   */
  async #settingsChanged(integrationId: number): Promise<void> {
    await new IntegrationProblemRepository(this.#deps.db, this.#deps.clock).clearAll(integrationId);
    await new OutboxRepository(this.#deps.db, this.#deps.clock).redueWaiting(integrationId, PERMISSION_PROBLEM_PREFIX);
  }

  /** The client of the integration's account (works for inactive integrations too). */
  async clientOf(integrationId: number): Promise<MoySkladClient> {
    const integration = await this.integrations.get(integrationId);
    return this.#deps.clients.forAccount(integration.msAccountId);
  }

  /** Organizations, product folders (with their paths) and stores of the integration's account. */
  async choices(integrationId: number): Promise<{ ok: true; choices: IntegrationChoices } | CheckFailure> {
    try {
      const client = await this.clientOf(integrationId);
      const [organizations, folders, stores] = [await client.organizations(), await client.productFolders(), await client.stores()];
      return {
        ok: true,
        choices: {
          organizations: organizations.map((o) => ({ id: o.id, name: o.name })),
          folders: folders
            .map((f) => ({ id: f.id, name: f.name, path: f.pathName ? `${f.pathName}/${f.name}` : f.name }))
            .sort((a, b) => a.path.localeCompare(b.path, 'ru')),
          stores: stores.map((s) => ({ id: s.id, name: s.name })),
        },
      };
    } catch (e) {
      return credentialProblemOf(e);
    }
  }

  /** The MoySklad stores a price list of this region may be bound to (R11): its integration's account's. */
  async storesForRegion(regionId: number): Promise<{ ok: true; stores: MsChoice[] } | CheckFailure | { ok: false; problem: 'no_integration'; detail: string }> {
    const integration = await this.integrations.findByRegion(regionId);
    if (!integration) return { ok: false, problem: 'no_integration', detail: `region ${regionId} has no integration` };
    try {
      const client = await this.#deps.clients.forAccount(integration.msAccountId);
      return { ok: true, stores: (await client.stores()).map((s) => ({ id: s.id, name: s.name })) };
    } catch (e) {
      return credentialProblemOf(e);
    }
  }

  /**
   * R9, R18, R21–R23, R29: saves the options. Activating needs an organization that exists in the
   * account (checked against MoySklad); the root folder and default store must be the account's.
   * A refused save changes nothing.
   */
  async saveOptions(integrationId: number, options: IntegrationOptions): Promise<SaveOptionsResult> {
    const integration = await this.integrations.get(integrationId);
    const orgId = options.organizationMsId !== undefined ? options.organizationMsId : integration.organizationMsId;
    const active = options.active ?? integration.active;
    if (active && !orgId) return { ok: false, problem: 'organization_required', detail: 'an active integration needs an organization' };
    const patch: IntegrationOptions = { ...options };
    const needsCheck = orgId !== integration.organizationMsId || (active && !integration.active) || options.rootFolderMsId || options.defaultStoreMsId;
    if (needsCheck) {
      const got = await this.choices(integrationId);
      if (!got.ok) return got;
      if (orgId) {
        const org = got.choices.organizations.find((o) => o.id === orgId);
        if (!org) return { ok: false, problem: 'organization_unknown', detail: `organization ${orgId} is not in this MoySklad account` };
        patch.organizationName = org.name;
      } else patch.organizationName = null;
      if (options.rootFolderMsId && !got.choices.folders.some((f) => f.id === options.rootFolderMsId)) {
        return { ok: false, problem: 'folder_unknown', detail: `folder ${options.rootFolderMsId} is not in this MoySklad account` };
      }
      if (options.defaultStoreMsId && !got.choices.stores.some((s) => s.id === options.defaultStoreMsId)) {
        return { ok: false, problem: 'store_unknown', detail: `store ${options.defaultStoreMsId} is not in this MoySklad account` };
      }
    }
    await this.integrations.update(integrationId, patch);
    await this.#settingsChanged(integrationId);
    const saved = active
      ? await this.integrations.setStatus(integrationId, 'ok')
      : await this.integrations.setStatus(integrationId, 'draft', orgId ? 'inactive' : 'organization_required', orgId ? 'not active' : 'choose the organization and tick Active');
    if (Boolean(active) !== Boolean(integration.active)) await this.#activeChanged(integrationId, Boolean(active));
    return { ok: true, integration: saved };
  }

  /** Deactivates: the syncs refuse it from now on (queued jobs of it end as `integration_inactive`). */
  async deactivate(integrationId: number): Promise<Integration> {
    const was = await this.integrations.get(integrationId);
    await this.integrations.update(integrationId, { active: false });
    const saved = await this.integrations.setStatus(integrationId, 'draft', 'inactive', 'not active');
    if (was.active) await this.#activeChanged(integrationId, false);
    return saved;
  }

  /** Tells the composition root; a failing listener never undoes the save. */
  async #activeChanged(integrationId: number, active: boolean): Promise<void> {
    try {
      await this.#deps.onActiveChanged?.(integrationId, active);
    } catch {
      // The nightly `webhooks` run reconciles anyway.
    }
  }

  /**
   * Deletes the integration (its runs and log lines go with it) and its MoySklad account when no
   * other region uses that login. Queued jobs of it fail with `not_found` and are not retried.
   */
  async deleteIntegration(integrationId: number): Promise<void> {
    const integration = await this.integrations.get(integrationId);
    await this.integrations.delete(integrationId);
    await this.accounts.deleteIfUnused(integration.msAccountId);
  }
}
