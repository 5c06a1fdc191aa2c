/**
 * @module shutdown
 * The running service's stop: stop taking requests first, then stop the work (last started, first
 * stopped), then close what the work used. A failing step is logged and the others still run.
 */
import { errorMessage } from '../core/errors.js';
import type { ServiceLogger } from './runtime-types.js';

export class ShutdownSteps {
  readonly #logger: ServiceLogger;
  readonly #steps: (() => Promise<void>)[] = [];
  #closeServer: (() => Promise<void>) | null = null;

  constructor(logger: ServiceLogger) {
    this.#logger = logger;
  }

  /** The HTTP server's close, run before every other step. */
  setServer(close: () => Promise<void>): void {
    this.#closeServer = close;
  }

  /** A step run at stop, before the steps added earlier. */
  add(step: () => Promise<void>): void {
    this.#steps.push(step);
  }

  readonly stop = async (): Promise<void> => {
    const server = this.#closeServer;
    this.#closeServer = null;
    if (server) await server().catch((e: unknown) => this.#logger.warn({ err: { message: errorMessage(e) } }, 'closing the HTTP server failed'));
    for (const step of this.#steps.reverse()) await step().catch((e: unknown) => this.#logger.warn({ err: { message: errorMessage(e) } }, 'shutdown step failed'));
    this.#steps.length = 0;
  };
}
