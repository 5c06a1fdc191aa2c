/**
 * Test helpers: an emulator plus a client bound to it through the emulator's in-process fetch
 * (network semantics) and a shared ManualClock.
 */
import { ManualClock } from '../../src/core/clock.js';
import { createEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';
import { MoySkladClient, type MoySkladClientOptions, type MoySkladCredentials, type RequestEvent } from '../../src/moysklad/index.js';

export interface Harness {
  clock: ManualClock;
  emulator: Emulator;
  client: MoySkladClient;
  events: RequestEvent[];
  logs: Array<{ level: string; obj: object; msg?: string }>;
  makeClient(credentials: MoySkladCredentials, extra?: Partial<MoySkladClientOptions>): MoySkladClient;
}

export function harness(options: EmulatorOptions = {}, clientOptions: Partial<MoySkladClientOptions> = {}): Harness {
  const clock = (options.clock as ManualClock | undefined) ?? new ManualClock({ autoAdvance: true });
  const emulator = createEmulator({ ...options, clock });
  const events: RequestEvent[] = [];
  const logs: Harness['logs'] = [];
  const logger = {
    debug: (obj: object, msg?: string) => logs.push({ level: 'debug', obj, msg }),
    info: (obj: object, msg?: string) => logs.push({ level: 'info', obj, msg }),
    warn: (obj: object, msg?: string) => logs.push({ level: 'warn', obj, msg }),
    error: (obj: object, msg?: string) => logs.push({ level: 'error', obj, msg }),
  };
  const makeClient = (credentials: MoySkladCredentials, extra: Partial<MoySkladClientOptions> = {}): MoySkladClient =>
    new MoySkladClient({
      baseUrl: emulator.apiBaseUrl,
      credentials,
      fetch: emulator.fetch,
      clock,
      logger,
      onRequest: (e) => events.push(e),
      random: () => 0.5,
      ...clientOptions,
      ...extra,
    });
  const client = makeClient({ kind: 'password', login: 'admin@demo', password: 'demo' });
  return { clock, emulator, client, events, logs, makeClient };
}
