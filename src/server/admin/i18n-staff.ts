/**
 * @module i18n-staff
 * Translation tables for what the syncs store as codes and the panel shows to shop staff: job
 * kinds (a short name and a sentence), run triggers, run counters, log levels and stock types.
 * Every lookup has a fallback that never shows the code itself (an unknown counter is left out,
 * an unknown kind is «синхронизация»), so a new code can never leak into a page.
 */
import { logMessageText, plainErrorText, storedLogMessage, type LogError } from '../../domain/log-messages.js';
import { KIND_TEXTS } from '../../domain/sync-kind-texts.js';
import { formatDateTime } from './format.js';
import type { Lang } from './i18n.js';

type Texts = { ru: string; en: string };

export { KIND_TEXTS } from '../../domain/sync-kind-texts.js';

export const TRIGGER_TEXTS: Readonly<Record<string, Texts>> = {
  schedule: { ru: 'по расписанию', en: 'on schedule' },
  manual: { ru: 'вручную', en: 'by hand' },
  admin: { ru: 'из панели', en: 'from the panel' },
  api: { ru: 'через API', en: 'through the API' },
  cli: { ru: 'из командной строки', en: 'from the command line' },
  webhook: { ru: 'по уведомлению МойСклад', en: 'on a MoySklad notification' },
  retry: { ru: 'повтор', en: 'retry' },
  order: { ru: 'после заказа', en: 'after an order' },
  test: { ru: 'проверка', en: 'test' },
};

/** Run counters; a counter without a line here is not shown. */
export const COUNT_TEXTS: Readonly<Record<string, Texts>> = {
  created: { ru: 'создано', en: 'created' },
  updated: { ru: 'обновлено', en: 'updated' },
  unchanged: { ru: 'без изменений', en: 'unchanged' },
  skipped: { ru: 'пропущено', en: 'skipped' },
  archived: { ru: 'в архиве', en: 'archived' },
  deleted: { ru: 'удалено', en: 'deleted' },
  outsideRoot: { ru: 'вне корневой группы', en: 'outside the root folder' },
  rows: { ru: 'строк', en: 'rows' },
  added: { ru: 'добавлено', en: 'added' },
  changed: { ru: 'изменено', en: 'changed' },
  zeroed: { ru: 'обнулено', en: 'zeroed' },
  removed: { ru: 'убрано', en: 'removed' },
  missingProducts: { ru: 'нет товара', en: 'product missing' },
  unusableProducts: { ru: 'товар с ошибкой', en: 'product with a problem' },
  noPrice: { ru: 'без цены', en: 'without a price' },
  errors: { ru: 'ошибок', en: 'errors' },
  sent: { ru: 'отправлено', en: 'sent' },
  retried: { ru: 'к повтору', en: 'to retry' },
  deferred: { ru: 'ждут', en: 'waiting' },
  failed: { ru: 'не удалось', en: 'failed' },
  matched: { ru: 'найдено', en: 'matched' },
  ambiguous: { ru: 'неоднозначно', en: 'ambiguous' },
  checked: { ru: 'проверено', en: 'checked' },
  missing: { ru: 'нет в МойСклад', en: 'not in MoySklad' },
  stillPresent: { ru: 'есть в МойСклад', en: 'still in MoySklad' },
  read: { ru: 'прочитано', en: 'read' },
  delivered: { ru: 'доставлено', en: 'delivered' },
  attempted: { ru: 'попыток', en: 'attempts' },
  downloaded: { ru: 'загружено', en: 'downloaded' },
  handedOver: { ru: 'передано', en: 'handed over' },
};

export const LEVEL_TEXTS: Readonly<Record<string, Texts>> = {
  debug: { ru: 'отладка', en: 'debug' },
  info: { ru: 'сведения', en: 'info' },
  warn: { ru: 'предупреждение', en: 'warning' },
  error: { ru: 'ошибка', en: 'error' },
};

export const STOCK_TYPE_TEXTS: Readonly<Record<string, Texts>> = {
  quantity: { ru: 'Доступно', en: 'Available' },
  freeStock: { ru: 'Свободный остаток', en: 'Free stock' },
  stock: { ru: 'Остаток', en: 'Stock' },
};

export function kindName(kind: string, lang: Lang): string {
  return KIND_TEXTS[kind]?.name[lang] ?? (lang === 'ru' ? 'Синхронизация' : 'Sync');
}

export function kindAbout(kind: string, lang: Lang): string {
  return KIND_TEXTS[kind]?.about[lang] ?? '';
}

export function triggerText(trigger: string, lang: Lang): string {
  return TRIGGER_TEXTS[trigger]?.[lang] ?? (lang === 'ru' ? 'автоматически' : 'automatically');
}

export function levelText(level: string, lang: Lang): string {
  return LEVEL_TEXTS[level]?.[lang] ?? level;
}

export function stockTypeText(stockType: string, lang: Lang): string {
  return STOCK_TYPE_TEXTS[stockType]?.[lang] ?? '—';
}

/** `создано 3, обновлено 1` from a run's counters (known ones only, zero ones left out). */
export function countsText(counts: Record<string, number>, lang: Lang): string {
  const parts = Object.entries(counts)
    .filter(([k, n]) => n !== 0 && COUNT_TEXTS[k])
    .map(([k, n]) => `${COUNT_TEXTS[k]![lang]}: ${n.toLocaleString(lang === 'ru' ? 'ru-RU' : 'en-GB')}`);
  return parts.length ? parts.join(', ') : '—';
}

/**
 * A line of the integration log for people. The syncs write English lines for the log file; the
 * panel shows the run summaries and failures in the page's language and every job kind by its name.
 */
export function humanLogMessage(message: string, lang: Lang): string {
  const summary = /^([a-z][a-z.]*) (ok|partial|failed) in (\d+) ms, (\d+) requests(?:: (.*))?$/.exec(message);
  if (summary) {
    const [, kind, status, , requests, rest] = summary;
    const counts = Object.fromEntries((rest ?? '').split(' ').filter(Boolean).map((kv) => [kv.split('=')[0]!, Number(kv.split('=')[1])]));
    const outcome = { ok: { ru: 'завершено успешно', en: 'finished' }, partial: { ru: 'завершено частично', en: 'finished partly' }, failed: { ru: 'не удалось', en: 'failed' } }[status as 'ok' | 'partial' | 'failed'][lang];
    const req = lang === 'ru' ? `запросов к МойСклад: ${requests}` : `MoySklad requests: ${requests}`;
    const c = countsText(counts, lang);
    return `${kindName(kind!, lang)}: ${outcome}; ${req}${c === '—' ? '' : `; ${c}`}`;
  }
  const failed = /^([a-z][a-z.]*)(?: failed)?: (.*)$/.exec(message);
  if (failed && KIND_TEXTS[failed[1]!]) return `${kindName(failed[1]!, lang)}: ${lang === 'ru' ? 'ошибка' : 'error'} — ${stripCodes(failed[2]!)}`;
  return stripRequirementIds(replaceKinds(message, lang));
}

/**
 * R32 a log entry for people: a coded entry (its details keep a message code and parameters) is
 * rendered from the table of messages; an entry written before codes shows its stored text.
 */
export function staffLogText(message: string, details: unknown, lang: Lang): string {
  const coded = storedLogMessage(details);
  if (!coded) return humanLogMessage(message, lang);
  return logMessageText(coded, lang, { explain: explainError, counts: countsText, time: (iso, l) => formatDateTime(iso, l) });
}

/** An item's error for people: a Russian sentence as is, a known code by its text, otherwise the plain fallback. */
function explainError(error: LogError, lang: Lang): string {
  if (lang === 'ru' && CYRILLIC.test(error.text)) return error.text;
  const known = error.code ? ERROR_TEXTS[error.code] : undefined;
  return known ? known[lang] : plainErrorText(error, lang);
}

/** `(R26)`, `(R15–R17, R19)` — the requirement ids the log file keeps for us — left out for people. */
export function stripRequirementIds(text: string): string {
  return text
    .replace(/\s*\((?:[RBCEPS]\d+(?:\s*[,–-]\s*[RBCEPS]?\d+)*(?:,\s*)?)+\)/g, '');
}

/** Job kind names inside a free text replaced by their human names. */
export function replaceKinds(text: string, lang: Lang): string {
  return text.replace(/\b(nomenclature\.(?:full|incremental|deletions)|stock\.(?:full|incremental)|webhooks\.deliver)\b/g, (k) => `«${kindName(k, lang)}»`);
}

/** `internal_error: boom` → `boom`: the stored snake_case code is for the log file, not for people. */
export function stripCodes(text: string): string {
  return text.replace(/^[a-z][a-z0-9]*(?:_[a-z0-9]+)+: /, '');
}

/** Error codes a run or an export can end with (`<code>: <detail>` in `sync_runs.message`). */
export const ERROR_TEXTS: Readonly<Record<string, Texts>> = {
  integration_inactive: { ru: 'интеграция выключена', en: 'the integration is inactive' },
  not_found: { ru: 'не найдено (удалено?)', en: 'not found (deleted?)' },
  price_list_unbound: { ru: 'прайс-лист не привязан к складу', en: 'the price list is not bound to a store' },
  stock_store_missing: { ru: 'склада больше нет в МойСклад', en: 'the store is no longer in MoySklad' },
  validation_failed: { ru: 'неверные данные', en: 'invalid data' },
  secret_decrypt_failed: { ru: 'не удалось расшифровать пароль МойСклад: ключ шифрования сменился', en: 'the MoySklad password cannot be decrypted: the secret key changed' },
  moysklad_auth_failed: { ru: 'МойСклад не принял логин или пароль', en: 'MoySklad refused the login or password' },
  moysklad_forbidden: { ru: 'МойСклад отказал в доступе: не хватает прав', en: 'MoySklad refused access: missing permissions' },
  moysklad_not_found: { ru: 'в МойСклад этого нет', en: 'MoySklad does not have it' },
  moysklad_rate_limited: { ru: 'МойСклад ограничил частоту запросов; повтор позже', en: 'MoySklad rate-limited the requests; retried later' },
  moysklad_unreachable: { ru: 'МойСклад недоступен; повтор позже', en: 'MoySklad is unreachable; retried later' },
  moysklad_timeout: { ru: 'МойСклад не ответил вовремя; повтор позже', en: 'MoySklad did not answer in time; retried later' },
  moysklad_server_error: { ru: 'внутренняя ошибка МойСклад; повтор позже', en: 'MoySklad internal error; retried later' },
  moysklad_bad_response: { ru: 'МойСклад прислал неожиданный ответ', en: 'MoySklad sent an unexpected answer' },
  moysklad_request_failed: { ru: 'МойСклад отклонил запрос', en: 'MoySklad refused the request' },
  internal_error: { ru: 'внутренняя ошибка модуля; подробности в журнале', en: 'internal error of the module; see the log' },
  no_integration: { ru: 'у региона нет интеграции с МойСклад', en: 'the region has no MoySklad integration' },
  counterparty_ambiguous: { ru: 'подходят несколько контрагентов МойСклад: выберите нужного («Связать»)', en: 'several MoySklad counterparties match: choose one ("Link")' },
  counterparty_missing: { ru: 'контрагент заказа не найден', en: "the order's counterparty is missing" },
  supplier_not_client: { ru: 'поставщик не может быть покупателем', en: 'a supplier cannot be a customer' },
  client_not_supplier: { ru: 'клиент не может быть поставщиком', en: 'a client cannot be a supplier' },
  purchase_orders_off: { ru: 'выгрузка заказов поставщикам выключена в настройках интеграции', en: 'supplier order export is off in the integration settings' },
  product_unresolved: { ru: 'товар позиции не найден в МойСклад', en: "a line's product is not in MoySklad" },
  product_create_failed: { ru: 'не удалось создать товар позиции в МойСклад', en: "a line's product could not be created in MoySklad" },
  organization_missing: { ru: 'в интеграции не выбрана организация', en: 'the integration has no organization' },
  order_missing: { ru: 'заказ не найден', en: 'the order is missing' },
  ms_order_deleted: { ru: 'заказ удалён в МойСклад', en: 'the order was deleted in MoySklad' },
  ms_account_changed: { ru: 'интеграция региона перешла на другой аккаунт МойСклад', en: "the region's integration moved to another MoySklad account" },
};

const CYRILLIC = /[А-Яа-яЁё]/;

/**
 * What a finished run's stored message says, for people: a failure's code as a sentence (a
 * MoySklad permission problem keeps its own Russian sentence); an ok run needs no message (its
 * counters say it), so none is shown.
 */
export function runMessageText(status: string, message: string | null, lang: Lang): string {
  if (!message || status === 'ok' || status === 'running') return '';
  const m = /^([a-z][a-z0-9]*(?:_[a-z0-9]+)+): (.*)$/s.exec(message);
  if (m) {
    const [, code, detail] = m;
    if (lang === 'ru' && CYRILLIC.test(detail!)) return detail!;
    return ERROR_TEXTS[code!]?.[lang] ?? (lang === 'ru' ? 'ошибка; подробности в журнале' : 'error; see the log');
  }
  if (lang === 'ru' && !CYRILLIC.test(message)) return status === 'partial' ? 'часть позиций не обработана; подробности в журнале' : 'ошибка; подробности в журнале';
  return stripRequirementIds(replaceKinds(message, lang));
}

/** An order export error stored as `<code>: <detail>` or free text, for people. */
export function exportErrorText(error: string | null, lang: Lang): string {
  if (!error) return '';
  return runMessageText('failed', error, lang);
}
