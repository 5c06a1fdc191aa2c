/**
 * `npm run chaos`: the long form of the S6 chaos test. Prints the figures of each dialect.
 * CHAOS_KILLS (default 30), CHAOS_ORDERS (orders per round, default 20), CHAOS_DIALECTS
 * (default sqlite,postgres), CHAOS_SEED.
 */
import { runChaos, type ChaosFigures } from './chaos.js';

const kills = Number(process.env.CHAOS_KILLS ?? '30');
const ordersPerRound = Number(process.env.CHAOS_ORDERS ?? '20');
const dialects = (process.env.CHAOS_DIALECTS ?? 'sqlite,postgres').split(',') as ('sqlite' | 'postgres')[];
const results: ChaosFigures[] = [];
let failed = false;
for (const dialect of dialects) {
  const f = await runChaos({ dialect, kills, ordersPerRound, latencyMs: 15, maxKillDelayMs: 250, seed: Number(process.env.CHAOS_SEED ?? '20261203'), log: (l) => console.log(l) });
  results.push(f);
  const ok = f.lost === 0 && f.doubled === 0 && f.positionMismatches === 0 && f.productsDoubled === 0 && f.killsDuringExport >= Math.min(kills, 10);
  failed ||= !ok;
  console.log(
    `[chaos] ${dialect}: ${f.orders} orders / ${f.positions} positions, ${f.killsDuringExport} SIGKILLs during export (${f.kills} in all) over ${f.exporterRuns} exporter runs, ` +
      `${f.msOrders} MoySklad orders: lost ${f.lost}, doubled ${f.doubled}, position mismatches ${f.positionMismatches}; ` +
      `${f.productsCreated} products created, doubled ${f.productsDoubled}; ${(f.durationMs / 1000).toFixed(1)} s — ${ok ? 'OK' : 'FAILED'}`,
  );
}
console.log(JSON.stringify(results.map(({ killDelaysMs, ...r }) => ({ ...r, killDelaysMs: killDelaysMs.join(',') })), null, 2));
process.exitCode = failed ? 1 : 0;
