/**
 * @module cli/main
 * Entry of `moysklad-exchange` (`npm start`, `npm run cli -- …`, `bin/moysklad-exchange.js`):
 * wires the real process (env, stdio, signals) into the CLI.
 */
import pino from 'pino';
import { systemClock } from '../core/clock.js';
import type { RuntimeConfig } from '../main.js';
import { runCli, type CliIo } from './program.js';
import { loadRuntimeConfig } from './runtime-config.js';

/** Process logger: JSON lines on stdout, secrets redacted. */
function createProcessLogger(config: RuntimeConfig) {
  void config;
  return pino({
    level: process.env.LOG_LEVEL ?? 'info',
    redact: { paths: ['password', '*.password', 'token', '*.token', 'secret', '*.secret', 'authorization', '*.authorization', 'headers.authorization'], censor: '[redacted]' },
  });
}

const io: CliIo = {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  clock: systemClock,
  loadConfig: (env) => loadRuntimeConfig(env),
  createLogger: createProcessLogger,
  waitForShutdown: () =>
    new Promise<string>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    }),
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

const code = await runCli(process.argv.slice(2), io);
process.exitCode = code;
// Long-running commands resolve after shutdown; one-shot commands after their work. Either way
// nothing is left that should keep the process alive (pools are closed), but a stray handle
// from a dependency must not hang the CLI.
setTimeout(() => process.exit(code), 2000).unref();
