import { describe, expect, it } from 'vitest';
import { logError, logMessageText, logMsg, logSubject, ruPlural, storedLogMessage, withLogMessage, type LogMessage } from './log-messages.js';

const counts = (c: Record<string, number>): string => Object.entries(c).map(([k, n]) => `${k === 'sent' ? 'отправлено' : k}: ${n}`).join(', ');
const time = (iso: string): string => `[${iso.slice(11, 16)}]`;

describe('log messages for staff', () => {
  it('R32 order lines read as whole Russian and English sentences', () => {
    const exported = logMsg('order_exported', { order: 'DEMO-1', action: 'created' });
    expect(logMessageText(exported, 'ru')).toBe('Заказ DEMO-1 создан в МойСклад');
    expect(logMessageText(exported, 'en')).toBe('Order DEMO-1 created in MoySklad');
    expect(logMessageText(logMsg('order_exported', { order: '7', action: 'updated' }), 'ru')).toBe('Заказ 7 обновлён в МойСклад');
    expect(logMessageText(logMsg('order_empty_deleted', { order: '7' }), 'ru')).toBe('Заказ 7: все позиции отклонены или сняты; заказ удалён из МойСклад');
    expect(logMessageText(logMsg('order_batch_one_by_one', { count: 3, error: { text: 'socket hang up' } }), 'ru')).toBe(
      'Заказы: не удалось подобрать контрагентов и товары для пакета, 3 заказа выгружаются по одному — подробности в файле журнала',
    );
    expect(logMessageText(logMsg('order_batch_one_by_one', { count: 1, error: { text: 'socket hang up' } }), 'en')).toBe(
      "Orders: the batch's counterparties and products could not be resolved; its 1 order goes one by one — socket hang up",
    );
  });

  it('R32 outbox lines name what is sent, never the outbox id or job kind', () => {
    const subject = logSubject({ aggregateType: 'order', aggregateId: 42 });
    const retry = logMsg('outbox_retry', { subject, at: '2026-12-03T21:15:00.000Z', error: { code: 'moysklad_unreachable', text: 'fetch failed (R21)' } });
    expect(logMessageText(retry, 'ru', { time })).toBe('Отправка заказа 42 в МойСклад: повтор в [21:15] — подробности в файле журнала');
    expect(logMessageText(retry, 'en', { time })).toBe('Sending order 42 to MoySklad: retried at [21:15] — fetch failed');
    const explain = (e: { code?: string | undefined; text: string }): string => (e.code === 'moysklad_unreachable' ? 'МойСклад недоступен' : e.text);
    expect(logMessageText(retry, 'ru', { time, explain })).toBe('Отправка заказа 42 в МойСклад: повтор в [21:15] — МойСклад недоступен');
    const waits = logMsg('outbox_waits', { subject: logSubject({ aggregateType: 'counterparty', aggregateId: '5' }), until: '2026-12-03T22:00:00.000Z', text: 'Нет прав на контрагентов' });
    expect(logMessageText(waits, 'ru', { time })).toBe('Отправка данных контрагента 5 в МойСклад ждёт до [22:00]: Нет прав на контрагентов');
    expect(logMessageText(logMsg('outbox_failed', { subject, error: { text: 'Позиция не найдена' } }), 'ru')).toBe('Отправка заказа 42 в МойСклад: не удалась — Позиция не найдена');
  });

  it('R32 run lines use the kind names, the counters table and no requirement ids', () => {
    const finished = logMsg('run_finished', { kind: 'outbox', status: 'ok', requests: 4, counts: { sent: 1 } });
    expect(logMessageText(finished, 'ru', { counts })).toBe('Выгрузка заказов и клиентов: завершено успешно; запросов к МойСклад: 4; отправлено: 1');
    expect(logMessageText(finished, 'en')).toBe('Order and client export: finished; MoySklad requests: 4');
    expect(logMessageText(logMsg('run_failed', { kind: 'nomenclature.full', error: { code: 'internal_error', text: 'boom' } }), 'en')).toBe('Full product load: error — boom');
    expect(logMessageText(logMsg('run_failed', { kind: 'unknown.kind', error: { text: 'boom' } }), 'ru')).toBe('Синхронизация: ошибка — подробности в файле журнала');
    expect(logMessageText(logMsg('products_skipped', { count: 2 }), 'ru')).toBe('Не загружено товаров: 2 — см. отчёт о качестве данных');
    expect(logMessageText(logMsg('balance_first_read', { matched: 1, noCard: 2, ambiguous: 0 }), 'ru')).toBe(
      'Первое чтение баланса: 3 клиента без связи с МойСклад; связано по совпадению: 1, без карточки в МойСклад: 2, с несколькими подходящими карточками (не выбраны, не созданы): 0',
    );
    expect(logMessageText(logMsg('full_pass_resumed', { startedAt: '2026-12-03T20:00:00.000Z' }), 'ru', { time })).toBe('Продолжается полная загрузка товаров, начатая [20:00]');
    expect(logMessageText(logMsg('incremental_pass_resumed', { since: null }), 'en')).toBe('Resuming the interrupted load of product changes');
  });

  it('R32 counterparty lines name the fields for people', () => {
    const sent = logMsg('counterparty_sent', { party: 'client', externalId: 'c-9', fields: ['phone', 'email', 'legalTitle'] });
    expect(logMessageText(sent, 'ru')).toBe('Клиент c-9: в МойСклад отправлено — телефон, email, другие данные');
    expect(logMessageText(sent, 'en')).toBe('Client c-9: sent to MoySklad — phone, email, other details');
    expect(logMessageText(logMsg('counterparty_link_lost', { party: 'supplier', externalId: 's-1' }), 'ru')).toBe(
      'Поставщик s-1: связанного контрагента в МойСклад больше нет; связь снята (при следующей выгрузке заказа он будет найден или создан)',
    );
  });

  it('R32 the code and params are stored in the details and read back; other details are not a message', () => {
    const m: LogMessage = logMsg('products_marked_deleted', { count: 5 });
    const details = withLogMessage({ counts: { a: 1 } }, m);
    expect(details).toEqual({ counts: { a: 1 }, text: { code: 'products_marked_deleted', params: { count: 5 } } });
    expect(storedLogMessage(JSON.parse(JSON.stringify(details)))).toEqual(m);
    expect(withLogMessage(undefined, m)).toEqual({ text: m });
    expect(withLogMessage(['x'], m)).toEqual({ value: ['x'], text: m });
    expect(storedLogMessage({ outboxId: 1, code: 'x' })).toBeNull();
    expect(storedLogMessage({ text: { code: 'no_such_code', params: {} } })).toBeNull();
    expect(storedLogMessage(null)).toBeNull();
  });

  it('R32 errors keep their code; Russian plurals', () => {
    expect(logError(Object.assign(new Error('gone'), { code: 'not_found' }))).toEqual({ code: 'not_found', text: 'gone' });
    expect(logError('plain')).toEqual({ text: 'plain' });
    expect([1, 2, 5, 11, 21, 22, 112].map((n) => ruPlural(n, 'товар', 'товара', 'товаров'))).toEqual(['1 товар', '2 товара', '5 товаров', '11 товаров', '21 товар', '22 товара', '112 товаров']);
  });
});
