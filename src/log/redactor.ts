/**
 * @module redactor
 * B8 secrets never reach a log. Values under sensitive keys are replaced, Basic/Bearer
 * credentials, URL passwords and `password=` query values are scrubbed from every string, and
 * any secret registered with `addSecret` (e.g. a MoySklad password loaded for a sync) is
 * replaced wherever it appears.
 */

export const REDACTED = '[REDACTED]';

const SENSITIVE_KEY_PARTS = ['password', 'passwd', 'token', 'authorization', 'secret', 'apikey', 'api_key', 'api-key', 'cookie', 'credential'];
const SENSITIVE_KEYS = new Set(['pass', 'pwd', 'auth', 'key']);

/** True for keys whose values are secrets (`password`, `MOYSKLAD_TOKEN`, `Authorization`, `secretEnc`, …). */
export function isSensitiveKey(key: string): boolean {
  const k = key.toLowerCase();
  return SENSITIVE_KEYS.has(k) || SENSITIVE_KEY_PARTS.some((p) => k.includes(p));
}

const AUTH_SCHEME = /\b(Basic|Bearer|Token)\s+[A-Za-z0-9+/=._~-]{4,}/gi;
const URL_USERINFO = /([a-z][a-z0-9+.-]*:\/\/[^/\s:@]+):([^@\s/]+)@/gi;
const QUERY_SECRET = /\b((?:password|passwd|token|access_token|secret|api_key|apikey)=)[^&\s"']+/gi;

export class Redactor {
  readonly #secrets = new Set<string>();

  /** Registers a secret value to scrub wherever it appears (values shorter than 4 characters are ignored). */
  addSecret(value: string | null | undefined): void {
    if (value && value.length >= 4) this.#secrets.add(value);
  }

  scrubString(s: string): string {
    let out = s.replace(AUTH_SCHEME, `$1 ${REDACTED}`).replace(URL_USERINFO, `$1:${REDACTED}@`).replace(QUERY_SECRET, `$1${REDACTED}`);
    for (const secret of this.#secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  }

  /** A scrubbed deep copy (cycles and depth beyond 8 are cut). Errors become `{ type, message, stack, code }`. */
  scrubValue(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
    if (typeof value === 'string') return this.scrubString(value);
    if (value === null || typeof value !== 'object') return value;
    if (seen.has(value)) return '[Circular]';
    if (depth > 8) return '[Truncated]';
    seen.add(value);
    if (value instanceof Error) {
      const e = value as Error & { code?: unknown };
      const out: Record<string, unknown> = { type: e.name, message: this.scrubString(e.message) };
      if (e.stack) out.stack = this.scrubString(e.stack);
      if (e.code !== undefined) out.code = e.code;
      if (e.cause !== undefined) out.cause = this.scrubValue(e.cause, depth + 1, seen);
      return out;
    }
    if (value instanceof Date) return value.toISOString();
    if (Array.isArray(value)) return value.map((v) => this.scrubValue(v, depth + 1, seen));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = isSensitiveKey(k) && v !== null && v !== undefined && v !== '' ? REDACTED : this.scrubValue(v, depth + 1, seen);
    }
    return out;
  }
}
