/**
 * @module derived-sync-id
 * B1/R20/R26: a MoySklad `syncId` (UUID) derived deterministically from a store identity, so
 * that re-sending a create (after a crash, a timeout, a retry, or from a second worker) returns
 * the object MoySklad already created instead of a second one. Name-based UUID (version 5
 * layout, SHA-1) in a fixed namespace.
 */
import { createHash } from 'node:crypto';

const NAMESPACE = 'moysklad-exchange/v1';

/** e.g. `derivedSyncId('counterparty', 'client:C-1001')`, `derivedSyncId('product', partKey)`. */
export function derivedSyncId(kind: string, key: string): string {
  const h = createHash('sha1').update(`${NAMESPACE}\u0000${kind}\u0000${key}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
