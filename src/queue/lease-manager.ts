/**
 * @module queue/lease-manager
 * Leases in the database (`queueLeases`, written by `QueueLeaseRepository` in src/store): a row per key with an owner and an expiry that the holder keeps
 * renewing. Used for one MoySklad credential per worker at a time (key `ms-account:<id>`) and for the
 * scheduler's leadership. Works the same on SQLite and PostgreSQL (an `INSERT … ON CONFLICT DO UPDATE … WHERE`
 * that only succeeds when the row is free, expired or already ours).
 *
 * Inside one process a lease is shared by reference count: several jobs of the same credential in the same
 * worker share the lease (and that process's single client and limiter for the credential).
 *
 * Hand-over: a release leaves on the row what the next holder needs (`LeaseHandover.snapshot`, e.g. the
 * credential's limiter state) and frees the row at once; whoever takes the row next gets that state
 * (`LeaseHandover.restore`), in the same statements that release and take the lease.
 */
import type { Clock } from '../core/clock.js';
import type { Db } from '../store/db.js';
import { QueueLeaseRepository } from '../store/queue/queue-lease-repository.js';
import { iso } from '../store/queue/queue-tables.js';

export interface LeaseManagerOptions {
  /** The application database: leases are rows of `queueLeases` (through `QueueLeaseRepository`). */
  db: Db;
  clock: Clock;
  /** Unique id of this process/worker. */
  owner: string;
  /** Lease time to live; renew() must run well within it (default 60 s). */
  ttlMs?: number;
  /** How often acquire() retries a busy lease (default 500 ms of clock time). */
  pollMs?: number;
  /** What travels with a lease from one holder to the next (default: nothing). */
  handover?: LeaseHandover;
}

/**
 * State that passes with a lease between processes (for `ms-account:<id>` keys: the credential's limiter).
 * Both are called outside any transaction and must not throw for long; errors are ignored (the lease
 * then carries no state and the next holder starts as if it had none).
 */
export interface LeaseHandover {
  /** The state to leave on the row when this process releases `key` (undefined: none). */
  snapshot(key: string): string | undefined;
  /** This process took the row of `key` (it did not hold it); `state` is what the last holder left, or null. */
  restore(key: string, state: string | null): void;
}

/** A released row: expired since the epoch, so anyone may take it at once whatever the clocks say. */
const RELEASED = iso(0);

export class LeaseManager {
  readonly owner: string;
  readonly ttlMs: number;
  readonly #rows: QueueLeaseRepository;
  readonly #clock: Clock;
  readonly #pollMs: number;
  readonly #handover: LeaseHandover | undefined;
  readonly #held = new Map<string, number>();
  readonly #pending = new Map<string, Promise<boolean>>();

  constructor(options: LeaseManagerOptions) {
    this.#rows = new QueueLeaseRepository(options.db);
    this.#clock = options.clock;
    this.owner = options.owner;
    this.ttlMs = options.ttlMs ?? 60_000;
    this.#pollMs = options.pollMs ?? 500;
    this.#handover = options.handover;
  }

  /** A released row stays with the hand-over state on it and is free at once. */
  async #releaseRows(keys: string[]): Promise<void> {
    for (const key of keys) {
      let state: string | null = null;
      try {
        state = this.#handover?.snapshot(key) ?? null;
      } catch {
        state = null;
      }
      await this.#rows.release(key, this.owner, RELEASED, state);
    }
  }

  /** Keys this process currently holds. */
  heldKeys(): string[] {
    return [...this.#held.keys()];
  }

  /** One attempt to take or extend the lease in the database. */
  async tryAcquireRow(key: string): Promise<boolean> {
    return (await this.#acquireRow(key)).ok;
  }

  /** Takes or extends the row; on success also returns the state the last holder left on it. */
  async #acquireRow(key: string): Promise<{ ok: boolean; state: string | null }> {
    const nowMs = this.#clock.nowMs();
    const now = iso(nowMs);
    const expiresAt = iso(nowMs + this.ttlMs);
    const row = await this.#rows.acquire(key, this.owner, now, expiresAt);
    return { ok: row?.owner === this.owner, state: row?.state ?? null };
  }

  /** Takes the lease without waiting (shared with this process's other holders). Returns false if busy. */
  async tryHold(key: string): Promise<boolean> {
    const count = this.#held.get(key);
    if (count !== undefined) {
      this.#held.set(key, count + 1);
      return true;
    }
    // Serialize concurrent local attempts on one key so the refcount stays right.
    const pending = this.#pending.get(key);
    if (pending) {
      await pending.catch(() => false);
      return this.tryHold(key);
    }
    const attempt = this.#acquireRow(key).then(({ ok, state }) => {
      if (ok && this.#handover) {
        try {
          this.#handover.restore(key, state);
        } catch {
          // no state restored: the next holder starts as without hand-over
        }
      }
      return ok;
    });
    this.#pending.set(key, attempt);
    try {
      const ok = await attempt;
      if (ok) this.#held.set(key, (this.#held.get(key) ?? 0) + 1);
      return ok;
    } finally {
      this.#pending.delete(key);
    }
  }

  /** Waits (on the clock) until the lease is ours; returns the release function. */
  async hold(key: string, signal?: AbortSignal): Promise<() => Promise<void>> {
    for (;;) {
      if (await this.tryHold(key)) {
        let released = false;
        return async () => {
          if (released) return;
          released = true;
          await this.release(key);
        };
      }
      await this.#clock.sleep(this.#pollMs, signal);
    }
  }

  async release(key: string): Promise<void> {
    const count = this.#held.get(key);
    if (count === undefined) return;
    if (count > 1) {
      this.#held.set(key, count - 1);
      return;
    }
    this.#held.delete(key);
    await this.#releaseRows([key]);
  }

  /**
   * Extends every lease this process holds; returns the keys that were lost (taken over after expiry).
   * A lost key is forgotten locally, so new jobs of that credential wait for it again.
   */
  async renewAll(): Promise<string[]> {
    const lost: string[] = [];
    for (const key of this.heldKeys()) {
      if (!(await this.tryAcquireRow(key))) {
        lost.push(key);
        this.#held.delete(key);
      }
    }
    return lost;
  }

  /** Drops every lease of this process (shutdown). */
  async releaseAll(): Promise<void> {
    const keys = this.heldKeys();
    this.#held.clear();
    await this.#releaseRows(keys);
  }
}
