/**
 * @module bind-server
 * The HTTP server is bound before anything else starts (port in use → fail, nothing changed); it
 * answers 503 `starting` until the app is handed to it.
 */
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { StartupError } from './runtime-types.js';

/** An HTTP server bound before the app exists: it answers 503 until `setHandler`. */
export interface BoundServer {
  url: string;
  port: number;
  setHandler(fetch: (req: Request) => Response | Promise<Response>): void;
  close(): Promise<void>;
}

/** Binds the port (fails with one line when it is in use), serving 503 `starting` meanwhile. */
export async function bindServer(port: number, host: string): Promise<BoundServer> {
  let handler: ((req: Request) => Response | Promise<Response>) | null = null;
  const server = createAdaptorServer({
    fetch: (req: Request) =>
      handler ? handler(req) : new Response(JSON.stringify({ status: 'starting' }), { status: 503, headers: { 'content-type': 'application/json' } }),
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      reject(
        new StartupError(
          'port_unavailable',
          e.code === 'EADDRINUSE' ? `port ${port} is already in use on ${host}; stop the other process or set PORT` : `cannot listen on ${host}:${port}: ${e.code ?? e.message}`,
          e,
        ),
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return {
    url: `http://${shownHost}:${addr.port}`,
    port: addr.port,
    setHandler: (fetch) => {
      handler = fetch;
    },
    close: () =>
      new Promise<void>((resolve) => {
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

