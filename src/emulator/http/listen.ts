/**
 * @module listen
 * Serves the emulator's Hono app on a real socket; closing drops open connections too.
 */

import type { AddressInfo } from 'node:net';
import type { Hono } from 'hono';
import { serve } from '@hono/node-server';

export interface ListeningServer {
  port: number;
  /** The host to show in URLs (`127.0.0.1` when listening on every interface). */
  host: string;
  close(): Promise<void>;
}

export async function listenServer(app: Hono, port: number, host: string): Promise<ListeningServer> {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port, hostname: host }, () => resolve(s));
  });
  const addr = server.address() as AddressInfo;
  return {
    port: addr.port,
    host: host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host,
    close: () =>
      new Promise<void>((resolve) => {
        const srv = server as unknown as { closeAllConnections?: () => void; close(cb: () => void): void };
        srv.closeAllConnections?.();
        srv.close(() => resolve());
      }),
  };
}
