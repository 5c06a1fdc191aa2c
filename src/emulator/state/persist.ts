/**
 * @module persist
 * Optional JSON persistence of the whole emulator state (entities, stock, balances, files,
 * tokens), so a demo emulator can survive restarts. Written atomically (tmp file + rename).
 */

import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Clock } from '../../core/clock.js';
import { EmulatorAccount, type DocState, type PriceType } from './account.js';
import { ENTITY_TYPES, type Entity, type StockCell } from './types.js';
import type { EmulatorUser } from './users.js';

interface AccountDump {
  login: string;
  password: string;
  crm: boolean;
  accountId: string;
  solutionTokens: string[];
  userToken?: string;
  /** C10 users besides the administrator (version 1 files have none). */
  users?: EmulatorUser[];
  ids: { currencyId: string; uomId: string; employeeId: string; groupId: string };
  priceTypes: PriceType[];
  states: Record<'customerorder' | 'purchaseorder', DocState[]>;
  nameSeq: Record<string, number>;
  entities: Entity[];
  stock: [string, [string, StockCell][]][];
  tombstones: [string, number][];
  balances: [string, number][];
  files: [string, { mediaType: string; filename: string; base64: string }][];
}

export function saveState(path: string, accounts: EmulatorAccount[]): void {
  const dump: AccountDump[] = accounts.map((a) => ({
    login: a.login,
    password: a.password,
    crm: a.crm,
    accountId: a.accountId,
    solutionTokens: [...a.solutionTokens],
    userToken: a.userToken,
    users: a.users.slice(1),
    ids: { currencyId: a.currencyId, uomId: a.uomId, employeeId: a.employeeId, groupId: a.groupId },
    priceTypes: a.priceTypes,
    states: a.states,
    nameSeq: a.nameSeq,
    entities: ENTITY_TYPES.flatMap((t) => a.rows(t)),
    stock: [...a.stock].map(([id, m]) => [id, [...m]]),
    tombstones: [...a.stockTombstones],
    balances: [...a.balances],
    files: [...a.files].map(([id, f]) => [id, { mediaType: f.mediaType, filename: f.filename, base64: Buffer.from(f.bytes).toString('base64') }]),
  }));
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify({ version: 1, accounts: dump }), { mode: 0o600 });
  renameSync(tmp, path);
}

export function loadState(path: string, clock: Clock): EmulatorAccount[] | undefined {
  if (!existsSync(path)) return undefined;
  const data = JSON.parse(readFileSync(path, 'utf8')) as { version: number; accounts: AccountDump[] };
  return data.accounts.map((d) => {
    const fixed = [d.ids.currencyId, d.ids.uomId, d.ids.employeeId, d.ids.groupId];
    let i = 0;
    const a = new EmulatorAccount({
      login: d.login,
      password: d.password,
      crm: d.crm,
      solutionTokens: d.solutionTokens,
      clock,
      accountId: d.accountId,
      ids: () => fixed[i++] ?? crypto.randomUUID(),
    });
    a.ids = () => crypto.randomUUID();
    a.userToken = d.userToken;
    for (const u of d.users ?? []) a.users.push({ ...u, cannotCreate: u.cannotCreate ?? [] });
    a.priceTypes = d.priceTypes;
    a.states.customerorder = d.states.customerorder;
    a.states.purchaseorder = d.states.purchaseorder;
    Object.assign(a.nameSeq, d.nameSeq);
    for (const e of d.entities) a.col(e.type).add(e);
    for (const [id, cells] of d.stock) a.stock.set(id, new Map(cells));
    for (const [id, ms] of d.tombstones) a.stockTombstones.set(id, ms);
    for (const [id, b] of d.balances) a.balances.set(id, b);
    for (const [id, f] of d.files) a.files.set(id, { mediaType: f.mediaType, filename: f.filename, bytes: new Uint8Array(Buffer.from(f.base64, 'base64')) });
    return a;
  });
}
