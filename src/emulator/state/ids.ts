/**
 * @module ids
 * Deterministic random numbers and UUIDs for seeds; crypto UUIDs for run-time creations.
 */

import { randomUUID, randomBytes } from 'node:crypto';

/** mulberry32: small, fast, deterministic PRNG returning floats in [0, 1). */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rng = () => number;

export const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;
export const intBetween = (rng: Rng, min: number, max: number): number => min + Math.floor(rng() * (max - min + 1));

const HEX = '0123456789abcdef';

/** A version-4-shaped UUID drawn from the PRNG. */
export function rngUuid(rng: Rng): string {
  let s = '';
  for (let i = 0; i < 32; i++) {
    let v = Math.floor(rng() * 16);
    if (i === 12) v = 4;
    if (i === 16) v = (v & 0x3) | 0x8;
    s += HEX[v];
    if (i === 7 || i === 11 || i === 15 || i === 19) s += '-';
  }
  return s;
}

export type IdSource = () => string;

/** Ids for run-time creations. */
export const randomId: IdSource = () => randomUUID();

/** A 40-character hex access token, like MoySklad's. */
export const newAccessToken = (): string => randomBytes(20).toString('hex');

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: string): boolean => UUID_RE.test(s);
