/**
 * @module account-types
 * The plain data shapes of an emulator account: price types, document states, change context and
 * the inputs of the state API (products, stock cells, account init).
 */

import type { Clock } from '../../core/clock.js';
import type { IdSource } from './ids.js';

export interface PriceType {
  id: string;
  name: string;
  externalCode: string;
}

export interface DocState {
  id: string;
  name: string;
  color: number;
  stateType: 'Regular' | 'Successful' | 'Unsuccessful';
}

export interface ChangeContext {
  /** Login of the user that made the change (auditContext.uid). */
  uid: string;
  /** URL prefixes from X-Lognex-WebHook-DisableByPrefix. */
  disabledPrefixes: string[];
}

export interface ProductInput {
  name: string;
  code?: string;
  article?: string;
  externalCode?: string;
  description?: string;
  folderId?: string;
  /** "Цена продажи" in kopecks. */
  salePrice?: number;
  /** "Оптовая" in kopecks. */
  wholesalePrice?: number;
  buyPrice?: number;
  archived?: boolean;
  weight?: number;
  syncId?: string;
  id?: string;
}

export interface StockInput {
  stock?: number;
  reserve?: number;
  inTransit?: number;
}

export interface AccountInit {
  login: string;
  password: string;
  crm: boolean;
  solutionTokens: string[];
  clock: Clock;
  accountId?: string;
  ids?: IdSource;
}
