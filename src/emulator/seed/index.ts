/**
 * @module seed
 * Seeds an account: `empty`, `demo` or `{kind:'generated', products, seed, stores?}`.
 */

import type { EmulatorAccount } from '../state/account.js';
import { seedDemo } from './demo.js';
import { seedGenerated } from './generated.js';

export type SeedSpec = 'empty' | 'demo' | { kind: 'generated'; products: number; seed: number; stores?: number };

export function applySeed(a: EmulatorAccount, seed: SeedSpec | undefined): void {
  if (seed === undefined || seed === 'empty') {
    // no organizations, stores or products; price types, currency and states still exist
    return;
  }
  if (seed === 'demo') {
    seedDemo(a);
    return;
  }
  seedGenerated(a, seed);
}

/** Parses the CLI form: `demo`, `empty`, `generated:N` or `generated:N:SEED`. */
export function parseSeedArg(text: string): SeedSpec {
  if (text === 'demo' || text === 'empty') return text;
  const m = /^generated:(\d+)(?::(\d+))?$/.exec(text);
  if (m) return { kind: 'generated', products: Number(m[1]), seed: m[2] === undefined ? 1 : Number(m[2]) };
  throw new Error(`unknown seed '${text}' (demo | empty | generated:N[:SEED])`);
}

export { seedDemo, seedGenerated };
