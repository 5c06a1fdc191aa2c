/**
 * @module api-types
 * What a route handler receives and returns.
 */

import type { EmulatorAccount } from '../state/account.js';
import type { SerializeContext } from '../state/serialize.js';
import type { ChangeEvent } from '../state/types.js';
import type { AuthKind } from '../http/rate-limit.js';
import type { EmulatorUser } from '../state/users.js';

export interface ApiRequest {
  method: string;
  /** Path after /api/remap/1.2/, split on '/', decoded. */
  segments: string[];
  /** The path after /api/remap/1.2/ as received. */
  path: string;
  query: URLSearchParams;
  headers: Headers;
  account: EmulatorAccount;
  /** C10 the user the request acts as, with its rights. */
  user: EmulatorUser;
  authKind: AuthKind;
  /** C10 `--report-row-limit`: `report/stock/{all,bystore}/current` answers 13005 past this many rows (undefined: no limit). */
  reportRowLimit?: number;
  ctx: SerializeContext;
  /** Origins accepted in hrefs (1059 otherwise). */
  origins: string[];
  /** Parsed JSON body (undefined when none). */
  body: unknown;
  /** Changes made by this request; emitted once the response is ready. */
  events: ChangeEvent[];
  /** Marks stock as changed (webhookstock). */
  stockChanged: boolean;
  nowMs: number;
}

export interface ApiResult {
  status: number;
  /** JSON body; `undefined` means an empty body. */
  body?: unknown;
  /** Rows produced, for the per-row latency model. */
  rows?: number;
  headers?: Record<string, string>;
}

export type Handler = (req: ApiRequest) => ApiResult | Promise<ApiResult>;

export const ok = (body: unknown, rows = 1): ApiResult => ({ status: 200, body, rows });
