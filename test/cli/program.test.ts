import { describe, expect, it } from 'vitest';
import { buildProgram, type CliIo } from '../../src/cli/program.js';
import { formatProgress } from '../../src/cli/sync-command.js';

const io: CliIo = {
  env: {},
  stdout: { write: () => true },
  stderr: { write: () => true },
  loadConfig: () => {
    throw new Error('not used');
  },
  createLogger: () => ({ debug() {}, info() {}, warn() {}, error() {} }),
  waitForShutdown: () => new Promise(() => undefined),
  setExitCode: () => undefined,
};

describe('CLI program', () => {
  it('B9 every command and subcommand has --help text that explains it', () => {
    const program = buildProgram(io);
    const names = program.commands.map((c) => c.name());
    expect(names).toEqual(expect.arrayContaining(['start', 'serve', 'worker', 'migrate', 'sync', 'token', 'admin']));
    const all = program.commands.flatMap((c) => [c, ...c.commands]);
    for (const c of all) {
      expect(c.description().length, c.name()).toBeGreaterThan(30);
      expect(c.helpInformation()).toContain('Usage:');
    }
    expect(all.map((c) => c.name())).toEqual(expect.arrayContaining(['create', 'list', 'revoke', 'set-password']));
  });

  it('B9 sync progress lines show done/total and percent', () => {
    expect(formatProgress('nomenclature.full', { done: 1200, total: 5000, message: 'page 2' })).toBe('nomenclature.full  1200/5000 24%  page 2');
    expect(formatProgress('categories', { done: 7 })).toBe('categories  7');
  });
});

