/**
 * @module main
 * Standalone entry: `tsx src/emulator/main.ts --port 8090 --seed demo`.
 */

import { Command } from 'commander';
import { registerEmulatorCommand } from './cli.js';

const program = new Command('moysklad-emulator');
registerEmulatorCommand(program);
await program.parseAsync(['node', 'moysklad-emulator', 'emulator', ...process.argv.slice(2)]);
