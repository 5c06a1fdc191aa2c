/**
 * @module cli
 * `emulator` command: serves the MoySklad emulator on a port and prints its base URL.
 */

import type { Command } from 'commander';
import { createEmulator, type Emulator } from './index.js';
import { parseSeedArg } from './seed/index.js';
import { demoManagerLogin } from './seed/demo.js';

export interface EmulatorCliOptions {
  port: string;
  host: string;
  seed: string;
  login: string;
  password: string;
  limits: boolean;
  crm: boolean;
  latencyBase?: string;
  latencyPerRow?: string;
  failRate?: string;
  failBurst?: string;
  drops?: string;
  timeouts?: string;
  storm429?: string;
  solutionToken?: string[];
  persist?: string;
  reportRowLimit?: string;
}

const num = (name: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number, got '${v}'`);
  return n;
};

/** Starts an emulator from CLI options; resolves once it listens. */
export async function startEmulatorFromCli(o: EmulatorCliOptions, log: (line: string) => void = (l) => console.log(l)): Promise<{ emulator: Emulator; baseUrl: string; close(): Promise<void> }> {
  const port = num('port', o.port) ?? 8090;
  const emulator = createEmulator({
    accounts: [{ login: o.login, password: o.password, seed: parseSeedArg(o.seed), crm: o.crm, solutionTokens: o.solutionToken ?? [] }],
    limits: o.limits ? undefined : false,
    latency: { baseMs: num('latency-base', o.latencyBase) ?? 0, perRowMs: num('latency-per-row', o.latencyPerRow) ?? 0 },
    persistPath: o.persist,
    ...(o.reportRowLimit !== undefined ? { reportRowLimit: num('report-row-limit', o.reportRowLimit) } : {}),
  });
  const failRate = num('fail-rate', o.failRate);
  if (failRate !== undefined) emulator.setFaults({ failRate });
  const burst = num('fail-burst', o.failBurst);
  if (burst !== undefined) emulator.setFaults({ fail5xx: { count: burst, status: 503 } });
  const drops = num('drops', o.drops);
  if (drops !== undefined) emulator.setFaults({ drops });
  const timeouts = num('timeouts', o.timeouts);
  if (timeouts !== undefined) emulator.setFaults({ timeouts });
  const storm429 = num('storm429', o.storm429);
  if (storm429 !== undefined) emulator.setFaults({ storm429 });
  const server = await emulator.listen(port, o.host);
  log(server.baseUrl);
  log(`MoySklad emulator: login ${o.login}${o.seed === 'demo' ? ` (and ${demoManagerLogin(o.login)}, not an administrator)` : ''}, seed ${o.seed}, limits ${o.limits ? 'on (45 units / 3 s)' : 'off'}; control: ${new URL(server.baseUrl).origin}/__control/stats`);
  return {
    emulator,
    baseUrl: server.baseUrl,
    close: async () => {
      await emulator.close();
    },
  };
}

export function registerEmulatorCommand(program: Command): Command {
  return program
    .command('emulator')
    .description('Run the local MoySklad JSON API 1.2 emulator')
    .option('--port <port>', 'TCP port', '8090')
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--seed <seed>', 'demo | empty | generated:N[:SEED]', 'demo')
    .option('--login <login>', 'account login', 'admin@demo')
    .option('--password <password>', 'account password', 'demo')
    .option('--no-limits', 'switch the MoySklad rate limits off')
    .option('--no-crm', 'tariff without CRM (report/counterparty refused)')
    .option('--latency-base <ms>', 'base latency per request (ms)')
    .option('--latency-per-row <ms>', 'extra latency per returned row (ms)')
    .option('--fail-rate <p>', 'probability (0..1) that a request answers 503')
    .option('--fail-burst <n>', 'the first N requests answer 503')
    .option('--drops <n>', 'the first N requests lose their connection')
    .option('--timeouts <n>', 'the first N requests hang until the client gives up')
    .option('--storm429 <n>', 'the first N requests answer 429/1049')
    .option('--solution-token <token...>', 'solution tokens accepted as Bearer (weight 1)')
    .option('--persist <file>', 'keep the state in this JSON file')
    .option('--report-row-limit <n>', 'report/stock/{all,bystore}/current answers 13005 (too large) past N rows')
    .action(async (o: EmulatorCliOptions) => {
      const running = await startEmulatorFromCli(o);
      // Serve until asked to stop: the command resolves only then, so a CLI wrapper that exits
      // after its command resolves does not cut the emulator short.
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await running.close();
    });
}
