/**
 * @module collection
 * One entity type's rows in an account: by id, in insertion order (the default list order), and
 * indexed by `syncId` and `code`.
 */

import type { Entity } from './types.js';

export class Collection {
  readonly byId = new Map<string, Entity>();
  /** Insertion order (the emulator's default list order). */
  list: Entity[] = [];
  readonly bySyncId = new Map<string, string>();
  readonly byCode = new Map<string, string>();
  #dirty = false;

  add(e: Entity): void {
    this.byId.set(e.id, e);
    this.list.push(e);
    const s = e.f.syncId;
    if (typeof s === 'string') this.bySyncId.set(s, e.id);
    if (typeof e.f.code === 'string') this.byCode.set(e.f.code, e.id);
  }

  remove(id: string): Entity | undefined {
    const e = this.byId.get(id);
    if (!e) return undefined;
    this.byId.delete(id);
    const s = e.f.syncId;
    if (typeof s === 'string') this.bySyncId.delete(s);
    if (typeof e.f.code === 'string' && this.byCode.get(e.f.code) === id) this.byCode.delete(e.f.code);
    this.#dirty = true;
    return e;
  }

  rows(): Entity[] {
    if (this.#dirty) {
      this.list = this.list.filter((e) => this.byId.has(e.id));
      this.#dirty = false;
    }
    return this.list;
  }
}
