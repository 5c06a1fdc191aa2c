/**
 * @module stats
 * Request counters: by path (ids replaced by `{id}`), status and error code, 429s per minute,
 * per account, and webhook deliveries.
 */

export interface WebhookDelivery {
  url: string;
  requestId: string;
  attempts: number;
  ok: boolean;
  /** Last status, or an error text ('timeout', 'network'). */
  result: string;
  kind: 'entity' | 'stock';
  atMs: number;
}

export interface AccountStats {
  requests: number;
  tooMany: number;
  byStatus: Record<string, number>;
}

export interface EmulatorStats {
  requests: number;
  byPath: Record<string, number>;
  byStatus: Record<string, number>;
  byCode: Record<string, number>;
  /** All 429 responses. */
  tooMany: number;
  tooMany1049: number;
  tooMany1073: number;
  /** 429 responses per minute of the emulator clock (key: ISO minute). */
  tooManyPerMinute: Record<string, number>;
  /** Most 429s seen in any one minute. */
  maxTooManyPerMinute: number;
  perAccount: Record<string, AccountStats>;
  webhooks: { delivered: number; failed: number; attempts: number; suppressed: number; deliveries: WebhookDelivery[] };
}

const ID_RE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

export function emptyStats(): EmulatorStats {
  return {
    requests: 0,
    byPath: {},
    byStatus: {},
    byCode: {},
    tooMany: 0,
    tooMany1049: 0,
    tooMany1073: 0,
    tooManyPerMinute: {},
    maxTooManyPerMinute: 0,
    perAccount: {},
    webhooks: { delivered: 0, failed: 0, attempts: 0, suppressed: 0, deliveries: [] },
  };
}

const inc = (o: Record<string, number>, k: string): void => {
  o[k] = (o[k] ?? 0) + 1;
};

export class StatsRecorder {
  s: EmulatorStats = emptyStats();

  record(method: string, path: string, status: number, code: number | undefined, login: string | undefined, nowMs: number): void {
    const s = this.s;
    s.requests++;
    inc(s.byPath, `${method} ${path.replace(ID_RE, '{id}')}`);
    inc(s.byStatus, String(status));
    if (code !== undefined) inc(s.byCode, String(code));
    if (status === 429) {
      s.tooMany++;
      if (code === 1049) s.tooMany1049++;
      if (code === 1073) s.tooMany1073++;
      const minute = new Date(Math.floor(nowMs / 60000) * 60000).toISOString().slice(0, 16);
      inc(s.tooManyPerMinute, minute);
      s.maxTooManyPerMinute = Math.max(s.maxTooManyPerMinute, s.tooManyPerMinute[minute] ?? 0);
    }
    if (login !== undefined) {
      const a = (s.perAccount[login] ??= { requests: 0, tooMany: 0, byStatus: {} });
      a.requests++;
      if (status === 429) a.tooMany++;
      inc(a.byStatus, String(status));
    }
  }

  delivery(d: WebhookDelivery): void {
    const w = this.s.webhooks;
    w.attempts += d.attempts;
    if (d.ok) w.delivered++;
    else w.failed++;
    w.deliveries.push(d);
    if (w.deliveries.length > 1000) w.deliveries.shift();
  }

  snapshot(): EmulatorStats {
    return structuredClone(this.s);
  }

  reset(): void {
    this.s = emptyStats();
  }
}
