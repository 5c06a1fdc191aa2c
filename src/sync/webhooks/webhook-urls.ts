/**
 * @module webhook-urls
 * B3: where MoySklad delivers this module's webhooks. Every account gets
 * `PUBLIC_BASE_URL/hooks/moysklad/{key}` with its own unguessable key; everything the module
 * registers starts with `hookUrlPrefix(PUBLIC_BASE_URL)`, which is also the
 * `X-Lognex-WebHook-DisableByPrefix` value of the module's own writes.
 */

/** The intake route's path prefix (the key follows). */
export const HOOK_PATH = '/hooks/moysklad/';

/** `https://shop.example/hooks/moysklad/` for `https://shop.example` (a trailing slash is ignored). */
export function hookUrlPrefix(publicBaseUrl: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}${HOOK_PATH}`;
}

/** The webhook URL of one MoySklad account. */
export function hookUrl(publicBaseUrl: string, key: string): string {
  return `${hookUrlPrefix(publicBaseUrl)}${encodeURIComponent(key)}`;
}

/** True for localhost, 127.0.0.0/8, ::1 and 0.0.0.0 (nothing outside this machine can reach them). */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  host = host.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || host === '0.0.0.0' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
