/**
 * @module token-hash
 * The stored form of a bearer secret (API tokens, price-list feed tokens): SHA-256 hex. The secret
 * itself is never stored.
 */
import { createHash } from 'node:crypto';

/** SHA-256 hex of a token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
