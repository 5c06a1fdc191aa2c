/**
 * The benchmark's MoySklad: the project's emulator in a process of its own (so that the scenario
 * process's peak RSS is the module's, not the emulator's), listening on a loopback port, driven
 * over the IPC channel by `RemoteEmulator` (bench/lib/remote-emulator.ts).
 *
 * Messages in: `{ id, op, args }`; out: `{ id, ok: true, value } | { id, ok: false, error }`.
 */
import { createEmulator, makePng, type Emulator, type EmulatorAccountSpec, type RateLimitSettings } from '../../src/emulator/index.js';
import { systemClock, type Clock } from '../../src/core/clock.js';

const SEED_AGE_MS = 2 * 3_600_000;

export interface HostInit {
  accounts: EmulatorAccountSpec[];
  limits: false | Partial<RateLimitSettings>;
  latency: { baseMs: number; perRowMs: number };
  clockOffsetMs: number;
}

let emulator: Emulator | null = null;
let server: { baseUrl: string; close(): Promise<void> } | null = null;

const need = (): Emulator => {
  if (!emulator) throw new Error('emulator host: init first');
  return emulator;
};

/** Evenly spread indexes: `count` of `total`. */
const spread = (total: number, count: number): number[] => {
  const n = Math.min(total, count);
  const step = total / Math.max(1, n);
  return Array.from({ length: n }, (_, i) => Math.floor(i * step));
};

const ops: Record<string, (args: never) => unknown> = {
  async init(a: HostInit) {
    // The catalog is seeded two hours in the past (as a real catalog was filled long before a sync),
    // then the clock runs at the benchmark's time: incremental syncs see only what changes later.
    let offset = a.clockOffsetMs - SEED_AGE_MS;
    const clock: Clock = { nowMs: () => Date.now() + offset, now: () => new Date(Date.now() + offset), sleep: (ms, signal) => systemClock.sleep(ms, signal) };
    emulator = createEmulator({ clock, accounts: a.accounts, limits: a.limits, latency: a.latency });
    offset = a.clockOffsetMs;
    server = await emulator.listen(0, '127.0.0.1');
    return { apiBaseUrl: emulator.apiBaseUrl };
  },
  stats: () => need().stats(),
  resetStats: () => need().resetStats(),
  setLatency: (l: { baseMs?: number; perRowMs?: number }) => need().setLatency(l),
  info(a: { login: string }) {
    const acc = need().account(a.login);
    const org = acc.organizations[0];
    return { storeIds: acc.stores.map((s) => s.id), organization: org ? { id: org.id, name: String(org.f.name) } : null, products: acc.listProducts().length };
  },
  /** Changes the name of `count` products spread over the catalog (bumps `updated`). */
  touchProducts(a: { login: string; count: number; tag: string }) {
    const acc = need().account(a.login);
    const products = acc.listProducts();
    const ids = spread(products.length, a.count).map((i) => products[i]!.id);
    for (const id of ids) acc.updateProduct(id, { name: `${String(acc.product(id)!.f.name)} ${a.tag}` });
    return ids.length;
  },
  /** Sets a new stock figure on `count` products in store `storeIndex`. */
  changeStock(a: { login: string; storeIndex: number; count: number }) {
    const acc = need().account(a.login);
    const products = acc.listProducts();
    const storeId = acc.stores[a.storeIndex]!.id;
    const ids = spread(products.length, a.count).map((i) => products[i]!.id);
    ids.forEach((id, i) => acc.setStock(id, storeId, { stock: 500 + i }));
    return ids.length;
  },
  /** One PNG image on each of the first `count` products. */
  addImages(a: { login: string; count: number; size?: number }) {
    const acc = need().account(a.login);
    const products = acc.listProducts().slice(0, a.count);
    products.forEach((p, i) => acc.addImage(p.id, `photo-${i}.png`, makePng(i + 1, a.size ?? 64), false));
    return products.length;
  },
  /** Products whose code is "<brand> <article>" (orders), and `clients` counterparties with an email. */
  orderFixture(a: { login: string; products: number; clients: number }) {
    const acc = need().account(a.login);
    const products = acc
      .listProducts()
      .filter((e) => typeof e.f.code === 'string' && typeof e.f.article === 'string' && (e.f.code as string).endsWith(` ${e.f.article as string}`))
      .slice(0, a.products)
      .map((e) => ({ id: e.id, code: e.f.code as string, article: e.f.article as string, name: e.f.name as string }));
    const counterparties = Array.from({ length: a.clients }, (_, i) =>
      acc.createEntity('counterparty', { name: `Покупатель ${i}`, email: `b${i}@bench.ru`, companyType: 'individual', archived: false, shared: false }).id,
    );
    return { products, counterparties, customerOrders: acc.customerOrders.length };
  },
  customerOrders: (a: { login: string }) => need().account(a.login).customerOrders.length,
  /** P1 bench: when each customer order came into existence (emulator clock, ms), by externalCode. */
  orderCreatedTimes: (a: { login: string }) => Object.fromEntries(need().account(a.login).customerOrders.map((e) => [String(e.f.externalCode), e.createdMs])),
  async close() {
    await server?.close();
    await emulator?.close();
    setImmediate(() => process.exit(0));
    return null;
  },
};

process.on('message', (m: { id: number; op: string; args: unknown }) => {
  const op = ops[m.op];
  Promise.resolve()
    .then(() => {
      if (!op) throw new Error(`unknown op ${m.op}`);
      return op(m.args as never);
    })
    .then(
      (value) => process.send?.({ id: m.id, ok: true, value: value ?? null }),
      (e: unknown) => process.send?.({ id: m.id, ok: false, error: e instanceof Error ? e.stack ?? e.message : String(e) }),
    );
});
process.on('disconnect', () => process.exit(0));
