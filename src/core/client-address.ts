/**
 * @module client-address
 * S7: the client address a request came from, for login throttling. The socket's peer address,
 * unless that peer is a trusted proxy (`TRUSTED_PROXIES`: IPs and CIDR ranges): then
 * `X-Forwarded-For` is read from the right, skipping trusted proxies, and the first address that is
 * not one is the client (entries to its left were written by the client and may be forged).
 */
import net from 'node:net';

/** A parsed `TRUSTED_PROXIES` list. */
export interface TrustedProxies {
  has(address: string): boolean;
  /** The entries as configured, for display. */
  readonly entries: readonly string[];
}

const stripV4Mapped = (a: string): string => (a.toLowerCase().startsWith('::ffff:') && net.isIPv4(a.slice(7)) ? a.slice(7) : a);

/** One entry: an IPv4/IPv6 address or CIDR range; null when it is neither. */
export function parseProxyEntry(entry: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
  const [addr = '', bits, extra] = entry.trim().split('/');
  if (extra !== undefined) return null;
  const family = net.isIPv4(addr) ? 'ipv4' : net.isIPv6(addr) ? 'ipv6' : null;
  if (!family) return null;
  const max = family === 'ipv4' ? 32 : 128;
  const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return null;
  return { address: addr, prefix, family };
}

/** Builds the list; throws on an entry that is not an IP or CIDR (the config loader reports it). */
export function trustedProxies(entries: readonly string[]): TrustedProxies {
  const list = new net.BlockList();
  for (const e of entries) {
    const p = parseProxyEntry(e);
    if (!p) throw new Error(`not an IP address or CIDR range: ${e}`);
    list.addSubnet(p.address, p.prefix, p.family);
  }
  return {
    entries: [...entries],
    has: (address) => {
      const a = stripV4Mapped(address.trim());
      const family = net.isIPv4(a) ? 'ipv4' : net.isIPv6(a) ? 'ipv6' : null;
      return family !== null && list.check(a, family);
    },
  };
}

export const NO_TRUSTED_PROXIES: TrustedProxies = trustedProxies([]);

/** The client address of a request whose socket peer is `remote`. */
export function clientAddress(remote: string | undefined, forwardedFor: string | undefined, trusted: TrustedProxies): string {
  const peer = remote ? stripV4Mapped(remote) : 'unknown';
  if (!remote || !forwardedFor || !trusted.has(peer)) return peer;
  const hops = forwardedFor.split(',').map((h) => stripV4Mapped(h.trim())).filter((h) => h !== '');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (net.isIP(hop) === 0) return peer;
    if (!trusted.has(hop)) return hop;
  }
  return hops[0] ?? peer;
}
