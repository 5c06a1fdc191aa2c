/**
 * @module program
 * The `moysklad-exchange` command line (commander). Thin: every command calls the composition
 * root (`src/main.ts`) or a service. Failures print ONE line on stderr and exit non-zero.
 */
import { Command, CommanderError } from 'commander';
import { systemClock, type Clock } from '../core/clock.js';
import { errorMessage, isAppError } from '../core/errors.js';
import { buildSyncRegistry, createClientPool, createIntegrationLog, ensureCentralIntegration, openStore, prepareStore, startDemoEmulator, setAdminPassword, startService, type DemoMoySklad, type RuntimeConfig, type ServiceLogger, type ServiceModes } from '../main.js';
import { ApiTokenService } from '../server/auth.js';
import { migrationStatus } from '../store/migrate.js';
import { runSyncInForeground, syncKindsHelp } from './sync-command.js';
import { DEFAULT_ACCOUNT, IN_PROCESS_FILE_ORIGIN, IN_PROCESS_ORIGIN } from '../emulator/index.js';
import { remoteDemoFetch, serviceServesDemo } from '../emulator/demo-sharing.js';
import { randomBytes } from 'node:crypto';

/** Exit codes: 1 runtime failure, 2 configuration error. */
export const EXIT_FAILURE = 1;
export const EXIT_CONFIG = 2;

/** Everything the CLI touches outside itself, injected so that tests can drive it. */
export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown };
  clock?: Clock;
  /** Reads the runtime configuration; throws an error with a one-line message when it is bad. */
  loadConfig(env: NodeJS.ProcessEnv): RuntimeConfig;
  createLogger(config: RuntimeConfig): ServiceLogger;
  startDemoMoySklad?: (clock: Clock, dataDir: string) => Promise<DemoMoySklad>;
  /** Adds the `emulator` command (owned by the emulator module). */
  registerEmulatorCommand?: (program: Command) => void;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM). */
  waitForShutdown(): Promise<string>;
  /** Sets the process exit code (the CLI never calls process.exit itself for long-running commands). */
  setExitCode(code: number): void;
}

/** An error from reading configuration (exit code 2). */
export class CliConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliConfigError';
  }
}

/** The single line printed for a failure: the message only, first line, never a stack. */
export function oneLine(e: unknown): string {
  const msg = isAppError(e) || e instanceof Error ? e.message : errorMessage(e);
  return (msg.split('\n')[0] ?? '').trim() || 'unknown error';
}

/** What every command uses: the injected I/O, the clock, a line printer and the configuration reader. */
interface CommandContext {
  io: CliIo;
  clock: Clock;
  println(s: string): void;
  /** Reads the configuration; a bad one throws `CliConfigError` (exit code 2). */
  config(): RuntimeConfig;
}

export function buildProgram(io: CliIo): Command {
  const println = (s: string): void => void io.stdout.write(`${s}\n`);
  const ctx: CommandContext = {
    io,
    clock: io.clock ?? systemClock,
    println,
    config: () => {
      try {
        return io.loadConfig(io.env);
      } catch (e) {
        throw new CliConfigError(oneLine(e));
      }
    },
  };

  const program = new Command();
  program
    .name('moysklad-exchange')
    .description('Bridge between an auto-parts web store and MoySklad: catalog, stock, counterparties, orders and balances.')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => void io.stdout.write(s), writeErr: (s) => void io.stderr.write(s) })
    .exitOverride()
    .addHelpText(
      'after',
      '\nConfiguration comes from the environment: PORT, HOST, DATABASE_URL, DATA_DIR, LOG_DIR, SECRET_KEY,\n' +
        'PUBLIC_BASE_URL, ADMIN_LOGIN, ADMIN_PASSWORD, MOYSKLAD_BASE_URL, MOYSKLAD_LOGIN, MOYSKLAD_PASSWORD, MOYSKLAD_TOKEN.\n' +
        'With none of them, `start` runs a demo shop against the built-in MoySklad emulator.',
    );

  registerServiceCommands(program, ctx);
  registerMigrateCommand(program, ctx);
  registerSyncCommand(program, ctx);
  registerTokenCommands(program, ctx);
  registerAdminCommands(program, ctx);
  io.registerEmulatorCommand?.(program);
  return program;
}

/** `start`, `serve`, `worker`: the long-running modes, until SIGINT/SIGTERM. */
function registerServiceCommands(program: Command, ctx: CommandContext): void {
  const { io, clock, println, config } = ctx;
  const runService = async (modes: ServiceModes): Promise<void> => {
    const cfg = config();
    const logger = io.createLogger(cfg);
    const service = await startService(cfg, modes, {
      clock,
      logger,
      console: { out: println },
      ...(io.startDemoMoySklad ? { startDemoMoySklad: io.startDemoMoySklad } : {}),
    });
    if (!modes.bootstrap && service.url) println(`listening on ${service.url}`);
    const signal = await io.waitForShutdown();
    logger.info({ signal }, 'shutting down');
    await service.stop();
  };

  program
    .command('start')
    .description('Run everything in one process: HTTP server (API, admin, health), worker and schedules.')
    .addHelpText(
      'after',
      '\nThe quick start. Creates the database and runs migrations, creates the central region and, without\n' +
        'MOYSKLAD_* settings, starts the built-in MoySklad emulator in-process with the demo shop and a demo\n' +
        'integration against it; creates the admin login (ADMIN_PASSWORD, or a generated one printed once),\n' +
        'runs the first syncs and prints the admin URL. Stops cleanly on Ctrl+C / SIGTERM.',
    )
    .action(() => runService({ server: true, worker: true, schedules: true, bootstrap: true }));

  program
    .command('serve')
    .description('Run only the HTTP server (platform API, admin panel, /healthz, /readyz, /metrics).')
    .addHelpText('after', '\nFor scale-out: run several `serve` processes behind a load balancer and `worker` processes beside them, all on one PostgreSQL.')
    .action(() => runService({ server: true, worker: false, schedules: false, bootstrap: false }));

  program
    .command('worker')
    .description('Run only the job worker and the schedules (syncs, order export, balance refresh).')
    .addHelpText('after', '\nSeveral workers may run at once on PostgreSQL; jobs and schedule slots are claimed so each runs once.')
    .action(() => runService({ server: false, worker: true, schedules: true, bootstrap: false }));
}

/** `migrate [--status]`. */
function registerMigrateCommand(program: Command, ctx: CommandContext): void {
  const { clock, println, config } = ctx;
  program
    .command('migrate')
    .description('Apply pending database migrations and print what was applied.')
    .option('--status', 'only show applied and pending migrations; change nothing')
    .action(async (opts: { status?: boolean }) => {
      const cfg = config();
      if (opts.status) {
        const store = await openStore(cfg);
        try {
          const s = await migrationStatus(store.db);
          println(`applied: ${s.applied.join(', ') || '(none)'}`);
          println(`pending: ${s.pending.join(', ') || '(none)'}`);
        } finally {
          await store.destroy();
        }
        return;
      }
      const { store, applied } = await prepareStore(cfg, clock);
      try {
        const s = await migrationStatus(store.db);
        println(applied.length ? `applied: ${applied.join(', ')}` : `database is up to date (${s.applied.length} migrations applied)`);
      } finally {
        await store.destroy();
      }
    });
}

/** `sync <kind>`: one run in the foreground. */
function registerSyncCommand(program: Command, ctx: CommandContext): void {
  program
    .command('sync')
    .description('Run one sync now, in the foreground, with progress on the terminal.')
    .argument('<kind>', 'sync kind, e.g. nomenclature.full, categories, stock.full (see the list below)')
    .addHelpText('after', syncKindsHelp())
    .option('--integration <id>', 'integration id (default: the central region’s integration)')
    .option('--price-list <id>', 'price list id (for price-list syncs such as stock.full)')
    .addHelpText('after', '\nThe run is recorded in the sync history like a scheduled one (trigger "cli"). Exit code 0 when the run ends ok or partial, 1 when it fails.')
    .action((kind: string, opts: { integration?: string; priceList?: string }) => runSyncCommand(ctx, kind, opts));
}

/**
 * Demo data lives in the demo emulator; without MOYSKLAD_* the sync talks to it — the running
 * service's own (one demo shop for both), or, with no service running, its saved state.
 */
async function demoForSync(ctx: CommandContext, cfg: RuntimeConfig): Promise<DemoMoySklad | null> {
  const { io, clock, println } = ctx;
  if (cfg.moysklad) return null;
  const hosts = [new URL(IN_PROCESS_ORIGIN).host, new URL(IN_PROCESS_FILE_ORIGIN).host];
  const remote = !io.startDemoMoySklad && (await serviceServesDemo(cfg.publicBaseUrl, hosts[0]!));
  if (!remote) return (io.startDemoMoySklad ?? startDemoEmulator)(clock, cfg.dataDir);
  println(`demo MoySklad: the running service's (${cfg.publicBaseUrl})`);
  return { fetch: remoteDemoFetch(cfg.publicBaseUrl, hosts), apiBaseUrl: `${IN_PROCESS_ORIGIN}/api/remap/1.2`, hosts, login: DEFAULT_ACCOUNT.login, password: DEFAULT_ACCOUNT.password, organization: null, store: null, close: async () => undefined };
}

async function runSyncCommand(ctx: CommandContext, kind: string, opts: { integration?: string; priceList?: string }): Promise<void> {
  const { io, clock, println } = ctx;
  const cfg = ctx.config();
  const { store, box } = await prepareStore(cfg, clock);
  try {
    const logger = io.createLogger(cfg);
    const demo = await demoForSync(ctx, cfg);
    const log = createIntegrationLog(cfg, store.db, clock, logger);
    try {
      // On a fresh demo setup `sync` works right away, like `start`.
      if (demo) await ensureCentralIntegration({ store, box, clock, config: cfg, demo, logger, console: { out: println } });
      const clients = createClientPool({ store, box, clock, publicBaseUrl: cfg.publicBaseUrl, fetch: demo?.fetch });
      const registry = buildSyncRegistry({
        db: store.db,
        clock,
        clients,
        log,
        logger,
        dataDir: cfg.dataDir,
        publicBaseUrl: cfg.publicBaseUrl,
        inProcessBaseUrls: demo ? [demo.apiBaseUrl] : [],
      });
      const outcome = await runSyncInForeground({ db: store.db, registry, kind, integration: opts.integration, priceList: opts.priceList, stdout: io.stdout });
      if (outcome.status === 'failed') io.setExitCode(EXIT_FAILURE);
    } finally {
      log.close();
      await demo?.close();
    }
  } finally {
    await store.destroy();
  }
}

/** `token create|list|revoke`: bearer tokens of the platform API. */
function registerTokenCommands(program: Command, ctx: CommandContext): void {
  const { clock, println, config } = ctx;
  const token = program.command('token').description('Manage bearer tokens of the platform REST API (/api/v1).');
  token
    .command('create')
    .description('Issue a token; it is printed once and only its SHA-256 hash is stored.')
    .argument('<name>', 'who uses the token, e.g. "shop-platform"')
    .action(async (name: string) => {
      const { store } = await prepareStore(config(), clock);
      try {
        const t = await new ApiTokenService({ db: store.db, clock }).create(name);
        println(`token ${t.id} (${t.name}): ${t.token}`);
        println('Store it now: it cannot be shown again. Use it as "Authorization: Bearer <token>".');
      } finally {
        await store.destroy();
      }
    });
  token
    .command('list')
    .description('List tokens (id, name, prefix, created, last used, revoked); never the tokens themselves.')
    .action(async () => {
      const { store } = await prepareStore(config(), clock);
      try {
        const rows = await new ApiTokenService({ db: store.db, clock }).list();
        if (!rows.length) println('no tokens');
        for (const r of rows) println(`${r.id}\t${r.name}\t${r.prefix}…\tcreated ${r.createdAt}\tlast used ${r.lastUsedAt ?? 'never'}${r.revokedAt ? `\tREVOKED ${r.revokedAt}` : ''}`);
      } finally {
        await store.destroy();
      }
    });
  token
    .command('revoke')
    .description('Revoke a token by id; requests with it get 401 from then on.')
    .argument('<id>', 'token id (see token list)')
    .action(async (id: string) => {
      if (!/^\d+$/.test(id)) throw new Error(`token id must be a number, got "${id}"`);
      const { store } = await prepareStore(config(), clock);
      try {
        const ok = await new ApiTokenService({ db: store.db, clock }).revoke(Number(id));
        if (!ok) throw new Error(`no active token with id ${id}`);
        println(`token ${id} revoked`);
      } finally {
        await store.destroy();
      }
    });
}

/** `admin set-password`. */
function registerAdminCommands(program: Command, ctx: CommandContext): void {
  const { clock, println, config } = ctx;
  const admin = program.command('admin').description('Administer the admin panel logins.');
  admin
    .command('set-password')
    .description('Set the password of an admin login (created if missing); ends its sessions.')
    .option('--login <login>', 'admin login (default ADMIN_LOGIN or "admin")')
    .option('--password <password>', 'new password (default: ADMIN_PASSWORD, else a generated one is printed)')
    .action(async (opts: { login?: string; password?: string }) => {
      const cfg = config();
      const login = opts.login ?? cfg.adminLogin;
      const given = opts.password ?? cfg.adminPassword;
      if (given !== null && given !== undefined && given.length < 8) throw new Error('the admin password must have at least 8 characters');
      const password = given ?? randomBytes(12).toString('base64url');
      const { store } = await prepareStore(cfg, clock);
      try {
        const what = await setAdminPassword(store, clock, login, password);
        println(`admin login ${login} ${what}${given ? '' : `; password: ${password}`}`);
      } finally {
        await store.destroy();
      }
    });
}

/** Parses and runs; returns the exit code. Every failure is ONE line on stderr. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  let code = 0;
  io.setExitCode = ((orig) => (c: number) => {
    code = c;
    orig(c);
  })(io.setExitCode);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    io.stderr.write(`moysklad-exchange: ${oneLine(e)}\n`);
    return e instanceof CliConfigError ? EXIT_CONFIG : EXIT_FAILURE;
  }
}
