/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/**
 * @module accounts-pages
 * The accounts area of the admin panel: a region's time zone (C14) and phone country (C13), the
 * integration's MoySklad problems with what to change in MoySklad (C10), and the clients with their
 * MoySklad balance and card state (C12, «нет карточки в МойСклад»). Logic lives in `src/app` and
 * the repositories; these views only call them.
 */
import type { Hono } from 'hono';
import { updateRegion } from '../../app/region-service.js';
import { formatMoney } from "./format.js";
import { canonicalTimeZone } from '../../core/time-zone.js';
import { isRegionCountry, REGION_COUNTRIES } from '../../domain/phone.js';
import { JOB_FAMILIES, type JobFamily } from '../../domain/permission-problem.js';
import { BalanceRepository } from '../../store/repositories/balance-repository.js';
import type { Region } from '../../store/repositories/region-repository.js';
import type { IntegrationProblemRow } from '../../store/schema.js';
import type { AdminEnv, AdminPanelDeps } from './admin-helpers.js';
import { field, flashFromQuery, idParam, pageParam } from './admin-helpers.js';
import type { MessageKey } from './i18n.js';
import { Csrf, Page, Pager, formatTime, type ViewContext } from './layout.js';

/** Time zones offered for Russia and the CIS (any IANA name is accepted). */
export const OFFERED_TIME_ZONES = [
  'Europe/Kaliningrad',
  'Europe/Moscow',
  'Europe/Samara',
  'Asia/Yekaterinburg',
  'Asia/Omsk',
  'Asia/Novosibirsk',
  'Asia/Krasnoyarsk',
  'Asia/Irkutsk',
  'Asia/Yakutsk',
  'Asia/Vladivostok',
  'Asia/Magadan',
  'Asia/Kamchatka',
  'Europe/Minsk',
  'Asia/Almaty',
  'Asia/Tashkent',
  'Asia/Bishkek',
  'Asia/Yerevan',
  'Asia/Baku',
  'Asia/Dushanbe',
  'Europe/Chisinau',
  'Asia/Tbilisi',
  'Asia/Ashgabat',
] as const;

/** The time zone and country inputs of a region form. */
export function RegionFields({ v, timeZone, country }: { v: ViewContext; timeZone: string; country: string }) {
  return (
    <>
      <div>
        <label for="regionTimeZone">{v.t('region.timeZone')}</label>
        <input type="text" id="regionTimeZone" name="timeZone" value={timeZone} list="time-zones" required />
        <datalist id="time-zones">
          {OFFERED_TIME_ZONES.map((z) => (
            <option value={z} />
          ))}
        </datalist>
      </div>
      <div>
        <label for="regionCountry">{v.t('region.country')}</label>
        <select id="regionCountry" name="country">
          {REGION_COUNTRIES.map((c) => (
            <option value={c} selected={c === country}>
              {c}
            </option>
          ))}
        </select>
      </div>
    </>
  );
}

/** The region card of an integration's settings page. */
export function RegionCard({ v, region, back }: { v: ViewContext; region: Region; back: string }) {
  return (
    <form method="post" action={`/admin/regions/${region.id}`} class="card" id="region-settings">
      <Csrf v={v} />
      <input type="hidden" name="back" value={back} />
      <p class="hint">{v.t('region.zoneHint')}</p>
      <RegionFields v={v} timeZone={region.timeZone} country={region.country} />
      <div>
        <button type="submit" class="secondary">
          {v.t('common.save')}
        </button>
      </div>
    </form>
  );
}

const familyKey = (family: string): MessageKey => `problems.family.${(JOB_FAMILIES as readonly string[]).includes(family) ? (family as JobFamily) : 'other'}` as MessageKey;

/** C10 the integration's open MoySklad problems: what to change in MoySklad, per sync. */
export function ProblemsCard({ v, problems }: { v: ViewContext; problems: IntegrationProblemRow[] }) {
  if (problems.length === 0) return null;
  return (
    <div class="card" id="integration-problems" role="alert">
      <h2>{v.t('problems.title')}</h2>
      {problems.map((p) => (
        <div class="msg error" data-problem={p.code}>
          <strong>{v.t(familyKey(p.family))}:</strong> {p.message}
          <div class="muted">{v.t('problems.since', { at: formatTime(p.detectedAt, v.lang), n: Number(p.occurrences), retry: formatTime(p.retryAt, v.lang) })}</div>
        </div>
      ))}
      <p class="hint">{v.t('problems.hint')}</p>
    </div>
  );
}

const PAGE_SIZE = 100;

function cardText(v: ViewContext, state: string | null): string {
  return v.t(state === 'linked' || state === 'none' || state === 'ambiguous' ? `clients.card.${state}` : 'clients.card.unknown');
}

export function registerAccountsRoutes(admin: Hono<AdminEnv>, deps: AdminPanelDeps): void {
  const { db, clock } = deps;

  // C13, C14: a region's time zone and phone country (from an integration's settings page).
  admin.post('/regions/:id', async (c) => {
    const v = c.get('view');
    const id = idParam(c);
    const form = await c.req.parseBody();
    const back = field(form, 'back') || '/admin/integrations';
    const safeBack = back.startsWith('/admin/') ? back : '/admin/integrations';
    const timeZone = canonicalTimeZone(field(form, 'timeZone'));
    const country = field(form, 'country');
    if (!id) return c.html(<Page v={v} title={v.t('common.notFound')} />, 404);
    if (!timeZone || !isRegionCountry(country)) return c.redirect(`${safeBack}?error=region.badTimeZone`, 302);
    await updateRegion({ db, clock }, id, { timeZone, country });
    return c.redirect(`${safeBack}?done=region.saved`, 302);
  });

  // C12: clients with their MoySklad balance and card state.
  admin.get('/clients', async (c) => {
    const v = c.get('view');
    const q = c.req.query('q') ?? '';
    const page = pageParam(c);
    const { items, total } = await new BalanceRepository(db, clock).listClients({ q, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
    return c.html(
      <Page v={v} title={v.t('clients.title')} flash={flashFromQuery(c)}>
        <p class="hint">{v.t('clients.hint')}</p>
        <form method="get" action="/admin/clients" class="card inline">
          <input type="search" name="q" value={q} placeholder={v.t('clients.search')} aria-label={v.t('clients.search')} />
          <button type="submit" class="secondary">
            {v.t('logs.filter')}
          </button>
        </form>
        {items.length === 0 ? (
          <p class="card">{v.t('clients.empty')}</p>
        ) : (
          <table id="clients">
            <thead>
              <tr>
                <th>{v.t('clients.name')}</th>
                <th>{v.t('clients.card')}</th>
                <th>{v.t('clients.balance')}</th>
                <th>{v.t('clients.readAt')}</th>
                <th>{v.t('clients.problem')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr data-client={String(r.counterpartyId)} data-card={r.cardState ?? 'unknown'}>
                  <td>
                    {r.name}
                    <div class="muted">{[r.inn, r.email, r.phone].filter(Boolean).join(' · ')}</div>
                  </td>
                  <td>
                    <span class={`badge ${r.cardState === 'linked' ? 'ok' : r.cardState ? 'warn' : ''}`}>{cardText(v, r.cardState)}</span>
                  </td>
                  <td>{formatMoney(r.balance, v.lang)}</td>
                  <td>{formatTime(r.readAt, v.lang)}</td>
                  <td>{r.lastError ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <Pager v={v} base="/admin/clients" params={q ? { q } : {}} page={page} pageSize={PAGE_SIZE} total={total} />
      </Page>,
    );
  });
}
