/**
 * @module log-messages
 * R32 the sync log lines shop staff read on the admin panel's log pages: each line a sync writes
 * carries a message code and its parameters (stored with the entry's details), rendered here in
 * Russian or English without requirement ids, job kind codes, outbox ids or raw field names. The
 * English text of the log file (`moysklad_logger.log`) is written by the syncs themselves.
 */
import { KIND_TEXTS, type Texts } from './sync-kind-texts.js';

export type Lang = 'ru' | 'en';

/** An error met by an item: its machine code when known, and its (usually English) text. */
export interface LogError {
  code?: string | undefined;
  text: string;
}

/** What an outbox item is about. */
export interface LogSubject {
  type: string;
  id: string;
}

/** Every message a sync writes for staff (closed union: one variant per kind of line). */
export type LogMessage =
  | { code: 'order_empty_not_created'; params: { order: string } }
  | { code: 'order_empty_deleted'; params: { order: string } }
  | { code: 'order_exported'; params: { order: string; action: string } }
  | { code: 'order_stock_refresh_not_queued'; params: { order: string; error: LogError } }
  | { code: 'order_batch_one_by_one'; params: { count: number; error: LogError } }
  | { code: 'order_missing'; params: { order: string } }
  | { code: 'order_ms_already_deleted'; params: { order: string } }
  | { code: 'order_line_readded'; params: { order: string; line: string } }
  | { code: 'run_problem'; params: { kind: string; text: string } }
  | { code: 'run_failed'; params: { kind: string; error: LogError } }
  | { code: 'run_finished'; params: { kind: string; status: string; requests: number; counts: Record<string, number> } }
  | { code: 'balance_first_read'; params: { matched: number; noCard: number; ambiguous: number } }
  | { code: 'site_category_missing'; params: { category: string } }
  | { code: 'counterparty_not_linked'; params: { party: string; externalId: string } }
  | { code: 'counterparty_missing'; params: { id: string } }
  | { code: 'counterparty_link_lost'; params: { party: string; externalId: string } }
  | { code: 'counterparty_sent'; params: { party: string; externalId: string; fields: string[] } }
  | { code: 'outbox_deferred'; params: { subject: LogSubject; error: LogError } }
  | { code: 'outbox_waits'; params: { subject: LogSubject; until: string; text: string } }
  | { code: 'outbox_retry'; params: { subject: LogSubject; at: string; error: LogError } }
  | { code: 'outbox_failed'; params: { subject: LogSubject; error: LogError } }
  | { code: 'products_deleted_by_webhook'; params: { count: number } }
  | { code: 'deletions_checked'; params: { checked: number; named: number; deleted: number; stillPresent: number; notLocal: number } }
  | { code: 'full_pass_resumed'; params: { startedAt: string } }
  | { code: 'products_marked_deleted'; params: { count: number } }
  | { code: 'incremental_pass_resumed'; params: { since: string | null } }
  | { code: 'root_folders_changed'; params: Record<string, never> }
  | { code: 'duplicates_promoted'; params: { count: number } }
  | { code: 'products_skipped'; params: { count: number } }
  | { code: 'category_sync_failed'; params: { error: LogError } }
  | { code: 'product_images_failed'; params: { product: string; error: LogError } }
  | { code: 'thumbnail_failed'; params: { file: string; product: string; error: LogError } };

export type LogMessageCode = LogMessage['code'];

/** Builds a message (typed by its code). */
export function logMsg<C extends LogMessageCode>(code: C, params: Extract<LogMessage, { code: C }>['params']): LogMessage {
  return { code, params } as LogMessage;
}

/** An error value as a `LogError`: its `code` when it has one, and its message. */
export function logError(e: unknown): LogError {
  const code = typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : undefined;
  const text = e instanceof Error ? e.message : String(e);
  return code === undefined ? { text } : { code, text };
}

/** What an outbox item is about, from its aggregate. */
export function logSubject(item: { aggregateType: string; aggregateId: string | number }): LogSubject {
  return { type: item.aggregateType, id: String(item.aggregateId) };
}

/** Explains an error for people (the admin panel passes its table of error codes). */
export type ErrorExplainer = (error: LogError, lang: Lang) => string;

const CYRILLIC = /[А-Яа-яЁё]/;

/** Without a table: a Russian text as is, otherwise a pointer to the log file (ru) or the text without ids (en). */
export const plainErrorText: ErrorExplainer = (error, lang) => {
  if (lang === 'ru') return CYRILLIC.test(error.text) ? error.text : 'подробности в файле журнала';
  return withoutInternals(error.text);
};

/** Requirement ids in brackets and job kind codes are left out of a free text. */
export function withoutInternals(text: string): string {
  return text
    .replace(/\s*\((?:[RBCEPS]\d+(?:\s*[,–-]\s*[RBCEPS]?\d+)*(?:,\s*)?)+\)/g, '')
    .replace(/\b[a-z]+\.(?:full|incremental|deletions|deliver|export|position_status|status)\b/g, '')
    .replace(/\s{2,}/g, ' ')
    .trim();
}

/** `1 товар`, `3 товара`, `5 товаров`. */
export function ruPlural(n: number, one: string, few: string, many: string): string {
  const m10 = n % 10;
  const m100 = n % 100;
  const word = m10 === 1 && m100 !== 11 ? one : m10 >= 2 && m10 <= 4 && (m100 < 12 || m100 > 14) ? few : many;
  return `${n} ${word}`;
}

function enPlural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function kindName(kind: string, lang: Lang): string {
  return KIND_TEXTS[kind]?.name[lang] ?? (lang === 'ru' ? 'Синхронизация' : 'Sync');
}

const PARTY: Readonly<Record<string, Texts>> = {
  client: { ru: 'клиент', en: 'client' },
  supplier: { ru: 'поставщик', en: 'supplier' },
};

function party(kind: string, lang: Lang): string {
  return PARTY[kind]?.[lang] ?? (lang === 'ru' ? 'контрагент' : 'counterparty');
}

const FIELDS: Readonly<Record<string, Texts>> = {
  name: { ru: 'наименование', en: 'name' },
  inn: { ru: 'ИНН', en: 'tax id' },
  email: { ru: 'email', en: 'email' },
  phone: { ru: 'телефон', en: 'phone' },
};

function fields(list: readonly string[], lang: Lang): string {
  const known = list.map((f) => FIELDS[f]?.[lang]).filter((t): t is string => t !== undefined);
  const other = list.length - known.length;
  if (other > 0) known.push(lang === 'ru' ? 'другие данные' : 'other details');
  return known.join(', ');
}

function subject(s: LogSubject, lang: Lang): string {
  if (s.type === 'order') return lang === 'ru' ? `Отправка заказа ${s.id} в МойСклад` : `Sending order ${s.id} to MoySklad`;
  if (s.type === 'counterparty') return lang === 'ru' ? `Отправка данных контрагента ${s.id} в МойСклад` : `Sending the details of counterparty ${s.id} to MoySklad`;
  return lang === 'ru' ? 'Отправка изменений в МойСклад' : 'Sending changes to MoySklad';
}

const STATUS: Readonly<Record<string, Texts>> = {
  ok: { ru: 'завершено успешно', en: 'finished' },
  partial: { ru: 'завершено частично', en: 'finished partly' },
  failed: { ru: 'не удалось', en: 'failed' },
};

const ORDER_ACTIONS: Readonly<Record<string, Texts>> = {
  created: { ru: 'создан', en: 'created' },
  updated: { ru: 'обновлён', en: 'updated' },
};

/** Names of a run's counters (the admin passes its table; unknown counters are left out). */
export type CountsText = (counts: Record<string, number>, lang: Lang) => string;

export interface LogTextOptions {
  explain?: ErrorExplainer;
  counts?: CountsText;
  /** Formats an ISO time for people (default: the ISO text). */
  time?: (iso: string, lang: Lang) => string;
}

/** The staff text of a coded log line. */
export function logMessageText(m: LogMessage, lang: Lang, opts: LogTextOptions = {}): string {
  const explain = opts.explain ?? plainErrorText;
  const time = opts.time ?? ((iso: string) => iso);
  const ru = lang === 'ru';
  switch (m.code) {
    case 'order_empty_not_created':
      return ru ? `Заказ ${m.params.order}: все позиции отклонены или сняты; пустой заказ в МойСклад не создаётся` : `Order ${m.params.order}: every line is rejected or withdrawn; no empty order is created in MoySklad`;
    case 'order_empty_deleted':
      return ru ? `Заказ ${m.params.order}: все позиции отклонены или сняты; заказ удалён из МойСклад` : `Order ${m.params.order}: every line is rejected or withdrawn; its order in MoySklad was deleted`;
    case 'order_exported': {
      const action = ORDER_ACTIONS[m.params.action]?.[lang] ?? (ru ? 'выгружен' : 'sent');
      return ru ? `Заказ ${m.params.order} ${action} в МойСклад` : `Order ${m.params.order} ${action} in MoySklad`;
    }
    case 'order_stock_refresh_not_queued':
      return ru ? `Заказ ${m.params.order}: не удалось запланировать обновление остатков прайс-листа — ${explain(m.params.error, lang)}` : `Order ${m.params.order}: the stock refresh of the price list could not be planned — ${explain(m.params.error, lang)}`;
    case 'order_batch_one_by_one':
      return ru
        ? `Заказы: не удалось подобрать контрагентов и товары для пакета, ${ruPlural(m.params.count, 'заказ выгружается', 'заказа выгружаются', 'заказов выгружаются')} по одному — ${explain(m.params.error, lang)}`
        : `Orders: the batch's counterparties and products could not be resolved; its ${enPlural(m.params.count, 'order goes', 'orders go')} one by one — ${explain(m.params.error, lang)}`;
    case 'order_missing':
      return ru ? `Заказа ${m.params.order} больше нет; отправлять нечего` : `Order ${m.params.order} no longer exists; nothing to send`;
    case 'order_ms_already_deleted':
      return ru ? `Заказ ${m.params.order} уже был удалён в МойСклад; отмечен удалённым` : `Order ${m.params.order} was already deleted in MoySklad; recorded as deleted`;
    case 'order_line_readded':
      return ru ? `Заказ ${m.params.order}: позиции ${m.params.line} больше нет в МойСклад; она добавляется снова` : `Order ${m.params.order}: line ${m.params.line} is gone from MoySklad; adding it again`;
    case 'run_problem':
      return `${kindName(m.params.kind, lang)}: ${ru ? 'ошибка' : 'error'} — ${m.params.text}`;
    case 'run_failed':
      return `${kindName(m.params.kind, lang)}: ${ru ? 'ошибка' : 'error'} — ${explain(m.params.error, lang)}`;
    case 'run_finished': {
      const { kind, status, requests, counts } = m.params;
      const outcome = STATUS[status]?.[lang] ?? status;
      const c = opts.counts ? opts.counts(counts, lang) : '—';
      return `${kindName(kind, lang)}: ${outcome}; ${ru ? 'запросов к МойСклад' : 'MoySklad requests'}: ${requests}${c === '—' || c === '' ? '' : `; ${c}`}`;
    }
    case 'balance_first_read': {
      const { matched, noCard, ambiguous } = m.params;
      const total = matched + noCard + ambiguous;
      return ru
        ? `Первое чтение баланса: ${ruPlural(total, 'клиент', 'клиента', 'клиентов')} без связи с МойСклад; связано по совпадению: ${matched}, без карточки в МойСклад: ${noCard}, с несколькими подходящими карточками (не выбраны, не созданы): ${ambiguous}`
        : `First balance read: ${enPlural(total, 'client', 'clients')} never linked; matched and linked: ${matched}, with no MoySklad card: ${noCard}, with several fitting cards (none guessed, none created): ${ambiguous}`;
    }
    case 'site_category_missing':
      return ru ? `Категории сайта ${m.params.category} нет; группы размещаются на верхнем уровне` : `Site category ${m.params.category} does not exist; folders are placed at the top level`;
    case 'counterparty_not_linked':
      return ru ? `${cap(party(m.params.party, lang))} ${m.params.externalId} больше не связан с МойСклад; отправлять нечего` : `${cap(party(m.params.party, lang))} ${m.params.externalId} is no longer linked to MoySklad; nothing to send`;
    case 'counterparty_missing':
      return ru ? `Контрагента ${m.params.id} больше нет; отправлять нечего` : `Counterparty ${m.params.id} no longer exists; nothing to send`;
    case 'counterparty_link_lost':
      return ru
        ? `${cap(party(m.params.party, lang))} ${m.params.externalId}: связанного контрагента в МойСклад больше нет; связь снята (при следующей выгрузке заказа он будет найден или создан)`
        : `${cap(party(m.params.party, lang))} ${m.params.externalId}: the linked MoySklad counterparty no longer exists; unlinked (the next order export finds or creates it)`;
    case 'counterparty_sent':
      return ru ? `${cap(party(m.params.party, lang))} ${m.params.externalId}: в МойСклад отправлено — ${fields(m.params.fields, lang)}` : `${cap(party(m.params.party, lang))} ${m.params.externalId}: sent to MoySklad — ${fields(m.params.fields, lang)}`;
    case 'outbox_deferred':
      return `${subject(m.params.subject, lang)} ${ru ? 'отложена' : 'postponed'}: ${explain(m.params.error, lang)}`;
    case 'outbox_waits':
      return `${subject(m.params.subject, lang)} ${ru ? 'ждёт до' : 'waits until'} ${time(m.params.until, lang)}: ${m.params.text}`;
    case 'outbox_retry':
      return `${subject(m.params.subject, lang)}: ${ru ? 'повтор в' : 'retried at'} ${time(m.params.at, lang)} — ${explain(m.params.error, lang)}`;
    case 'outbox_failed':
      return `${subject(m.params.subject, lang)}: ${ru ? 'не удалась' : 'failed'} — ${explain(m.params.error, lang)}`;
    case 'products_deleted_by_webhook':
      return ru ? `Удалённые в МойСклад товары помечены удалёнными: ${m.params.count}` : `Products deleted in MoySklad marked deleted: ${m.params.count}`;
    case 'deletions_checked': {
      const p = m.params;
      return ru
        ? `Проверено в МойСклад: ${p.checked} из ${p.named}; помечено удалёнными: ${p.deleted}, ещё есть: ${p.stillPresent}, нет в справочнике этого аккаунта: ${p.notLocal}`
        : `Checked in MoySklad: ${p.checked} of ${p.named}; marked deleted: ${p.deleted}, still there: ${p.stillPresent}, not in this account's directory: ${p.notLocal}`;
    }
    case 'full_pass_resumed':
      return ru ? `Продолжается полная загрузка товаров, начатая ${time(m.params.startedAt, lang)}` : `Resuming the full product load started at ${time(m.params.startedAt, lang)}`;
    case 'products_marked_deleted':
      return ru ? `Товаров, которых больше нет в МойСклад, помечено удалёнными: ${m.params.count}` : `Products no longer in MoySklad marked deleted: ${m.params.count}`;
    case 'incremental_pass_resumed':
      return ru
        ? `Продолжается прерванная загрузка изменений товаров${m.params.since ? ` (изменения с ${time(m.params.since, lang)})` : ''}`
        : `Resuming the interrupted load of product changes${m.params.since ? ` (changes since ${time(m.params.since, lang)})` : ''}`;
    case 'root_folders_changed':
      return ru ? 'Корневые группы интеграций изменились: все товары и модификации читаются заново' : 'The root folders of the integrations changed: every product and variant is read once more';
    case 'duplicates_promoted':
      return ru
        ? `Товары заняли место архивного, удалённого или изменённого дубля: ${m.params.count}`
        : `Products that took the place of an archived, deleted or changed duplicate: ${m.params.count}`;
    case 'products_skipped':
      return ru ? `Не загружено товаров: ${m.params.count} — см. отчёт о качестве данных` : `Products not loaded: ${m.params.count} — see the data-quality report`;
    case 'category_sync_failed':
      return ru ? `Категории не обновлены: ${explain(m.params.error, lang)}` : `Categories not updated: ${explain(m.params.error, lang)}`;
    case 'product_images_failed':
      return ru ? `Фотографии товара ${m.params.product} не загружены: ${explain(m.params.error, lang)}` : `Images of product ${m.params.product} not loaded: ${explain(m.params.error, lang)}`;
    case 'thumbnail_failed':
      return ru
        ? `Миниатюра фото ${m.params.file} товара ${m.params.product} не загружена: ${explain(m.params.error, lang)}`
        : `Thumbnail of image ${m.params.file} of product ${m.params.product} not loaded: ${explain(m.params.error, lang)}`;
  }
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

const CODES: ReadonlySet<string> = new Set<LogMessageCode>([
  'order_empty_not_created', 'order_empty_deleted', 'order_exported', 'order_stock_refresh_not_queued', 'order_batch_one_by_one', 'order_missing', 'order_ms_already_deleted', 'order_line_readded',
  'run_problem', 'run_failed', 'run_finished', 'balance_first_read', 'site_category_missing', 'counterparty_not_linked', 'counterparty_missing',
  'counterparty_link_lost', 'counterparty_sent', 'outbox_deferred', 'outbox_waits', 'outbox_retry', 'outbox_failed', 'products_deleted_by_webhook',
  'deletions_checked', 'full_pass_resumed', 'products_marked_deleted', 'incremental_pass_resumed', 'root_folders_changed', 'duplicates_promoted',
  'products_skipped', 'category_sync_failed', 'product_images_failed', 'thumbnail_failed',
]);

/** The key under which an entry's details keep its message code and parameters. */
export const LOG_TEXT_KEY = 'text';

/** The coded message stored in an entry's details, or null (entries written before codes, or by other writers). */
export function storedLogMessage(details: unknown): LogMessage | null {
  if (typeof details !== 'object' || details === null) return null;
  const m = (details as Record<string, unknown>)[LOG_TEXT_KEY];
  if (typeof m !== 'object' || m === null) return null;
  const { code, params } = m as { code?: unknown; params?: unknown };
  if (typeof code !== 'string' || !CODES.has(code) || typeof params !== 'object' || params === null) return null;
  return m as LogMessage;
}

/** Details to store: the caller's details with the coded message added. */
export function withLogMessage(details: unknown, m: LogMessage): Record<string, unknown> {
  const base = typeof details === 'object' && details !== null && !Array.isArray(details) ? (details as Record<string, unknown>) : details === undefined ? {} : { value: details };
  return { ...base, [LOG_TEXT_KEY]: m };
}
