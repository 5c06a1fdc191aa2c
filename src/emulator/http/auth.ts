/**
 * @module auth
 * Basic (login:password) and Bearer (user token from /security/token, or a solution token).
 */

import { Buffer } from 'node:buffer';
import type { EmulatorAccount } from '../state/account.js';
import type { AuthKind } from './rate-limit.js';

export interface AuthResult {
  account: EmulatorAccount;
  kind: AuthKind;
  /** Rate-limit key: per user, or per solution for solution tokens. */
  bucketKey: string;
}

export function authenticate(header: string | null, accounts: Iterable<EmulatorAccount>): AuthResult | undefined {
  if (!header) return undefined;
  const space = header.indexOf(' ');
  if (space < 0) return undefined;
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === 'basic') {
    let decoded: string;
    try {
      decoded = Buffer.from(value, 'base64').toString('utf8');
    } catch {
      return undefined;
    }
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    const login = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    for (const a of accounts) {
      if (a.login === login && a.password === password) return { account: a, kind: 'password', bucketKey: `user:${a.login}` };
    }
    return undefined;
  }
  if (scheme === 'bearer' && value) {
    for (const a of accounts) {
      if (a.userToken !== undefined && a.userToken === value) return { account: a, kind: 'user-token', bucketKey: `user:${a.login}` };
      if (a.solutionTokens.has(value)) return { account: a, kind: 'solution-token', bucketKey: `solution:${a.login}:${value}` };
    }
  }
  return undefined;
}
