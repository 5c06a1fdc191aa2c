/**
 * @module sync-kind-texts
 * What each sync kind is called and does, for people, in Russian and English: the admin panel's
 * buttons, tables and progress bars, and the CLI's `sync --help`. One line per kind; a kind
 * without a line is shown as «Синхронизация» / "Sync", never by its code.
 */

export type Texts = { ru: string; en: string };

/** Each job kind: its name on buttons and in tables, and what it does. */
export const KIND_TEXTS: Readonly<Record<string, { name: Texts; about: Texts }>> = {
  'nomenclature.full': {
    name: { ru: 'Полная загрузка товаров', en: 'Full product load' },
    about: { ru: 'Все товары и модификации из МойСклад; товары, которых там больше нет, помечаются удалёнными.', en: 'Every product and variant from MoySklad; products no longer there are marked deleted.' },
  },
  'nomenclature.incremental': {
    name: { ru: 'Изменения товаров', en: 'Product changes' },
    about: { ru: 'Только товары, изменённые в МойСклад с прошлой загрузки.', en: 'Only the products changed in MoySklad since the last load.' },
  },
  'nomenclature.deletions': {
    name: { ru: 'Удалённые товары', en: 'Deleted products' },
    about: { ru: 'Товары, об удалении которых сообщил МойСклад: проверяются и помечаются удалёнными, только если их действительно нет.', en: 'Products MoySklad reported deleted: checked, and marked deleted only when they are really gone.' },
  },
  categories: {
    name: { ru: 'Категории', en: 'Categories' },
    about: { ru: 'Группы товаров МойСклад становятся категориями сайта под выбранной категорией.', en: 'MoySklad product folders become site categories under the chosen category.' },
  },
  photos: {
    name: { ru: 'Фотографии', en: 'Photos' },
    about: { ru: 'Фотографии товаров, изменённых с прошлой загрузки.', en: 'Photos of the products changed since the last load.' },
  },
  'stock.full': {
    name: { ru: 'Остатки и цены', en: 'Stock and prices' },
    about: { ru: 'Остатки склада и цены прайс-листа целиком.', en: 'The whole price list: the store’s stock and the prices.' },
  },
  'stock.incremental': {
    name: { ru: 'Изменения остатков', en: 'Stock changes' },
    about: { ru: 'Только остатки, изменившиеся с прошлого обновления.', en: 'Only the stock that changed since the last update.' },
  },
  outbox: {
    name: { ru: 'Выгрузка заказов и клиентов', en: 'Order and client export' },
    about: { ru: 'Новые и изменённые заказы и клиенты сайта отправляются в МойСклад.', en: 'New and changed orders and clients of the site are sent to MoySklad.' },
  },
  'orders.status': {
    name: { ru: 'Статусы заказов', en: 'Order statuses' },
    about: { ru: 'Статусы и отгрузки выгруженных заказов из МойСклад.', en: 'States and shipments of the exported orders from MoySklad.' },
  },
  balance: {
    name: { ru: 'Балансы клиентов', en: 'Client balances' },
    about: { ru: 'Балансы активных клиентов из МойСклад, не чаще раза в 30 минут на клиента.', en: 'Balances of active clients from MoySklad, at most every 30 minutes per client.' },
  },
  webhooks: {
    name: { ru: 'Вебхуки МойСклад', en: 'MoySklad webhooks' },
    about: { ru: 'Подписка на уведомления МойСклад об изменениях товаров и остатков.', en: 'Subscribes to MoySklad’s notifications about product and stock changes.' },
  },
  'webhooks.deliver': {
    name: { ru: 'Уведомления платформе', en: 'Platform notifications' },
    about: { ru: 'Отправка уведомлений платформе магазина с повтором в течение суток.', en: 'Sends the shop platform’s notifications, retried for a day.' },
  },
};

