/**
 * @module ms-error
 * MoySklad-shaped errors: `{errors:[{error, code, parameter?, moreInfo}]}` (REFERENCE §2.6).
 */

export interface MsErrorItem {
  error: string;
  code: number;
  parameter?: string;
  moreInfo: string;
}

export const moreInfoUrl = (code: number): string => `https://dev.moysklad.ru/doc/api/remap/1.2/#error_${code}`;

/** A MoySklad API error with its HTTP status. Thrown inside handlers; turned into a response by the router. */
export class MsError extends Error {
  readonly status: number;
  readonly code: number;
  readonly parameter: string | undefined;

  constructor(status: number, code: number, message: string, parameter?: string) {
    super(message);
    this.name = 'MsError';
    this.status = status;
    this.code = code;
    this.parameter = parameter;
  }

  item(): MsErrorItem {
    const item: MsErrorItem = { error: this.message, code: this.code, moreInfo: moreInfoUrl(this.code) };
    if (this.parameter !== undefined) item.parameter = this.parameter;
    return item;
  }

  body(): { errors: MsErrorItem[] } {
    return { errors: [this.item()] };
  }
}

export const isMsError = (e: unknown): e is MsError => e instanceof MsError;

/** Shorthands for the documented codes. */
export const msErrors = {
  unknownPath: (path: string) => new MsError(404, 1002, `Неопознанный путь: ${path}`),
  unknownType: (type: string) => new MsError(412, 1005, `Неизвестный тип: '${type}'`),
  badUuid: (text: string) => new MsError(400, 1000, `Элемент URI не является идентификатором: '${text}'`),
  noId: () => new MsError(400, 1012, 'Не указан идентификатор объекта'),
  notFound: (type: string, id: string) =>
    new MsError(404, 1021, `Объект с типом '${type}' и идентификатором '${id}' не найден`),
  badFilter: (message: string, parameter = 'filter') => new MsError(412, 1034, message, parameter),
  badFilterValue: (message: string, parameter = 'filter') => new MsError(412, 1014, message, parameter),
  badDate: (value: string) =>
    new MsError(412, 1035, `Неверный формат даты '${value}', ожидается формат yyyy-MM-dd HH:mm:ss`, 'filter'),
  auth: () => new MsError(401, 1056, 'Ошибка аутентификации: Неправильный пароль или имя пользователя или ключ авторизации'),
  foreignHref: (href: string) =>
    new MsError(400, 1059, `Ссылка на объект указывает на другой сервер: '${href}'`, 'meta.href'),
  badAccept: () => new MsError(400, 1062, "Неверное значение заголовка 'Accept', ожидается 'application/json;charset=utf-8'"),
  badOrder: (field: string) => new MsError(412, 1063, `Сортировка по полю '${field}' не поддерживается`, 'order'),
  tooManyItems: (max = 1000) =>
    new MsError(413, 2007, `Превышено ограничение на количество элементов в массиве: максимум ${max}`),
  tooManyNested: (field: string, max = 1000) =>
    new MsError(413, 2022, `Превышено ограничение на количество элементов во вложенной коллекции '${field}': максимум ${max}`, field),
  badJson: (message = 'Ошибка формата JSON') => new MsError(400, 2002, message),
  wrongType: (field: string) => new MsError(400, 2016, `Поле '${field}' имеет неверный тип значения`, field),
  required: (field: string) =>
    new MsError(412, 3000, `Ошибка сохранения объекта: поле '${field}' не может быть пустым или отсутствовать`, field),
  readOnly: (field: string) => new MsError(412, 3001, `Поле '${field}' не может быть изменено`, field),
  badEnum: (field: string, value: string) =>
    new MsError(412, 3005, `Недопустимое значение '${value}' поля '${field}'`, field),
  notUnique: (field: string, value: string) =>
    new MsError(412, 3006, `Ошибка сохранения объекта: значение '${value}' поля '${field}' не уникально`, field),
  noCrm: () => new MsError(403, 1043, 'Тариф не позволяет использовать функционал CRM'),
  noWebhooks: () => new MsError(403, 30006, 'Вебхуки доступны только на платных тарифах'),
  // C10 rights (md/_errors.md gives the codes and texts; the HTTP statuses are inferred: 403 like 1043, 412 for 13005).
  webhooksAdminOnly: () => new MsError(403, 30004, 'Необходимы права администратора для работы с webhook'),
  noCurrentStockReport: () => new MsError(403, 13004, 'Отсутствует доступ к отчету Текущие остатки'),
  currentStockTooLarge: () => new MsError(412, 13005, "Превышен допустимый объем для построения отчета 'Текущие остатки'"),
  noViewRight: () => new MsError(403, 1016, 'Доступ запрещен: у вас нет прав на просмотр данного объекта'),
  noCreateRight: () => new MsError(403, 1045, 'Доступ запрещен: у вас нет прав на создание данного объекта'),
  badParam: (parameter: string, message: string) => new MsError(400, 1014, message, parameter),
  methodNotAllowed: (method: string) => new MsError(405, 1002, `Метод ${method} не поддерживается для этого ресурса`),
};
