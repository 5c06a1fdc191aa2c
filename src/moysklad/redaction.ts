/**
 * @module moysklad/redaction
 * Keeps the credential out of errors and logs: every text copied from a response or from a thrown
 * value goes through `redact` before it is used.
 */
import type { MsErrorEntry } from './schemas/error.js';
import type { MoySkladCredentials } from './types.js';
import type { AuthKind } from './limiter.js';

export interface Authorization {
  /** The `Authorization` header value. */
  header: string;
  kind: AuthKind;
  /** Every form of the credential that must never leave the client, longest first. */
  secrets: string[];
}

/** The Authorization header, the limiter's auth kind and the texts to redact, for a credential. */
export function authorization(c: MoySkladCredentials): Authorization {
  let auth: Authorization;
  if (c.kind === 'password') {
    const basic = Buffer.from(`${c.login}:${c.password}`, 'utf8').toString('base64');
    auth = { header: `Basic ${basic}`, kind: 'password', secrets: [c.password, basic, `${c.login}:${c.password}`] };
  } else {
    auth = { header: `Bearer ${c.token}`, kind: c.tokenKind === 'solution' ? 'solution_token' : 'user_token', secrets: [c.token] };
  }
  // Longest first, so that a secret containing another is redacted whole.
  auth.secrets = auth.secrets.filter((s) => s.length >= 3).sort((a, b) => b.length - a.length);
  return auth;
}

/** Removes every copy of the secrets from a text. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join('***');
  return out;
}

/** A copy of a MoySklad error entry with every string field redacted. */
export function redactEntry(e: MsErrorEntry, secrets: readonly string[]): MsErrorEntry {
  const copy: MsErrorEntry = { ...e };
  for (const [k, v] of Object.entries(copy)) if (typeof v === 'string') (copy as Record<string, unknown>)[k] = redact(v, secrets);
  return copy;
}
