/**
 * @module cli/main
 * Entry of `moysklad-exchange` (`npm start`, `npm run cli -- …`, `bin/moysklad-exchange.js`):
 * wires the real process (env, stdio, signals) into the CLI.
 */
import { loadConfig } from '../config/config.js';
import { systemClock } from '../core/clock.js';
import { registerEmulatorCommand } from '../emulator/cli.js';
import pino from 'pino';
import { createLogger } from '../log/create-logger.js';
import { runCli, type CliIo } from './program.js';
import { restrictUmask } from '../core/private-files.js';

// S4: whatever the process creates without an explicit mode is private (files 0600, directories 0700).
restrictUmask();

// `moysklad-exchange token list | head` closes the pipe early: that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

const io: CliIo = {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  clock: systemClock,
  loadConfig: (env) => loadConfig(env),
  // On a terminal the JSON logs go to stderr, so that the start banner and progress bars on stdout stand alone.
  createLogger: (config) => createLogger(config, process.stdout.isTTY ? { destination: pino.destination({ dest: 2, sync: false }) } : {}),
  registerEmulatorCommand: (program) => void registerEmulatorCommand(program),
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
