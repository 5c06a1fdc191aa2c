/**
 * One benchmark scenario in this (fresh) process: `node --expose-gc bench/.build/bench/run-scenario.js '<ScenarioSpec JSON>'`
 * (compiled by bench/main.ts; `tsx bench/run-scenario.ts …` works too).
 * Prints `RESULT <json array of ScenarioResult>` on the last stdout line. Each row's peak RSS is its
 * measured sync's (set by the runner); rows without one get this process's maximum.
 */
import { runMultiTenant } from './runners/multi-tenant.js';
import { runScenario, type ScenarioResult, type ScenarioSpec } from './runners/scenarios.js';

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as ScenarioSpec & { integrations?: number; accounts?: number; workers?: number };
  const rows: ScenarioResult[] =
    spec.name === 'multi-tenant'
      ? await runMultiTenant({ integrations: spec.integrations ?? 200, accounts: spec.accounts ?? 10, productsPerAccount: spec.size, workers: spec.workers ?? 2 })
      : await runScenario(spec);
  const peak = Math.round(process.resourceUsage().maxRSS / 1024);
  for (const r of rows) r.peakRssMb ??= peak;
  process.stdout.write(`RESULT ${JSON.stringify(rows)}\n`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
