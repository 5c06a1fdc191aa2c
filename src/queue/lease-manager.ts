/**
 * @module queue/lease-manager
 * Leases in the database (`queueLeases`): a row per key with an owner and an expiry that the holder keeps
 * renewing. Used for one MoySklad credential per worker at a time (key `ms-account:<id>`) and for the
 * scheduler's leadership. Works the same on SQLite and PostgreSQL (an `INSERT … ON CONFLICT DO UPDATE … WHERE`
 * that only succeeds when the row is free, expired or already ours).
 *
 * Inside one process a lease is shared by reference count: several jobs of the same credential in the same
 * worker share the lease (and that process's single client and limiter for the credential).
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.js';
import { iso, queueDb, type AnyKysely, type QueueTables } from './tables.js';

export interface LeaseManagerOptions {
  db: AnyKysely;
  clock: Clock;
  /** Unique id of this process/worker. */
  owner: string;
  /** Lease time to live; renew() must run well within it (default 60 s). */
  ttlMs?: number;
  /** How often acquire() retries a busy lease (default 500 ms of clock time). */
  pollMs?: number;
  /**
   * After a release, another owner may take the lease only this much later (default 3,100 ms: MoySklad's
   * bucket interval plus a margin). The releasing process keeps its client and limiter, so it may take the
   * lease back at once; a new holder's limiter starts as if the bucket were full, which is then true.
   */
  handoverMs?: number;
}

export class LeaseManager {
  readonly owner: string;
  readonly ttlMs: number;
  readonly #db: Kysely<QueueTables>;
  readonly #clock: Clock;
  readonly #pollMs: number;
  readonly #handoverMs: number;
  readonly #held = new Map<string, number>();
  readonly #pending = new Map<string, Promise<boolean>>();

  constructor(options: LeaseManagerOptions) {
    this.#db = queueDb(options.db);
    this.#clock = options.clock;
    this.owner = options.owner;
    this.ttlMs = options.ttlMs ?? 60_000;
    this.#pollMs = options.pollMs ?? 500;
    this.#handoverMs = options.handoverMs ?? 3100;
  }

  /** A released row stays, expiring `handoverMs` later: only this owner may retake it before then. */
  async #releaseRows(keys: string[]): Promise<void> {
    if (!keys.length) return;
    const until = iso(this.#clock.nowMs() + this.#handoverMs);
    await this.#db.updateTable('queueLeases').set({ expiresAt: until }).where('key', 'in', keys).where('owner', '=', this.owner).execute();
  }

  /** Keys this process currently holds. */
  heldKeys(): string[] {
    return [...this.#held.keys()];
  }

  /** One attempt to take or extend the lease in the database. */
  async tryAcquireRow(key: string): Promise<boolean> {
    const nowMs = this.#clock.nowMs();
    const now = iso(nowMs);
    const expiresAt = iso(nowMs + this.ttlMs);
    const row = await this.#db
      .insertInto('queueLeases')
      .values({ key, owner: this.owner, acquiredAt: now, expiresAt: expiresAt })
      .onConflict((oc) =>
        oc
          .column('key')
          .doUpdateSet({ owner: this.owner, acquiredAt: now, expiresAt: expiresAt })
          .where((eb) => eb.or([eb('queueLeases.owner', '=', this.owner), eb('queueLeases.expiresAt', '<', now)])),
      )
      .returning('owner')
      .executeTakeFirst();
    return row?.owner === this.owner;
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
    const attempt = this.tryAcquireRow(key);
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
