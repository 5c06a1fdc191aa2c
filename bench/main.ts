/**
 * `npm run bench` — every benchmark scenario, each in a fresh child process, against the emulator
 * configured like MoySklad (real clock, loopback HTTP, 2026 limits, latency model), one table.
 *
 *   npm run bench                      full sizes; writes docs/benchmarks.md and bench/results/full.json
 *   npm run bench -- --quick           reduced sizes (< 2 min); prints the table, writes bench/results/quick.json
 *   npm run bench -- --only a,b        only these scenario ids (merged into the saved results of the mode)
 *   npm run bench -- --no-write        print only
 *   npm run bench -- --render          re-render docs/benchmarks.md from bench/results/full.json, run nothing
 *
 * Before running, bench and the src and test helper modules it imports are compiled once with tsc
 * (tsconfig.bench.json, incremental) into bench/.build (not measured), and each scenario child runs that compiled JavaScript with plain `node --expose-gc`, as
 * production runs dist/ — not under tsx, whose loader alone adds tens of MB of RSS.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { weightSwitchOffsetMs } from './lib/bench-clock.js';
import { BENCH_LATENCY } from './lib/bench-context.js';
import { checkTargets, machine, markdownTable, textTable, toRow, type Machine } from './lib/report.js';
import { NAIVE_PAGE, NAIVE_SLEEP_MS, type ScenarioResult, type ScenarioSpec } from './runners/scenarios.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
/** Where the benchmark's compiled copy of src, bench and test lives (gitignored). */
export const BUILD_DIR = path.join(root, 'bench', '.build');

interface Planned {
  id: string;
  spec: Omit<ScenarioSpec, 'clockOffsetMs'> & { integrations?: number; accounts?: number; workers?: number };
  /** Extra node flags of the scenario process. */
  nodeFlags?: string[];
  /** Run under tsx instead of the compiled build (the multi-tenant scale scenario spawns its workers from .ts files next to itself). */
  tsx?: boolean;
}

export function plan(quick: boolean): Planned[] {
  const q = <T>(full: T, small: T): T => (quick ? small : full);
  return [
    { id: 'nomenclature-full-10k', spec: { name: 'nomenclature-full', size: q(10_000, 1_000) } },
    { id: 'nomenclature-full-100k', spec: { name: 'nomenclature-full', size: q(100_000, 5_000) } },
    // the same pass with V8's old space capped: how much of the peak RSS is heap not yet collected
    { id: 'nomenclature-full-100k-heap128', spec: { name: 'nomenclature-full', size: q(100_000, 5_000) }, nodeFlags: ['--max-old-space-size=128'] },
    { id: 'nomenclature-full-100k-solution', spec: { name: 'nomenclature-full', size: q(100_000, 5_000), auth: 'solution_token' } },
    { id: 'nomenclature-naive-10k', spec: { name: 'nomenclature-naive', size: q(10_000, 1_000) } },
    { id: 'nomenclature-incremental-100k', spec: { name: 'nomenclature-incremental', size: q(100_000, 5_000) } },
    { id: 'stock-100k', spec: { name: 'stock', size: q(100_000, 5_000) } },
    { id: 'photos-1k', spec: { name: 'photos', size: q(1_000, 10) } },
    { id: 'orders-1k', spec: { name: 'orders', size: q(1_000, 20) } },
    { id: 'order-latency-200', spec: { name: 'order-latency', size: q(200, 10) } },
    { id: 'crash-resume-1k', spec: { name: 'crash-resume', size: q(1_000, 20) } },
    { id: 'multi-tenant-200', spec: { name: 'multi-tenant', size: 500, integrations: q(200, 10), accounts: q(10, 5), workers: 2 }, tsx: true },
  ];
}

/**
 * Compiles bench and the src and test modules it imports (tsconfig.bench.json) into BUILD_DIR. Type errors elsewhere in the checkout do
 * not stop the emit (tsc emits anyway); they are printed, and the run goes on when the entry exists.
 */
function compile(): void {
  const t0 = Date.now();
  process.stderr.write(`[bench] compiling src, bench and test into ${path.relative(root, BUILD_DIR)} (not measured) …\n`);
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  // tsconfig.bench.json: tsconfig.json's options, bench/ and what it imports (src, test helpers), incremental
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.bench.json'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) process.stderr.write(`[bench] tsc reported errors (emitted anyway):\n${(r.stdout + r.stderr).slice(0, 4000)}\n`);
  if (!fs.existsSync(path.join(BUILD_DIR, 'bench', 'run-scenario.js'))) throw new Error('bench: the compiled bench/run-scenario.js is missing after tsc');
  process.stderr.write(`[bench] compiled in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}

/** The scenario child's node arguments: compiled JavaScript under plain node, or the TypeScript under tsx. */
export function childArgs(spec: ScenarioSpec, nodeFlags: string[] = [], tsx = false): string[] {
  const entry = tsx ? ['--import', 'tsx', path.join(here, 'run-scenario.ts')] : [path.join(BUILD_DIR, 'bench', 'run-scenario.js')];
  return ['--expose-gc', ...nodeFlags, ...entry, JSON.stringify(spec)];
}

function runChild(spec: ScenarioSpec, nodeFlags: string[] = [], tsx = false): Promise<ScenarioResult[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, childArgs(spec, nodeFlags, tsx), { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString();
      if (err.length > 20_000) err = err.slice(-10_000);
    });
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code === 0 && line) resolve(JSON.parse(line.slice(7)) as ScenarioResult[]);
      else reject(new Error(`scenario ${spec.name} exited ${code}: ${err.slice(-3000)}`));
    });
  });
}

interface Saved {
  mode: 'full' | 'quick';
  machine: Machine;
  /** Per planned id: the rows, when they were measured, and how long the child ran. */
  results: Record<string, { at: string; elapsedS: number; rows: ScenarioResult[] } | { at: string; error: string }>;
}

function baselineLines(results: Saved['results'], quick: boolean): string[] {
  const get = (id: string): ScenarioResult | undefined => {
    const r = results[id];
    return r && 'rows' in r ? r.rows[0] : undefined;
  };
  const naive = get('nomenclature-naive-10k');
  const ours = get('nomenclature-full-10k');
  if (!naive || !ours || naive.size !== ours.size) return [];
  return [
    `Baseline (${quick ? 'quick sizes' : 'same size'}, ${naive.size}): naive ${(naive.wallMs / 1000).toFixed(1)} s, ${naive.requests.toLocaleString('en-US')} requests, ${naive.tooMany} × 429;` +
      ` ours ${(ours.wallMs / 1000).toFixed(1)} s, ${ours.requests} requests, ${ours.tooMany} × 429.` +
      ` Ours takes ${((ours.wallMs / naive.wallMs) * 100).toFixed(1)}% of the naive time (${(naive.wallMs / ours.wallMs).toFixed(1)}× faster) and ${((ours.requests / naive.requests) * 100).toFixed(1)}% of its requests.`,
  ];
}

export function renderDoc(saved: Saved, planned: Planned[], offsetMs: number): string {
  const rows = planned.flatMap((p) => {
    const r = saved.results[p.id];
    return r && 'rows' in r ? r.rows.map(toRow) : [];
  });
  const failed = planned.filter((p) => {
    const r = saved.results[p.id];
    return !r || 'error' in r;
  });
  const m = saved.machine;
  const notes = rows.flatMap((r) => r.notes.map((n) => `- ${r.scenario} (${r.size}): ${n}`));
  const statuses = rows.map((r) => `- ${r.scenario} (${r.size}): ${r.status}`);
  const when = planned.map((p) => {
    const r = saved.results[p.id];
    return `- \`${p.id}\`: ${r ? ('rows' in r ? `measured ${r.at} (${r.elapsedS} s including setup)` : `FAILED ${r.at}: ${r.error.split('\n')[0]}`) : 'not run'}`;
  });
  return `# Benchmarks

<!-- Written by \`npm run bench\` (bench/main.ts). Do not edit by hand: re-run the benchmark. -->

Speed here is bounded by MoySklad, not by our CPU. Each row is compared with its **floor**, the larger
of two lower bounds on the time any client needs for the job's minimum requests: the **rate floor**,
what MoySklad's budget allows, \`minimum requests × weight ÷ (45 units / 3 s)\` (no credit for the
bucket being full at the start), and the **latency floor**, what the modeled MoySklad needs to answer
those requests with at most 5 in flight, \`max(longest single response, sum of all responses ÷ 5)\`,
each response taking the latency model's \`${BENCH_LATENCY.baseMs} ms + ${BENCH_LATENCY.perRowMs} ms × its rows\`. Paging jobs are
rate-bound (their rate floor is the larger); a single-request job is bound by that one response
(stock full: one 100,000-row report is 0.27 s of budget but ≈ ${(BENCH_LATENCY.baseMs + BENCH_LATENCY.perRowMs * 100_000) / 1000} s to answer). *wall/floor* and the
1.15 target use the row floor; both floors are shown.

${saved.mode === 'quick' ? '**These are `--quick` results (reduced sizes).**\n' : ''}
## Machine

| | |
|---|---|
| CPU | ${m.cpu} |
| Cores | ${m.cores} |
| RAM | ${m.ramGb} GB |
| Node | ${m.node} |
| OS | ${m.os} |
| Date | ${m.date} |

The machine is shared with other engineers' test runs; ratios are measured within one run.

## Results (${saved.mode === 'full' ? 'full run: `npm run bench`' : '`npm run bench -- --quick`'})

${markdownTable(rows)}

${baselineLines(saved.results, saved.mode === 'quick').join('\n')}

### Targets (issue 10)

${checkTargets(rows)
  .map((t) => `- ${t.met ? 'MET' : 'NOT MET'} — ${t.label}: ${t.detail}`)
  .join('\n')}

### Outcome of each measured sync

${statuses.join('\n')}
${failed.length ? `\nFailed or not run: ${failed.map((p) => `\`${p.id}\``).join(', ')}\n` : ''}
### Notes

${notes.join('\n') || '- none'}

### When each row was measured

${when.join('\n')}

## What bounds each row (what the figures show)

- **Nomenclature paging** keeps as many list requests in flight as the client may (4, or 5 with a solution token) (offsets are known from the first page's
  \`meta.size\`), writes pages in offset order and checkpoints only over written pages. With
  login+password the budget (one request per 267 ms after the 45-unit burst) is the bound, so the pass
  runs at the rate floor; ratios under 1 mean the initial burst was used (the floor gives it no credit).
- **With a solution token** (one request per 67 ms) response time, not the budget, sets the pace unless
  enough pages are in flight: a 1,000-product page takes the modeled 200 ms plus queueing on this 2-core
  machine (the emulator serialises every page on one thread, 45–75 ms each, next to our process parsing
  and writing it), so the client uses all 5 of MoySklad's parallel requests with a solution token (4 gave
  8.2–8.8 s, 5 gives 7.4–7.7 s against the 6.7 s floor, on the machine of the round-1 table) and keeps
  one free with login+password, where the budget never needs more than 4. On this run's machine the row
  is CPU-bound at 12–13 s (the round-1 code gives 11.4 s here): it misses the target.
- **Single-request jobs (stock)** are bounded by that one response (the latency floor): the full sync
  writes the next generation from the products table while the 100,000-row report is in flight and, when
  it arrives, only sets the quantities that differ and flips; the incremental patches in place in one
  transaction.
- **Photos** use the minimum: one product page of 100 with \`expand=images\` per 100 products and one
  API download per new image; the thumbnail is MoySklad's miniature, fetched from the file host.
- **Order backlog** is no longer request-bound: 1,000 orders go in one array POST (plus one counterparty
  check per 40 clients), so its 0.8 s floor is only the rate limit's price of 3 requests; what that one
  POST costs to build, answer and record is not in the floor. On a quiet machine (2026-12-04) the drain's
  phases measure: reading the batch 35 ms, counterparty check and card resolution together 145 ms (one
  request each, 100 ms of modeled latency), preparing the bodies 50 ms, the array POST ≈ 490 ms
  (MoySklad — here the emulator — creating 1,000 orders with 3,000 positions above its 0.2 s latency
  model, plus the client's JSON work on a ≈ 1.3 MB request and a ≈ 4 MB answer), recording the answer
  50 ms and the one commit: 175 ms while it was built as 500-branch \`CASE\` updates through the query
  builder, 23–54 ms as \`UPDATE … FROM\` the rows' values. Over 14 runs of the row alone the wall was
  0.79–1.07 s, median 0.88 s (1.10 × the floor), over 1.15 in 5; through this harness (\`--only
  orders-1k\`, after the full run) 0.9, 0.9 and 1.4 s (1.18, 1.18, 1.71), and 1.2 s in the table. The
  target is therefore not met reliably on this machine; on a loaded machine the emulator's and our CPU share 2 cores and the row
  runs well over 1.15 (docs/sync-orders.md).
- **Round 2 against round 1 on the same machine**: this run's machine is slower at the CPU work of the
  CPU-bound rows than the one the earlier table was recorded on; the round-1 code (commit 0f3c999) run
  on it on 2026-12-04 gave, in the same units: nomenclature 10,000 0.55, 100,000 0.92, solution token
  1.65–1.72, incremental 0.83, stock full 1.08, stock incremental 0.89, multi-tenant 0.93. What round 2
  added costs the rest: MoySklad lists every price type in \`salePrices\` (C3: larger product pages;
  decoding them took 2.4 s of CPU in a profile of the solution-token pass, 2.1 s with the round-1 code), every product write records its catalog change (E1 trigger) and its
  search column (E6), and every price-list patch or swap records its row changes (E2: ≈ 20 ms per
  1,000 changed rows). Peak RSS rose too: the round-1 code here gave 211 MB (nomenclature 100,000),
  265–283 MB (solution token), 258 MB (stock full), 218 MB (stock incremental); this code's stock
  full spreads 272–306 MB from run to run (306 MB in the table: over the 300 MB target), probably
  the 100,000-row report held as one parsed JSON document (not measured apart) — a streaming parse
  of the report is the likely fix, not done this round.
- **Multi-tenant**: each MoySklad account's jobs run one worker at a time (per-credential lease), and the
  limiter's bucket travels with the lease, so a job of the same account in another worker neither bursts
  into a 429 nor waits a full interval.
- **Peak RSS** is the measured sync's own (see below). The row with \`--max-old-space-size=128\` is an
  uncollected-heap check: the same pass in a capped V8 heap; the difference to the uncapped row is heap
  V8 had not yet collected, not memory the sync holds.

## How it is measured

- **MoySklad** is the project's emulator (\`src/emulator\`) in a **separate process** listening on a
  loopback port; the sync talks to it over real HTTP with the global \`fetch\` (gzip, Basic auth or
  Bearer). Each scenario runs in a **fresh child process**, so its memory is the sync's, the store
  driver's and the HTTP client's, not the emulator's catalog.
- **Compiled code**: \`npm run bench\` first compiles bench and the src and test-helper modules it imports
  once with tsc (\`tsconfig.bench.json\`, incremental) into \`bench/.build\` (5–30 s, not measured), and the scenario and emulator processes run that
  JavaScript with plain \`node --expose-gc\`, as production runs \`dist/\` (tsx's loader alone would add
  about 50 MB of RSS). The multi-tenant row still runs under tsx (its scale scenario starts its
  workers from \`.ts\` files).
- **Peak RSS** is that of the **measured sync only**: after the setup (which may load 100,000 products
  into the same process) the scenario runs a gc, resets the kernel's high-water mark
  (\`echo 5 > /proc/self/clear_refs\`) and reads \`VmHWM\` from \`/proc/self/status\` right after the
  sync; it therefore starts from the process's resident size at that moment. Where /proc is not
  available the row says so and shows \`resourceUsage().maxRSS\`, setup included. Stock full and stock
  incremental are measured separately this way.
- **Clock**: real time. Before 2026-12-01 the scenario and emulator clocks are shifted forward by the same
  amount (${Math.round(offsetMs / 3_600_000)} h in this run) so that MoySklad's 2026 weight of **4 units per login+password request**
  applies; **1** for a solution token; 5 for \`report/stock/all|bystore\` (our stock sync uses
  \`report/stock/bystore/current\`, which weighs as a normal request). Bucket 45 units per 3 s, at most 5
  parallel requests, 429/1049 with \`X-Lognex-Retry-After\` when over budget.
- **Latency model** (emulator \`latency\`): every API request takes **${BENCH_LATENCY.baseMs} ms + ${BENCH_LATENCY.perRowMs} ms per row** returned
  or written **in total** (a 1,000-row product page ≈ ${BENCH_LATENCY.baseMs + BENCH_LATENCY.perRowMs * 1000} ms; a 100,000-row stock report ≈ ${(BENCH_LATENCY.baseMs + BENCH_LATENCY.perRowMs * 100_000) / 1000} s): the
  emulator serialises and gzips the answer first and sleeps only what remains of the modeled time since
  the request arrived, so its own CPU is inside the model, not on top (only when its work alone takes
  longer, on a loaded machine, is a response slower than modeled).
  MoySklad publishes no response times; these figures are an assumption chosen to resemble what
  integrators report informally (around a tenth of a second for a small request, a few tenths of a
  second for a page of 1,000 products). They are the same for every row, ours and the baseline.
- **Requests** = every API request the emulator answered during the measured part (429s included).
  **Minimum requests** (each scenario states them with their rows; the latency floor is computed from
  those rows): nomenclature = ⌈products ÷ 1000⌉ product pages of up to 1,000 rows + 1 empty variant
  page; incremental = ⌈changed ÷ 1000⌉ pages of the changed rows + 1; stock = 1 report (full: a row per
  product; incremental: the changed rows); photos = ⌈products ÷ 100⌉ product pages of 100 with
  \`expand=images\` + 1 download per image (the thumbnail is MoySklad's miniature, fetched from the file host
  without an API request); order backlog = ⌈orders ÷ 1000⌉ array POSTs of the orders with their
  positions + ⌈clients ÷ 40⌉ counterparty checks; multi-tenant = the busiest account's integrations × (product pages + 1), rate
  floor only (its emulator has no latency model).
- **Wall time** covers only the measured sync (the world it needs — catalog, earlier full sync, orders in
  the outbox — is set up before and not counted).
- **Store writes/s** = rows written ÷ time spent writing them where the sync reports it (nomenclature
  pages, stock swap); otherwise rows (images, orders) ÷ wall time.
- **Naive baseline**: the same full nomenclature sync into the same store with the same writer, but
  fetching pages of ${NAIVE_PAGE} rows, one request at a time, no limiter, and on 429 a fixed ${NAIVE_SLEEP_MS / 1000} s sleep before
  retrying.
- The multi-tenant row is the queue's scale scenario (\`test/queue/scale-scenario.ts\`, PostgreSQL +
  pg-boss + worker processes started and ready before the first job is enqueued); its emulator runs in a
  process of its own without the latency model.
`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const noWrite = args.includes('--no-write');
  const onlyArg = args.find((a) => a.startsWith('--only'));
  const only = onlyArg ? (onlyArg.includes('=') ? onlyArg.split('=')[1]! : args[args.indexOf(onlyArg) + 1] ?? '').split(',').filter(Boolean) : null;
  const render = args.includes('--render');
  const planned = plan(quick);
  const toRun = render ? [] : only ? planned.filter((p) => only.includes(p.id)) : planned;
  const offsetMs = weightSwitchOffsetMs();
  const mode = quick ? 'quick' : 'full';
  const resultsFile = path.join(here, 'results', `${mode}.json`);
  const saved: Saved =
    (only || render) && fs.existsSync(resultsFile) ? (JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as Saved) : { mode, machine: machine(), results: {} };
  if (!render) saved.machine = machine();

  if (toRun.some((p) => !p.tsx)) compile();
  const t0 = Date.now();
  for (const p of toRun) {
    const started = Date.now();
    process.stderr.write(`[bench] ${p.id} …\n`);
    try {
      const rows = await runChild({ ...p.spec, clockOffsetMs: offsetMs }, p.nodeFlags, p.tsx);
      if (p.nodeFlags?.length)
        for (const r of rows) {
          r.scenario += ` [uncollected-heap check: node ${p.nodeFlags.join(' ')}]`;
          r.notes.push(
            'same pass with V8\'s old space capped: the difference to the uncapped row is heap not yet collected, not memory the sync holds; the uncapped row is the one that counts',
          );
        }
      if (p.tsx) for (const r of rows) r.notes.push('scenario process under tsx (not the compiled build): its peak RSS includes the tsx loader');
      saved.results[p.id] = { at: new Date().toISOString(), elapsedS: Math.round((Date.now() - started) / 100) / 10, rows };
      process.stderr.write(`[bench] ${p.id} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    } catch (e) {
      saved.results[p.id] = { at: new Date().toISOString(), error: e instanceof Error ? e.message : String(e) };
      process.stderr.write(`[bench] ${p.id} FAILED: ${e instanceof Error ? e.message : String(e)}\n`);
    }
    if (!noWrite) {
      // saved after each scenario, so an interrupted run keeps what it measured (--only resumes)
      fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
      fs.writeFileSync(resultsFile, `${JSON.stringify(saved, null, 2)}\n`);
    }
  }

  const rows = planned.flatMap((p) => {
    const r = saved.results[p.id];
    return r && 'rows' in r ? r.rows.map(toRow) : [];
  });
  console.log(textTable(rows));
  for (const l of baselineLines(saved.results, quick)) console.log(`\n${l}`);
  console.log('');
  for (const t of checkTargets(rows)) console.log(`${t.met ? 'MET    ' : 'NOT MET'} ${t.label}: ${t.detail}`);
  console.log(`\n${toRun.length} scenario(s) in ${((Date.now() - t0) / 1000).toFixed(0)} s (${mode})`);

  if (!noWrite) {
    fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
    fs.writeFileSync(resultsFile, `${JSON.stringify(saved, null, 2)}\n`);
    if (!quick || args.includes('--write-doc')) fs.writeFileSync(path.join(root, 'docs', 'benchmarks.md'), renderDoc(saved, planned, offsetMs));
  }
  if (toRun.some((p) => 'error' in (saved.results[p.id] ?? { error: '' }))) process.exitCode = 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
