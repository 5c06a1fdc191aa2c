/**
 * @module auth
 * Basic (login:password) and Bearer (user token from /security/token, or a solution token), for any
 * user of any account (C10: an account has several users with their own rights).
 */

import { Buffer } from 'node:buffer';
import type { EmulatorAccount } from '../state/account.js';
import type { EmulatorUser } from '../state/users.js';
import type { AuthKind } from './rate-limit.js';

export interface AuthResult {
  account: EmulatorAccount;
  /** C10 the user the request acts as (the administrator for solution tokens). */
  user: EmulatorUser;
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
      for (const u of a.users) if (u.login === login && u.password === password) return { account: a, user: u, kind: 'password', bucketKey: `user:${u.login}` };
    }
    return undefined;
  }
  if (scheme === 'bearer' && value) {
    for (const a of accounts) {
      for (const u of a.users) if (u.userToken !== undefined && u.userToken === value) return { account: a, user: u, kind: 'user-token', bucketKey: `user:${u.login}` };
      if (a.solutionTokens.has(value)) return { account: a, user: a.users[0]!, kind: 'solution-token', bucketKey: `solution:${a.login}:${value}` };
    }
  }
  return undefined;
}
