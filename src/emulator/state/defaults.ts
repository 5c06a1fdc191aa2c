/**
 * @module defaults
 * What a new MoySklad account starts with: its two price types and the default states of customer
 * and purchase orders (ids drawn in this order from the account's id source).
 */

import type { DocState, PriceType } from './account-types.js';
import type { IdSource } from './ids.js';

export function defaultPriceTypes(ids: IdSource): PriceType[] {
  return [
    { id: ids(), name: 'Цена продажи', externalCode: 'cbcf493b-55bc-11d9-848a-00112f43529a' },
    { id: ids(), name: 'Оптовая', externalCode: 'wholesale' },
  ];
}

export function defaultStates(ids: IdSource): Record<'customerorder' | 'purchaseorder', DocState[]> {
  const mk = (name: string, color: number, stateType: DocState['stateType']): DocState => ({ id: ids(), name, color, stateType });
  const customerorder = [
    mk('Новый', 15106326, 'Regular'),
    mk('Подтвержден', 40931, 'Regular'),
    mk('Собран', 8767198, 'Regular'),
    mk('Отгружен', 15280409, 'Regular'),
    mk('Доставлен', 10774205, 'Successful'),
    mk('Возврат', 12548243, 'Unsuccessful'),
    mk('Отменен', 10066329, 'Unsuccessful'),
  ];
  const purchaseorder = [mk('Новый', 15106326, 'Regular'), mk('Подтвержден', 40931, 'Regular'), mk('Принят', 10774205, 'Successful')];
  return { customerorder, purchaseorder };
}
