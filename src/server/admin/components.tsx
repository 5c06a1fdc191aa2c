/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/**
 * @module components
 * Markup several admin pages repeat: the live search box above a list, a filter select with an
 * "all" choice, and the figure columns of a sync-run table. Each renders exactly what the pages
 * wrote inline before.
 */
import type { FC } from 'hono/jsx';
import { runMessageText } from './i18n-staff.js';
import { RunBadge, formatCounts, formatDuration, type ViewContext } from './layout.js';

/**
 * A GET search form over a list: htmx re-fetches `action` as the user types and swaps the block
 * `#<target>` in place (the URL follows, so paging and reload keep the query).
 */
export const SearchForm: FC<{ v: ViewContext; action: string; q: string; placeholder: string; target: string; style?: string; hidden?: Record<string, string> }> = ({
  v,
  action,
  q,
  placeholder,
  target,
  style,
  hidden,
}) => (
  <form method="get" action={action} class="inline" style={style}>
    {Object.entries(hidden ?? {}).map(([name, value]) => (
      <input type="hidden" name={name} value={value} />
    ))}
    <input
      type="search"
      name="q"
      value={q}
      placeholder={placeholder}
      hx-get={action}
      hx-trigger="input changed delay:300ms, search"
      hx-target={`#${target}`}
      hx-select={`#${target}`}
      hx-swap="outerHTML"
      hx-push-url="true"
    />
    <button type="submit" class="secondary">
      {v.t('common.search')}
    </button>
  </form>
);

/** One labelled select of a filter form; the empty value means "all". */
export const SelectFilter: FC<{
  v: ViewContext;
  id: string;
  name: string;
  label: string;
  options: ReadonlyArray<{ value: string; label: string }>;
  selected: string;
}> = ({ v, id, name, label, options, selected }) => (
  <div>
    <label for={id}>{label}</label>
    <select id={id} name={name}>
      <option value="">{v.t('common.all')}</option>
      {options.map((o) => (
        <option value={o.value} selected={o.value === selected}>
          {o.label}
        </option>
      ))}
    </select>
  </div>
);

/** The header cells of a sync run's figures (status … message), after the table's own columns. */
export const RunFigureHeads: FC<{ v: ViewContext }> = ({ v }) => (
  <>
    <th>{v.t('common.status')}</th>
    <th class="num">{v.t('run.duration')}</th>
    <th>{v.t('run.counts')}</th>
    <th class="num">{v.t('run.requests')}</th>
    <th class="num">{v.t('run.errors')}</th>
    <th>{v.t('common.message')}</th>
  </>
);

/** The cells under `RunFigureHeads` for one run. */
export const RunFigureCells: FC<{
  v: ViewContext;
  run: { status: string; durationMs: number | null; requests: number; errors: number; message: string | null };
  counts: Record<string, number>;
}> = ({ v, run, counts }) => (
  <>
    <td>
      <RunBadge v={v} status={run.status} />
    </td>
    <td class="num">{formatDuration(run.durationMs, v.lang)}</td>
    <td>{formatCounts(counts, v.lang)}</td>
    <td class="num">{run.requests}</td>
    <td class="num">{run.errors}</td>
    <td>{runMessageText(run.status, run.message, v.lang)}</td>
  </>
);
