/**
 * @module demo-sharing
 * One demo MoySklad for every process of a demo install. The service's in-process emulator saves
 * its state after every change (`persistAfterWrites`), and serves itself under
 * `/demo-moysklad/<emulator host>/…` of the service (`serveDemoMoySklad`); `moysklad-exchange sync`
 * in demo mode first asks the running service (`connectRemoteDemo`) and talks to that emulator,
 * so the CLI and the service see one demo shop. Without a running service the CLI loads the saved
 * state, which is current.
 */

export const DEMO_MOYSKLAD_PATH = '/demo-moysklad';

interface Saving {
  fetch: typeof fetch;
  save(): void;
}

/** The emulator's fetch that also saves the state (coalesced, after the answer) when a request may have changed it. */
export function persistAfterWrites(emulator: Saving): typeof fetch {
  let pending = false;
  return async (input, init) => {
    const res = await emulator.fetch(input, init);
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    if (method !== 'GET' && method !== 'HEAD' && !pending) {
      pending = true;
      setImmediate(() => {
        pending = false;
        emulator.save();
      });
    }
    return res;
  };
}

/** Answers `/demo-moysklad/<host>/<path>` of the service with the in-process emulator at `http://<host>/<path>`, for the hosts it serves. */
export async function serveDemoMoySklad(req: Request, emulatorFetch: typeof fetch, hosts: readonly string[]): Promise<Response> {
  const url = new URL(req.url);
  const rest = url.pathname.slice(DEMO_MOYSKLAD_PATH.length + 1);
  const slash = rest.indexOf('/');
  const host = slash < 0 ? rest : rest.slice(0, slash);
  if (!hosts.includes(host)) return new Response(null, { status: 404 });
  const target = `http://${host}${slash < 0 ? '/' : rest.slice(slash)}${url.search}`;
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  const res = await emulatorFetch(target, { method: req.method, headers: req.headers, ...(hasBody ? { body: await req.arrayBuffer() } : {}) });
  // The in-process fetch hands the body back decoded (as fetch does) with MoySklad's headers: pass it on plain.
  const out = new Headers(res.headers);
  out.delete('content-encoding');
  out.delete('content-length');
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers: out });
}

/** A fetch that sends the emulator's URLs (`http://<host>/…` of `hosts`) to the running service's `/demo-moysklad/<host>/…`. */
export function remoteDemoFetch(serviceBaseUrl: string, hosts: readonly string[], fetchImpl: typeof fetch = globalThis.fetch): typeof fetch {
  const base = serviceBaseUrl.replace(/\/$/, '');
  return (input, init) => {
    const req = new Request(input, init);
    const url = new URL(req.url);
    if (!hosts.includes(url.host)) return fetchImpl(req);
    return fetchImpl(new Request(`${base}${DEMO_MOYSKLAD_PATH}/${url.host}${url.pathname}${url.search}`, req));
  };
}

/** True when a service at `serviceBaseUrl` serves its demo MoySklad (asked with a short timeout). */
export async function serviceServesDemo(serviceBaseUrl: string, host: string, fetchImpl: typeof fetch = globalThis.fetch, timeoutMs = 1500): Promise<boolean> {
  try {
    const res = await fetchImpl(`${serviceBaseUrl.replace(/\/$/, '')}${DEMO_MOYSKLAD_PATH}/${host}/api/remap/1.2/context/employee`, { headers: { accept: 'application/json;charset=utf-8' }, signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    // The emulator asks for credentials: it is there.
    return res.status === 401;
  } catch {
    return false;
  }
}
