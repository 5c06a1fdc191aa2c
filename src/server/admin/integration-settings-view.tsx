/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/**
 * @module integration-settings-view
 * The integration's settings page (organization, options, region, MoySklad webhooks, runs with
 * live progress, credentials, deactivation) and the one status of an integration shown to staff.
 */
import type { CheckFailure, IntegrationChoices } from '../../setup/integration-setup.js';
import type { Integration } from '../../store/repositories/integration-repository.js';
import type { Region } from '../../store/repositories/region-repository.js';
import type { IntegrationProblemRow } from '../../store/schema.js';
import { ProblemsCard, RegionCard } from './accounts-pages.js';
import { kindAbout, kindName } from './i18n-staff.js';
import { isMessageKey, type MessageKey } from './i18n.js';
import { Csrf, Page, type Flash, type ViewContext } from './layout.js';
import { LiveRuns, type LiveData } from './progress-block.js';

/** The admin-facing sentence for a setup problem code. */
export function problemText(v: ViewContext, problem: string, _detail?: string): string {
  const key = `problem.${problem}`;
  return isMessageKey(key) ? v.t(key) : v.t('problem.unknown');
}

/** One status of an integration for people: off (draft until an organization is chosen), working, or an error. */
export function integrationState(i: Pick<Integration, 'active' | 'status' | 'organizationMsId'>): 'draft' | 'off' | 'ok' | 'error' {
  if (i.active && i.status === 'error') return 'error';
  if (i.active) return 'ok';
  return i.organizationMsId ? 'off' : 'draft';
}

export const StateBadge = ({ v, i }: { v: ViewContext; i: Pick<Integration, 'active' | 'status' | 'organizationMsId'> }) => {
  const s = integrationState(i);
  return (
    <span class={`badge ${s === 'off' ? '' : s}`} data-state={s}>
      {v.t(`int.state.${s}` as MessageKey)}
    </span>
  );
};

export interface SettingsData {
  integration: Integration;
  region: string;
  regionRow: Region;
  /** C10 open MoySklad permission or tariff problems. */
  problems: IntegrationProblemRow[];
  account: { login: string | null; authKind: string; label: string };
  choices: IntegrationChoices | null;
  choicesProblem: CheckFailure | null;
  categories: Array<{ id: number; name: string }>;
  kinds: Array<{ kind: string; description: string }>;
  live: LiveData;
  afterRunId: number | undefined;
  /** The `webhooks` kind is registered (PUBLIC_BASE_URL set): the re-register button works. */
  webhooksKind: boolean;
}

const WEBHOOK_STATES = new Set(['registered', 'removed', 'skipped', 'refused', 'error']);

/** B3: the account's webhook status line (`integrations.webhook_state/webhook_message`). */
export function webhookStatusText(v: ViewContext, state: string | null | undefined, message: string | null | undefined): string {
  const s = state && WEBHOOK_STATES.has(state) ? state : 'none';
  return v.t(`int.webhooks.${s}` as MessageKey, { message: message ?? '' });
}

function WebhookStatus({ v, i, canRegister }: { v: ViewContext; i: Integration; canRegister: boolean }) {
  const state = i.webhookState ?? null;
  const badge = state === 'registered' ? 'ok' : state === 'error' ? 'error' : state === 'refused' || state === 'skipped' ? 'warn' : '';
  return (
    <div class="card" id="integration-webhooks">
      <p>
        <span class={`badge ${badge}`} data-webhook-state={state ?? 'none'}>
          {webhookStatusText(v, state, i.webhookMessage)}
        </span>
      </p>
      <p class="hint">{v.t('int.webhooksHint')}</p>
      {canRegister ? (
        <form method="post" action={`/admin/integrations/${i.id}/webhooks`} class="inline">
          <Csrf v={v} />
          <button type="submit" class="secondary" disabled={!i.active}>
            {v.t('int.webhooksRegister')}
          </button>
        </form>
      ) : null}
    </div>
  );
}

function Options<T extends { id: string; name: string; path?: string }>({ items, current, empty }: { items: T[]; current: string | null; empty: string }) {
  const known = items.some((i) => i.id === current);
  return (
    <>
      <option value="">{empty}</option>
      {current && !known ? (
        <option value={current} selected>
          {current}
        </option>
      ) : null}
      {items.map((i) => (
        <option value={i.id} selected={i.id === current}>
          {i.path ?? i.name}
        </option>
      ))}
    </>
  );
}

export function SettingsPage({ v, d, flash }: { v: ViewContext; d: SettingsData; flash: Flash | null }) {
  const i = d.integration;
  const ch = d.choices ?? { organizations: [], folders: [], stores: [] };
  const check = (name: string, on: boolean, key: MessageKey) => (
    <label class="check">
      <input type="checkbox" name={name} value="1" checked={on} /> {v.t(key)}
    </label>
  );
  return (
    <Page v={v} title={`${v.t('int.settings')}: ${d.region}`} flash={flash}>
      {d.choicesProblem ? (
        <div class="msg error" role="alert">
          {v.t('int.choicesFailed', { problem: problemText(v, d.choicesProblem.problem, d.choicesProblem.detail) })}
        </div>
      ) : null}
      <p>
        <StateBadge v={v} i={i} /> {d.account.login ?? d.account.label}
      </p>
      {i.status === 'error' && i.statusMessage ? <p class="msg error">{i.statusMessage}</p> : null}
      <ProblemsCard v={v} problems={d.problems} />
      <form method="post" action={`/admin/integrations/${i.id}`} class="card" id="integration-options">
        <Csrf v={v} />
        <label for="organizationMsId">{v.t('int.organization')}</label>
        <select id="organizationMsId" name="organizationMsId">
          <Options items={ch.organizations} current={i.organizationMsId} empty={v.t('int.chooseOrg')} />
        </select>
        {check('active', i.active, 'int.active')}
        {check('exportPurchaseOrders', i.exportPurchaseOrders, 'int.exportPurchaseOrders')}
        {check('deleteRejectedPositions', i.deleteRejectedPositions, 'int.deleteRejected')}
        {check('reservePositions', i.reservePositions, 'int.reservePositions')}
        {check('importPhotos', i.importPhotos, 'int.importPhotos')}
        {check('categorySyncEnabled', i.categorySyncEnabled, 'int.categorySync')}
        <label for="rootFolderMsId">{v.t('int.rootFolder')}</label>
        <select id="rootFolderMsId" name="rootFolderMsId">
          <Options items={ch.folders} current={i.rootFolderMsId} empty={v.t('int.allFolders')} />
        </select>
        <label for="siteCategoryId">{v.t('int.siteCategory')}</label>
        <select id="siteCategoryId" name="siteCategoryId">
          <Options items={d.categories.map((c) => ({ id: String(c.id), name: c.name }))} current={i.siteCategoryId === null ? null : String(i.siteCategoryId)} empty={v.t('int.noSiteCategory')} />
        </select>
        {check('balanceSyncEnabled', i.balanceSyncEnabled, 'int.balanceSync')}
        <label for="defaultStoreMsId">{v.t('int.defaultStore')}</label>
        <select id="defaultStoreMsId" name="defaultStoreMsId">
          <Options items={ch.stores} current={i.defaultStoreMsId} empty={v.t('int.noStore')} />
        </select>
        <div>
          <button type="submit">{v.t('common.save')}</button>
        </div>
      </form>

      <h2>{v.t('region.section')}</h2>
      <RegionCard v={v} region={d.regionRow} back={`/admin/integrations/${i.id}`} />

      <h2>{v.t('int.webhooks')}</h2>
      <WebhookStatus v={v} i={i} canRegister={d.webhooksKind} />

      <h2>{v.t('int.syncs')}</h2>
      <LiveRuns v={v} scope={{ integrationId: i.id, ...(d.afterRunId !== undefined ? { afterRunId: d.afterRunId, waiting: true } : {}) }} data={d.live} />
      <div class="card">
        {i.active ? null : <p class="hint">{v.t('int.syncsNeedActive')}</p>}
        {d.kinds.map((k) => (
          <form method="post" action={`/admin/integrations/${i.id}/sync`} class="inline sync-kind" style="margin:4px 0">
            <Csrf v={v} />
            <input type="hidden" name="kind" value={k.kind} />
            <button type="submit" class="secondary" disabled={!i.active}>
              {v.t('common.run')}: {kindName(k.kind, v.lang)}
            </button>
            <span class="hint">{kindAbout(k.kind, v.lang)}</span>
          </form>
        ))}
      </div>

      <h2>{v.t('int.credentials')}</h2>
      <form method="post" action={`/admin/integrations/${i.id}/credentials`} class="card">
        <Csrf v={v} />
        <input type="hidden" name="authKind" value={d.account.authKind === 'password' ? 'password' : 'user_token'} />
        {d.account.authKind === 'password' ? (
          <>
            <label for="cred-login">{v.t('int.login')}</label>
            <input type="text" id="cred-login" name="login" value={d.account.login ?? ''} autocomplete="off" />
            <label for="cred-password">{v.t('int.password')}</label>
            <input type="password" id="cred-password" name="password" value="" placeholder={v.t('common.leaveEmpty')} autocomplete="new-password" />
          </>
        ) : (
          <>
            <label for="cred-token">{v.t('int.token')}</label>
            <input type="password" id="cred-token" name="token" value="" placeholder={v.t('common.leaveEmpty')} autocomplete="off" />
          </>
        )}
        <button type="submit" class="secondary">
          {v.t('int.changeCredentials')}
        </button>
      </form>

      <h2>{v.t('int.danger')}</h2>
      <div class="card inline">
        <form method="post" action={`/admin/integrations/${i.id}/deactivate`}>
          <Csrf v={v} />
          <button type="submit" class="secondary" disabled={!i.active}>
            {v.t('int.deactivate')}
          </button>
        </form>
        <form method="post" action={`/admin/integrations/${i.id}/delete`} hx-post={`/admin/integrations/${i.id}/delete`} hx-confirm={v.t('int.deleteConfirm')}>
          <Csrf v={v} />
          <button type="submit" class="danger">
            {v.t('common.delete')}
          </button>
        </form>
      </div>
    </Page>
  );
}

