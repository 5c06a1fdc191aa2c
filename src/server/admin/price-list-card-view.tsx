/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/**
 * @module price-list-card-view
 * A price list's card: the settings form (store from the region's integration R11, frequency only
 * once bound and saved R12, stock type and price type with explanations), «Синхронизировать
 * сейчас» (R13) with its live progress, the list's log of runs and entries (R14), its secret feed
 * link (E5) and its rows with search.
 */
import type { FeedInfo } from '../../store/repositories/price-list-feed-repository.js';
import type { PriceListRow, StockType } from '../../store/schema.js';
import { RunFigureCells, RunFigureHeads, SearchForm } from './components.js';
import { FeedSection } from './feed-pages.js';
import { formatInterval, formatMoney } from './format.js';
import type { MessageKey } from './i18n.js';
import { kindName, levelText, staffLogText, stockTypeText, triggerText } from './i18n-staff.js';
import { Csrf, Page, Pager, formatTime, type Flash, type ViewContext } from './layout.js';
import { LiveRuns, type LiveData } from './progress-block.js';

export const STOCK_TYPES: readonly StockType[] = ['quantity', 'freeStock', 'stock'];
const INTERVALS = [5, 15, 30, 60, 180, 720, 1440];
export const ROWS_PAGE = 50;

export interface CardData {
  pl: PriceListRow;
  region: string;
  stores: Array<{ id: string; name: string }>;
  storesProblem: string | null;
  priceTypes: Array<{ id: string; name: string }>;
  runs: Array<{ id: number; kind: string; trigger: string; status: string; startedAt: string; durationMs: number | null; counts: Record<string, number>; requests: number; errors: number; message: string | null }>;
  entries: Array<{ at: string; level: string; message: string; details?: unknown }>;
  rows: Array<{ brand: string; article: string; name: string; quantity: number; price: number | null }>;
  rowsTotal: number;
  q: string;
  page: number;
  /** E5: the list's secret feed URL, if it has one (never the token). */
  feed: FeedInfo | null;
  live: LiveData;
  afterRunId: number | undefined;
}

/** The card's settings form (R11, R12, stock and price type). */
function SettingsForm({ v, d }: { v: ViewContext; d: CardData }) {
  const pl = d.pl;
  return (
    <form method="post" action={`/admin/price-lists/${pl.id}`} class="card" id="price-list-form">
      <Csrf v={v} />
      <p>
        {v.t('common.region')}: <b>{d.region}</b>
      </p>
      <label for="name">{v.t('common.name')}</label>
      <input type="text" id="name" name="name" value={pl.name} required />
      <label for="msStoreId">{v.t('pl.store')}</label>
      <select id="msStoreId" name="msStoreId">
        <option value="">{v.t('int.noStore')}</option>
        {pl.msStoreId && !d.stores.some((s) => s.id === pl.msStoreId) ? (
          <option value={pl.msStoreId} selected>
            {pl.msStoreId}
          </option>
        ) : null}
        {d.stores.map((s) => (
          <option value={s.id} selected={s.id === pl.msStoreId}>
            {s.name}
          </option>
        ))}
      </select>
      <label for="syncIntervalMinutes">{v.t('pl.interval')}</label>
      {pl.msStoreId ? (
        <select id="syncIntervalMinutes" name="syncIntervalMinutes">
          <option value="">{v.t('pl.intervalOff')}</option>
          {[...new Set([...INTERVALS, ...(pl.syncIntervalMinutes ? [pl.syncIntervalMinutes] : [])])]
            .sort((a, b) => a - b)
            .map((n) => (
              <option value={String(n)} selected={n === pl.syncIntervalMinutes}>
                {formatInterval(n, v.lang)}
              </option>
            ))}
        </select>
      ) : (
        <p class="hint" id="interval-needs-store">
          {v.t('pl.intervalNeedsStore')}
        </p>
      )}
      <label>{v.t('pl.stockType')}</label>
      {STOCK_TYPES.map((st) => (
        <label class="check">
          <input type="radio" name="stockType" value={st} checked={pl.stockType === st} /> <b>{stockTypeText(st, v.lang)}</b> — {v.t(`pl.stockType.${st}` as MessageKey)}
        </label>
      ))}
      <label for="priceTypeMsId">{v.t('pl.priceType')}</label>
      <select id="priceTypeMsId" name="priceTypeMsId">
        <option value="">{v.t('pl.priceTypeDefault')}</option>
        {pl.priceTypeMsId && !d.priceTypes.some((p) => p.id === pl.priceTypeMsId) ? (
          <option value={pl.priceTypeMsId} selected>
            {pl.priceTypeMsId}
          </option>
        ) : null}
        {d.priceTypes.map((p) => (
          <option value={p.id} selected={p.id === pl.priceTypeMsId}>
            {p.name}
          </option>
        ))}
      </select>
      <p class="hint">{v.t('pl.priceTypeHint')}</p>
      <label class="check">
        <input type="checkbox" id="publishWithoutPrice" name="publishWithoutPrice" value="1" checked={pl.publishWithoutPrice === 1} /> {v.t('pl.publishWithoutPrice')}
      </label>
      <p class="hint">{v.t('pl.publishWithoutPriceHint')}</p>
      <label for="deliveryDays">{v.t('pl.deliveryDays')}</label>
      <input type="number" id="deliveryDays" name="deliveryDays" min="0" max="365" value={String(pl.deliveryDays ?? 0)} />
      <div>
        <button type="submit">{v.t('common.save')}</button>
      </div>
    </form>
  );
}

/** R13 «Синхронизировать сейчас» (only once a store is bound). */
function SyncNowForm({ v, pl, storeName }: { v: ViewContext; pl: PriceListRow; storeName: string | null }) {
  return (
    <form method="post" action={`/admin/price-lists/${pl.id}/sync`}>
      <Csrf v={v} />
      <button type="submit" id="sync-now" disabled={!pl.msStoreId}>
        {v.t('pl.syncNow')}
      </button>
      {storeName ? <span class="hint"> {storeName}</span> : <span class="hint"> {v.t('pl.unbound')}</span>}
    </form>
  );
}

/** R14 the list's runs. */
function RunsTable({ v, d }: { v: ViewContext; d: CardData }) {
  if (d.runs.length === 0) return <p class="muted">{v.t('pl.noRuns')}</p>;
  return (
    <table id="price-list-runs">
      <thead>
        <tr>
          <th>{v.t('common.time')}</th>
          <th>{v.t('common.kind')}</th>
          <RunFigureHeads v={v} />
        </tr>
      </thead>
      <tbody>
        {d.runs.map((r) => (
          <tr>
            <td>{formatTime(r.startedAt, v.lang)}</td>
            <td>
              {kindName(r.kind, v.lang)} <span class="muted">({triggerText(r.trigger, v.lang)})</span>
            </td>
            <RunFigureCells v={v} run={r} counts={r.counts} />
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** R14 the list's log entries (none: nothing shown). */
function LogEntries({ v, d }: { v: ViewContext; d: CardData }) {
  if (d.entries.length === 0) return null;
  return (
    <table id="price-list-log" style="margin-top:10px">
      <tbody>
        {d.entries.map((e) => (
          <tr>
            <td style="width:160px">{formatTime(e.at, v.lang)}</td>
            <td style="width:60px">
              <span class={`badge ${e.level === 'error' ? 'error' : e.level === 'warn' ? 'warn' : ''}`}>{levelText(e.level, v.lang)}</span>
            </td>
            <td>{staffLogText(e.message, e.details, v.lang)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The list's rows with search and paging (the block htmx replaces). */
function RowsTable({ v, d }: { v: ViewContext; d: CardData }) {
  if (d.rows.length === 0) return <p class="muted">{v.t('pl.noRows')}</p>;
  return (
    <>
      <table id="price-list-rows">
        <thead>
          <tr>
            <th>{v.t('pl.brand')}</th>
            <th>{v.t('pl.article')}</th>
            <th>{v.t('prod.name')}</th>
            <th class="num">{v.t('pl.quantity')}</th>
            <th class="num">{v.t('pl.price')}</th>
          </tr>
        </thead>
        <tbody>
          {d.rows.map((r) => (
            <tr>
              <td translate="no">{r.brand}</td>
              <td translate="no">{r.article}</td>
              <td translate="no">{r.name}</td>
              <td class="num">{r.quantity}</td>
              <td class="num">{r.price === null ? '' : formatMoney(r.price, v.lang)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** The list's rows with paging (the block htmx replaces on search). */
function RowsBlock({ v, d }: { v: ViewContext; d: CardData }) {
  return (
    <div id="rows-block">
      <RowsTable v={v} d={d} />
      <Pager v={v} base={`/admin/price-lists/${d.pl.id}`} params={d.q ? { q: d.q } : {}} page={d.page} pageSize={ROWS_PAGE} total={d.rowsTotal} />
    </div>
  );
}

export function PriceListCard({ v, d, flash }: { v: ViewContext; d: CardData; flash: Flash | null }) {
  const pl = d.pl;
  const storeName = d.stores.find((s) => s.id === pl.msStoreId)?.name ?? pl.msStoreId;
  return (
    <Page v={v} title={`${v.t('pl.title')}: ${pl.name}`} flash={flash}>
      {d.storesProblem ? (
        <div class="msg error" role="alert">
          {v.t('pl.storesFailed', { problem: d.storesProblem })}
        </div>
      ) : null}
      <SettingsForm v={v} d={d} />

      <SyncNowForm v={v} pl={pl} storeName={storeName} />
      <LiveRuns v={v} scope={{ priceListId: Number(pl.id), ...(d.afterRunId !== undefined ? { afterRunId: d.afterRunId, waiting: true } : {}) }} data={d.live} />

      <h2>{v.t('pl.log')}</h2>
      <RunsTable v={v} d={d} />
      <LogEntries v={v} d={d} />

      <FeedSection v={v} priceListId={Number(pl.id)} feed={d.feed} />

      <h2>{v.t('pl.rowsTitle')}</h2>
      <SearchForm v={v} action={`/admin/price-lists/${pl.id}`} q={d.q} placeholder={v.t('pl.searchPlaceholder')} target="rows-block" />
      <RowsBlock v={v} d={d} />
    </Page>
  );
}
