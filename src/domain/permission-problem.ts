/**
 * @module permission-problem
 * C10 what a MoySklad permission or tariff refusal means for the shop, and what to change in
 * MoySklad. Pure rules, no I/O. Codes and texts from md/_errors.md (1016–1018, 1043, 1045, 1061,
 * 1070, 13003–13005, 30004, 47000); the current-stock report's rule from
 * md/reports/_report_stock.md («может запросить только администратор или сотрудник с пермиссией на
 * Остатки»); the names of the rights from md/dictionaries/_employee.md («Работа с правами Сотрудника»).
 */
import { BALANCE_KIND } from '../sync/balance/kinds.js';
import { CATEGORIES_KIND } from '../sync/categories/kinds.js';
import type { NOMENCLATURE_FULL } from '../sync/nomenclature/kinds.js';
import { OUTBOX_KIND } from '../sync/outbox/kinds.js';
import { PHOTOS_KIND } from '../sync/photos/kinds.js';
import type { STOCK_FULL_KIND } from '../sync/stock/kinds.js';
import { WEBHOOKS_KIND } from '../sync/webhooks/kinds.js';

export const PERMISSION_PROBLEMS = [
  'no_stock_report',
  'stock_report_too_large',
  'no_crm_tariff',
  'no_crm_right',
  'no_view_right',
  'no_edit_right',
  'no_delete_right',
  'no_create_right',
  'webhooks_admin_only',
  'no_api_access',
  'tariff_restriction',
] as const;
export type PermissionProblemCode = (typeof PERMISSION_PROBLEMS)[number];
export const isPermissionProblemCode = (v: unknown): v is PermissionProblemCode => typeof v === 'string' && (PERMISSION_PROBLEMS as readonly string[]).includes(v);

/** A job kind's family: the part before the first dot (`stock.full` → `stock`). */
type FamilyOf<K extends string> = K extends `${infer Head}.${string}` ? Head : K;
const STOCK_FAMILY = 'stock' satisfies FamilyOf<typeof STOCK_FULL_KIND>;
const NOMENCLATURE_FAMILY = 'nomenclature' satisfies FamilyOf<typeof NOMENCLATURE_FULL>;

/**
 * Which scheduled job a refusal stops (a job kind's family: `stock.full` and `stock.incremental` are
 * `stock`), named by the syncs' own kind constants (their import-free `kinds.ts`).
 */
export const JOB_FAMILIES = [STOCK_FAMILY, BALANCE_KIND, WEBHOOKS_KIND, NOMENCLATURE_FAMILY, CATEGORIES_KIND, PHOTOS_KIND, OUTBOX_KIND, 'other'] as const;
export type JobFamily = (typeof JOB_FAMILIES)[number];

export function jobFamilyOf(kind: string): JobFamily {
  const head = kind.split('.')[0] ?? '';
  return (JOB_FAMILIES as readonly string[]).includes(head) ? (head as JobFamily) : 'other';
}

/** A failed job of a family with a permission problem waits this long before its schedule fires again (or until the settings change). */
export const PROBLEM_RETRY_MS = 6 * 3600_000;

/** The MoySklad refusal a client error carries: HTTP status, MoySklad code, request path. */
export interface MsRefusal {
  status: number;
  msCode: number | undefined;
  path: string;
}

/** C10 the permission or tariff problem of a MoySklad refusal, or null when it is none. */
export function permissionProblemOf(r: MsRefusal): PermissionProblemCode | null {
  switch (r.msCode) {
    case 13003:
    case 13004:
      return 'no_stock_report';
    case 13005:
      return 'stock_report_too_large';
    case 1043:
    case 37000:
      return 'no_crm_tariff';
    case 1016:
      return r.path.startsWith('report/counterparty') ? 'no_crm_right' : 'no_view_right';
    case 1017:
    case 1075:
      return 'no_edit_right';
    case 1018:
      return 'no_delete_right';
    case 1045:
      return 'no_create_right';
    case 30004:
      return 'webhooks_admin_only';
    case 1061:
      return 'no_api_access';
    case 1070:
    case 47000:
      return 'tariff_restriction';
    default:
      return null;
  }
}

const RIGHTS = 'в МойСклад откройте Настройки → Сотрудники → этого сотрудника → Права';

/** C10 the sentence the shop's administrator reads (Russian, what to change in MoySklad) and its English version. */
export const PROBLEM_TEXT: Record<PermissionProblemCode, { ru: string; en: string }> = {
  no_stock_report: {
    ru: `У пользователя МойСклад нет доступа к отчёту «Остатки» (ошибка 13004), поэтому остатки прайс-листов не обновляются. Чтобы исправить, ${RIGHTS} и включите «Просматривать остатки по товарам» или назначьте роль «Системный администратор».`,
    en: 'The MoySklad user may not read the stock report (error 13004), so price-list stock is not updated. In MoySklad open Settings → Employees → this employee → Permissions and turn on "View product stock", or give the "System administrator" role.',
  },
  stock_report_too_large: {
    ru: 'МойСклад отказался строить отчёт «Текущие остатки»: он слишком велик (ошибка 13005), и даже по частям его получить не удалось. Разделите товары по складам в МойСклад или обратитесь в поддержку модуля.',
    en: 'MoySklad refused to build the current-stock report: it is too large (error 13005), even in parts. Split the goods over more stores in MoySklad or contact the module support.',
  },
  no_crm_tariff: {
    ru: 'Тариф МойСклад без опции CRM (ошибка 1043): балансы клиентов не читаются. Подключите опцию CRM в МойСклад (Настройки → Подписка) или выключите синхронизацию баланса в настройках интеграции.',
    en: 'The MoySklad tariff has no CRM option (error 1043): client balances cannot be read. Turn on the CRM option in MoySklad (Settings → Subscription) or turn balance sync off in the integration settings.',
  },
  no_crm_right: {
    ru: `У пользователя МойСклад нет права «Просматривать показатели» (ошибка 1016): балансы клиентов не читаются. Чтобы исправить, ${RIGHTS} и включите это право или назначьте роль «Системный администратор».`,
    en: 'The MoySklad user lacks the "View indicators" permission (error 1016): client balances cannot be read. Give it in Settings → Employees → Permissions, or the "System administrator" role.',
  },
  no_view_right: {
    ru: `У пользователя МойСклад нет права на просмотр нужных данных (ошибка 1016). Чтобы исправить, ${RIGHTS} и разрешите просмотр товаров, складов, контрагентов и заказов или назначьте роль «Системный администратор».`,
    en: 'The MoySklad user may not view the data the integration needs (error 1016). Allow viewing goods, stores, counterparties and orders in Settings → Employees → Permissions, or give the "System administrator" role.',
  },
  no_edit_right: {
    ru: `У пользователя МойСклад нет права на редактирование (ошибка 1017): изменения не отправляются. Чтобы исправить, ${RIGHTS} и разрешите редактирование контрагентов и заказов или назначьте роль «Системный администратор».`,
    en: 'The MoySklad user may not edit (error 1017): changes are not sent. Allow editing counterparties and orders in Settings → Employees → Permissions, or give the "System administrator" role.',
  },
  no_delete_right: {
    ru: `У пользователя МойСклад нет права на удаление (ошибка 1018): позиции с отказом не удаляются из заказов. Чтобы исправить, ${RIGHTS} и разрешите удаление в заказах или назначьте роль «Системный администратор».`,
    en: 'The MoySklad user may not delete (error 1018): rejected positions are not removed from orders. Allow deleting in orders in Settings → Employees → Permissions, or give the "System administrator" role.',
  },
  no_create_right: {
    ru: `У пользователя МойСклад нет права на создание (ошибка 1045): заказы, контрагенты или товары не создаются. Чтобы исправить, ${RIGHTS} и разрешите создание заказов покупателей и поставщикам, контрагентов и товаров или назначьте роль «Системный администратор».`,
    en: 'The MoySklad user may not create (error 1045): orders, counterparties or products are not created. Allow creating them in Settings → Employees → Permissions, or give the "System administrator" role.',
  },
  webhooks_admin_only: {
    ru: 'Вебхуки МойСклад может настраивать только администратор (ошибка 30004): изменения товаров и остатков приходят по расписанию, а не сразу. Укажите в интеграции логин с ролью «Системный администратор».',
    en: 'Only an administrator may manage MoySklad webhooks (error 30004): product and stock changes arrive by schedule, not at once. Use a login with the "System administrator" role.',
  },
  no_api_access: {
    ru: `У пользователя МойСклад выключен доступ по API (ошибка 1061). Чтобы исправить, ${RIGHTS} и включите «Доступ по API».`,
    en: 'The MoySklad user has no API access (error 1061). Turn on "API access" in Settings → Employees → Permissions.',
  },
  tariff_restriction: {
    ru: 'Тариф МойСклад не позволяет это действие (ограничение тарифа). Смените тариф в МойСклад (Настройки → Подписка).',
    en: 'The MoySklad tariff does not allow this (tariff restriction). Change the tariff in MoySklad (Settings → Subscription).',
  },
};
