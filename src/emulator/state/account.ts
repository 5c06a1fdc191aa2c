/**
 * @module account
 * One MoySklad account: its login, tokens, entities, stock, CRM balances and files.
 * `EmulatorAccount` is also the direct state API for tests and the demo: every change made
 * through it bumps `updated`, counts for `changedSince` and fires webhooks like an API change.
 */

import type { Clock } from '../../core/clock.js';
import { formatMoscow } from '../../core/moscow-time.js';
import type { AccountInit, ChangeContext, DocState, PriceType, ProductInput, StockInput } from './account-types.js';
import { Collection } from './collection.js';
import { defaultPriceTypes, defaultStates } from './defaults.js';
import { docStockMap, mergeStockCells, type DocStockMap } from './doc-stock.js';
import { newAccessToken, randomId, type IdSource } from './ids.js';
import { mediaTypeOf } from './media-type.js';
import { productFields, productPatch } from './product-fields.js';
import { shippedPositions } from './shipments.js';
import { ADMIN_RIGHTS, newUser, type EmulatorUser, type EmulatorUserSpec } from './users.js';
import {
  ENTITY_TYPES,
  ref,
  isRef,
  type ChangeEvent,
  type Entity,
  type EntityType,
  type Fields,
  type ImageRec,
  type StockCell,
  type StoredFile,
} from './types.js';

export type { AccountInit, ChangeContext, DocState, PriceType, ProductInput, StockInput } from './account-types.js';
export { Collection } from './collection.js';


export type ChangeListener = (account: EmulatorAccount, events: ChangeEvent[], ctx: ChangeContext) => void;
export type StockListener = (account: EmulatorAccount, changedMs: number) => void;




export class EmulatorAccount {
  readonly login: string;
  crm: boolean;
  readonly accountId: string;
  readonly clock: Clock;
  /** Valid solution tokens (weight 1, bucket per solution). */
  readonly solutionTokens: Set<string>;
  /** C10 the users of the account; the first is the account's own login, an administrator. */
  readonly users: EmulatorUser[] = [];
  readonly collections = new Map<EntityType, Collection>();
  /** productId or variantId → storeId → cell. */
  readonly stock = new Map<string, Map<string, StockCell>>();
  /** Assortment ids deleted or archived, with the time, for changedSince. */
  readonly stockTombstones = new Map<string, number>();
  /** CRM balance per counterparty id, kopecks (negative: the counterparty owes). */
  readonly balances = new Map<string, number>();
  readonly files = new Map<string, StoredFile>();
  priceTypes: PriceType[] = [];
  readonly currencyId: string;
  readonly uomId: string;
  readonly employeeId: string;
  readonly groupId: string;
  readonly states: Record<'customerorder' | 'purchaseorder', DocState[]> = { customerorder: [], purchaseorder: [] };
  readonly nameSeq: Record<string, number> = {};
  /** Bumped on every change; list caches key on it. */
  version = 0;
  /** Set when the account got more than 200 429s in a minute; only support (a test) turns it back on. */
  apiDisabled = false;
  /** Times of recent 429 answers (sliding 60 s window). */
  readonly recent429: number[] = [];
  ids: IdSource;
  changeListeners: ChangeListener[] = [];
  stockListeners: StockListener[] = [];
  #folderPaths: { version: number; paths: Map<string, string> } | undefined;
  #docStock: { version: number; map: DocStockMap } | undefined;
  /** When order reserves / purchase in-transit last changed per item and store (for changedSince). */
  readonly docStockChanged = new Map<string, Map<string, number>>();

  constructor(init: AccountInit) {
    this.login = init.login;
    this.crm = init.crm;
    this.clock = init.clock;
    this.ids = init.ids ?? randomId;
    this.accountId = init.accountId ?? this.ids();
    this.solutionTokens = new Set(init.solutionTokens);
    for (const t of ENTITY_TYPES) this.collections.set(t, new Collection());
    this.currencyId = this.ids();
    this.uomId = this.ids();
    this.employeeId = this.ids();
    this.groupId = this.ids();
    this.users.push({ login: init.login, password: init.password, name: 'Администратор', employeeId: this.employeeId, userToken: undefined, cannotCreate: [], ...ADMIN_RIGHTS });
    this.priceTypes = defaultPriceTypes(this.ids);
    const states = defaultStates(this.ids);
    this.states.customerorder = states.customerorder;
    this.states.purchaseorder = states.purchaseorder;
  }

  // ---- tokens -------------------------------------------------------------------------------

  /** The administrator's password (the account's own login). */
  get password(): string {
    return this.users[0]?.password ?? '';
  }

  set password(value: string) {
    const admin = this.users[0];
    if (admin) admin.password = value;
  }

  /** The administrator's current user token (the account's own login). */
  get userToken(): string | undefined {
    return this.users[0]?.userToken;
  }

  set userToken(token: string | undefined) {
    const admin = this.users[0];
    if (admin) admin.userToken = token;
  }

  /** Issues a user token and revokes that user's earlier one (POST /security/token); the administrator by default. */
  issueToken(user: EmulatorUser | undefined = this.users[0]): string {
    const token = newAccessToken();
    if (user) user.userToken = token;
    return token;
  }

  /** C10 adds a user (an employee with a login) with the given rights (none by default). */
  addUser(spec: EmulatorUserSpec, employeeId: string = this.ids()): EmulatorUser {
    if (this.users.some((u) => u.login === spec.login)) throw new Error(`user ${spec.login} exists`);
    const user = newUser(spec, employeeId);
    this.users.push(user);
    this.version++;
    return user;
  }

  setCrm(on: boolean): void {
    this.crm = on;
  }

  /** The tariff allows webhooks (paid tariffs only, §8): false → `entity/webhook*` answer 403/30006. */
  webhooksAllowed = true;

  setWebhooksAllowed(on: boolean): void {
    this.webhooksAllowed = on;
  }

  // ---- generic storage ----------------------------------------------------------------------

  col(type: EntityType): Collection {
    const c = this.collections.get(type);
    if (!c) throw new Error(`no collection ${type}`);
    return c;
  }

  get(type: EntityType, id: string): Entity | undefined {
    return this.col(type).byId.get(id);
  }

  rows(type: EntityType): Entity[] {
    return this.col(type).rows();
  }

  nowMs(): number {
    return this.clock.nowMs();
  }

  /** Inserts an entity with already-validated fields. Does not emit webhooks. */
  insert(type: EntityType, f: Fields, id?: string): Entity {
    const now = this.nowMs();
    const e: Entity = { id: id ?? this.ids(), type, createdMs: now, updatedMs: now, f };
    this.col(type).add(e);
    this.version++;
    return e;
  }

  /** Applies already-validated fields; `undefined` values delete the key. Returns the changed field names. */
  patch(e: Entity, patch: Fields): string[] {
    const changed: string[] = [];
    const col = this.col(e.type);
    if ('code' in patch && typeof e.f.code === 'string' && col.byCode.get(e.f.code) === e.id) col.byCode.delete(e.f.code);
    for (const [k, v] of Object.entries(patch)) {
      const before = e.f[k];
      if (v === undefined) {
        if (k in e.f) {
          delete e.f[k];
          changed.push(k);
        }
        continue;
      }
      if (JSON.stringify(before) !== JSON.stringify(v)) changed.push(k);
      e.f[k] = v;
    }
    if (typeof e.f.code === 'string') col.byCode.set(e.f.code, e.id);
    if ('syncId' in patch && typeof patch.syncId === 'string') col.bySyncId.set(patch.syncId, e.id);
    e.updatedMs = Math.max(this.nowMs(), e.updatedMs);
    this.version++;
    if (e.type === 'product' || e.type === 'variant') {
      if (changed.includes('archived') && e.f.archived === true) this.stockTombstones.set(e.id, this.nowMs());
    }
    return changed;
  }

  /** Removes an entity. Does not emit webhooks. */
  delete(type: EntityType, id: string): Entity | undefined {
    const e = this.col(type).remove(id);
    if (!e) return undefined;
    this.version++;
    if (type === 'product' || type === 'variant') {
      this.stockTombstones.set(id, this.nowMs());
      this.stock.delete(id);
      const imgs = (e.f.images as ImageRec[] | undefined) ?? [];
      for (const img of imgs) this.files.delete(img.fileId);
    }
    if (type === 'counterparty') this.balances.delete(id);
    return e;
  }

  findBySyncId(type: EntityType, syncId: string): Entity | undefined {
    const id = this.col(type).bySyncId.get(syncId);
    return id === undefined ? undefined : this.get(type, id);
  }

  /** Product codes must be unique in the account (3006). Returns the id holding `code`, if any. */
  findByCode(type: EntityType, code: string): Entity | undefined {
    const id = this.col(type).byCode.get(code);
    return id === undefined ? undefined : this.get(type, id);
  }

  nextName(type: string): string {
    const n = (this.nameSeq[type] ?? 0) + 1;
    this.nameSeq[type] = n;
    return n.toString().padStart(5, '0');
  }

  /** Full path of a folder including its own name (`Автозапчасти/Фильтры/Масляные`). */
  folderFullPath(folderId: string): string {
    if (!this.#folderPaths || this.#folderPaths.version !== this.version) {
      this.#folderPaths = { version: this.version, paths: new Map() };
    }
    const cached = this.#folderPaths.paths.get(folderId);
    if (cached !== undefined) return cached;
    const parts: string[] = [];
    let cur = this.get('productfolder', folderId);
    let guard = 0;
    while (cur && guard++ < 50) {
      parts.unshift(String(cur.f.name ?? ''));
      const p = cur.f.productFolder;
      cur = isRef(p) ? this.get('productfolder', p.$ref.id) : undefined;
    }
    const path = parts.join('/');
    this.#folderPaths.paths.set(folderId, path);
    return path;
  }

  // ---- change notification --------------------------------------------------------------------

  emitChanges(events: ChangeEvent[], ctx?: Partial<ChangeContext>): void {
    if (events.length === 0) return;
    const full: ChangeContext = { uid: ctx?.uid ?? this.login, disabledPrefixes: ctx?.disabledPrefixes ?? [] };
    for (const l of this.changeListeners) l(this, events, full);
  }

  touchStock(assortmentId: string, storeId: string, cell: StockInput): void {
    let m = this.stock.get(assortmentId);
    if (!m) {
      m = new Map();
      this.stock.set(assortmentId, m);
    }
    const now = this.nowMs();
    const prev = m.get(storeId);
    m.set(storeId, {
      stock: cell.stock ?? prev?.stock ?? 0,
      reserve: cell.reserve ?? prev?.reserve ?? 0,
      inTransit: cell.inTransit ?? prev?.inTransit ?? 0,
      changedMs: now,
    });
    this.version++;
  }

  // ---- friendly state API for tests and the demo -------------------------------------------------

  get organizations(): Entity[] {
    return this.rows('organization');
  }
  get stores(): Entity[] {
    return this.rows('store');
  }
  get folders(): Entity[] {
    return this.rows('productfolder');
  }
  get counterparties(): Entity[] {
    return this.rows('counterparty');
  }
  get customerOrders(): Entity[] {
    return this.rows('customerorder');
  }
  get purchaseOrders(): Entity[] {
    return this.rows('purchaseorder');
  }
  get webhooks(): Entity[] {
    return this.rows('webhook');
  }
  get stockWebhooks(): Entity[] {
    return this.rows('webhookstock');
  }

  listProducts(): Entity[] {
    return this.rows('product');
  }

  product(id: string): Entity | undefined {
    return this.get('product', id);
  }

  productFields(input: ProductInput): Fields {
    return productFields(this, input);
  }

  /** Creates a product as if through the API (code must be unique). */
  createProduct(input: ProductInput): Entity {
    if (input.code !== undefined && input.code !== '' && this.findByCode('product', input.code)) {
      throw new Error(`product code '${input.code}' is not unique`);
    }
    const e = this.insert('product', this.productFields(input), input.id);
    this.emitChanges([{ type: 'product', id: e.id, action: 'CREATE' }]);
    return e;
  }

  /** Partially updates a product (bumps `updated`, fires UPDATE webhooks). */
  updateProduct(id: string, patch: Partial<ProductInput>): Entity {
    const e = this.mustGet('product', id);
    const apply = productPatch(this, e, patch);
    if (typeof apply.code === 'string') {
      const other = this.findByCode('product', apply.code);
      if (other && other.id !== id) throw new Error(`product code '${apply.code}' is not unique`);
    }
    const changed = this.patch(e, apply);
    this.emitChanges([{ type: 'product', id, action: 'UPDATE', updatedFields: changed }]);
    return e;
  }

  archiveProduct(id: string, archived = true): Entity {
    return this.updateProduct(id, { archived });
  }

  deleteProduct(id: string): void {
    this.mustGet('product', id);
    this.delete('product', id);
    this.emitChanges([{ type: 'product', id, action: 'DELETE' }]);
  }

  /** Sets the stock cell of an item at a store (missing parts keep their value). */
  setStock(assortmentId: string, storeId: string, cell: StockInput): void {
    if (!this.get('product', assortmentId) && !this.get('variant', assortmentId)) throw new Error(`no assortment ${assortmentId}`);
    this.mustGet('store', storeId);
    this.touchStock(assortmentId, storeId, cell);
    for (const l of this.stockListeners) l(this, this.nowMs());
  }

  /** The effective cell (set stock plus order reserves and purchase in-transit). */
  stockOf(assortmentId: string, storeId: string): StockCell | undefined {
    return this.stockCells(assortmentId)?.get(storeId);
  }

  /**
   * Effective stock cells of an item per store: the cells set by seeds/`setStock`, plus the
   * `reserve` of positions of applicable customer orders and the `inTransit` of positions of
   * applicable purchase orders that name a store.
   */
  stockCells(assortmentId: string): Map<string, StockCell> | undefined {
    const docs = this.#docStockMap().get(assortmentId) ?? new Map<string, { reserve: number; inTransit: number }>();
    return mergeStockCells(this.stock.get(assortmentId), docs, this.docStockChanged.get(assortmentId));
  }

  /** Marks (item, store) pairs whose order reserves or in-transit changed. */
  touchDocStock(pairs: Iterable<[string, string]>): boolean {
    const now = this.nowMs();
    let any = false;
    for (const [pid, storeId] of pairs) {
      let m = this.docStockChanged.get(pid);
      if (!m) {
        m = new Map();
        this.docStockChanged.set(pid, m);
      }
      m.set(storeId, now);
      any = true;
    }
    if (any) this.version++;
    return any;
  }

  #docStockMap(): DocStockMap {
    if (this.#docStock && this.#docStock.version === this.version) return this.#docStock.map;
    const map = docStockMap(this.rows('customerorder'), this.rows('purchaseorder'));
    this.#docStock = { version: this.version, map };
    return map;
  }

  setBalance(counterpartyId: string, kopecks: number): void {
    this.mustGet('counterparty', counterpartyId);
    this.balances.set(counterpartyId, Math.round(kopecks));
    this.version++;
  }

  /** Generic create for other entity kinds (fields as the API stores them; refs via `ref()`). */
  createEntity(type: EntityType, f: Fields, id?: string): Entity {
    const e = this.insert(type, f, id);
    this.emitChanges([{ type, id: e.id, action: 'CREATE' }]);
    return e;
  }

  updateEntity(type: EntityType, id: string, patch: Fields): Entity {
    const e = this.mustGet(type, id);
    const changed = this.patch(e, patch);
    this.emitChanges([{ type, id, action: 'UPDATE', updatedFields: changed }]);
    return e;
  }

  deleteEntity(type: EntityType, id: string): void {
    this.mustGet(type, id);
    this.delete(type, id);
    this.emitChanges([{ type, id, action: 'DELETE' }]);
  }

  /**
   * E7 a manager sets a customer order's state by name (as in the web UI): one UPDATE of the order.
   */
  setOrderState(orderId: string, stateName: string): Entity {
    const st = this.states.customerorder.find((s) => s.name === stateName);
    if (!st) throw new Error(`no customer order state ${stateName}`);
    return this.updateEntity('customerorder', orderId, { state: ref('state', st.id, 'customerorder') });
  }

  /**
   * E7 a manager ships (part of) a customer order: a `demand` linked to the order (`customerOrder`)
   * with these positions, from the order's store (or the first store). The order positions'
   * `shipped` is recomputed from all its demands (per item, filled in position order). Emits the
   * demand's CREATE only: whether MoySklad bumps the order's `updated` is not documented.
   */
  shipOrder(orderId: string, lines: ReadonlyArray<{ assortmentId: string; quantity: number }>): Entity {
    const order = this.mustGet('customerorder', orderId);
    const store = isRef(order.f.store) ? order.f.store : ref('store', this.rows('store')[0]?.id ?? this.ids());
    const positions = lines.map((l) => {
      const kind = this.get('variant', l.assortmentId) ? 'variant' : 'product';
      return { id: this.ids(), f: { assortment: ref(kind, l.assortmentId), quantity: l.quantity, price: 0 } };
    });
    const demand = this.insert('demand', {
      name: this.nextName('demand'),
      moment: formatMoscow(this.nowMs()),
      applicable: true,
      organization: order.f.organization,
      agent: order.f.agent,
      store,
      customerOrder: ref('customerorder', orderId),
      positions,
    });
    this.recomputeShipped(order);
    this.emitChanges([{ type: 'demand', id: demand.id, action: 'CREATE' }]);
    return demand;
  }

  /** Sets `shipped` of each position of the order from the positions of its demands. */
  private recomputeShipped(order: Entity): void {
    order.f = { ...order.f, positions: shippedPositions(order, this.rows('demand')) };
  }

  /** Stores a file and returns its id (used by images). */
  putFile(bytes: Uint8Array, mediaType: string, filename: string): string {
    const id = this.ids();
    this.files.set(id, { bytes, mediaType, filename });
    return id;
  }

  /** Adds an image to a product directly (tests, seeds). */
  addImage(productId: string, filename: string, bytes: Uint8Array, emit = true): ImageRec {
    const e = this.mustGet('product', productId);
    const images = [...((e.f.images as ImageRec[] | undefined) ?? [])];
    if (images.length >= 10) throw new Error('at most 10 images');
    const fileId = this.putFile(bytes, mediaTypeOf(filename), filename);
    const img: ImageRec = { id: this.ids(), fileId, title: filename.replace(/\.[^.]*$/, ''), filename, size: bytes.length, updatedMs: this.nowMs() };
    images.push(img);
    const changed = this.patch(e, { images });
    if (emit) this.emitChanges([{ type: 'product', id: productId, action: 'UPDATE', updatedFields: changed }]);
    return img;
  }

  mustGet(type: EntityType, id: string): Entity {
    const e = this.get(type, id);
    if (!e) throw new Error(`${type} ${id} not found`);
    return e;
  }
}


