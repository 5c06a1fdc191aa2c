/**
 * @module order-batch-buffer
 * P2: what the exports of one batch would write one statement at a time — the MoySklad ids of the
 * created orders, their positions' links and states, the exported state and the E3 events — kept
 * in memory in the order the single export writes them, then committed together in ONE transaction
 * (`OrderRepository.commitExportBatch`). Also remembers each counterparty ensured for the batch, so the
 * next order of the same client does not read it again.
 */
import type { PlatformEvent } from '../../domain/platform-events.js';
import type { OrderBatchWrites, PositionSyncWrite } from '../../store/repositories/order-batch-repository.js';
import type { EnsuredCounterparty } from '../counterparties/counterparty-export.js';

export class OrderBatchBuffer implements OrderBatchWrites {
  readonly created = new Map<number, { msOrderId: string; msAccountId: number; syncId: string }>();
  readonly positions = new Map<number, PositionSyncWrite>();
  readonly exported = new Map<number, { msAccountId: number; msOrderId: string }>();
  readonly events: Array<(at: string) => PlatformEvent> = [];
  /** Counterparty id → as ensured by the first order of the batch that needed it. */
  readonly counterparties = new Map<number, EnsuredCounterparty>();

  /** `setPositionSync`: later writes of the same position win field by field, as successive updates would. */
  position(positionId: number, values: PositionSyncWrite, event?: PlatformEvent): void {
    this.positions.set(positionId, { ...this.positions.get(positionId), ...values });
    if (event) this.events.push(() => event);
  }

  recordMsOrder(orderId: number, values: { msOrderId: string; msAccountId: number; syncId: string }): void {
    this.created.set(orderId, values);
  }

  markExported(orderId: number, msAccountId: number, msOrderId: string, event?: (exportedAt: string) => PlatformEvent): void {
    this.exported.set(orderId, { msAccountId, msOrderId });
    if (event) this.events.push(event);
  }

  get empty(): boolean {
    return this.created.size + this.positions.size + this.exported.size + this.events.length === 0;
  }

  /** Forgets the writes (kept: the counterparties), e.g. after they were committed or their commit failed. */
  clearWrites(): void {
    this.created.clear();
    this.positions.clear();
    this.exported.clear();
    this.events.length = 0;
  }
}
