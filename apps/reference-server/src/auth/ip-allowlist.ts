/**
 * IP allowlists of credentials (issue #10, finding 18): an API key or an
 * OAuth client may carry a list of addresses and CIDR ranges, and a request
 * it authenticates must come from one of them. Matching uses `ipaddr.js`;
 * an IPv4-mapped IPv6 address (`::ffff:127.0.0.1`, what a dual-stack socket
 * reports for an IPv4 peer) is compared as the IPv4 address it carries.
 * Nothing else is unwrapped: a NAT64 or IPv4-translated address is not the
 * IPv4 host, so it matches only IPv6 entries.
 */
import { isIP } from 'node:net';
import { MAX_ALLOWED_IPS } from '@clinicbridge/sdk/contract';
import ipaddr from 'ipaddr.js';
import { ApiError } from '../kernel/problem.ts';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

function parseAddress(text: string): Address | undefined {
  // A socket reports a link-local peer with its zone (`fe80::1%eth0`); the zone is not part of the address.
  const bare = text.replace(/%[^%]*$/, '');
  // Standard text forms only: ipaddr.js would also read `2130706433` or `0x7f.1` as 127.0.0.1.
  if (isIP(bare) === 0) return undefined;
  // `process` turns an IPv4-mapped IPv6 address into its IPv4 address.
  return ipaddr.process(bare);
}

function parseEntry(entry: string): [Address, number] | undefined {
  const slash = entry.indexOf('/');
  const text = slash === -1 ? entry : entry.slice(0, slash);
  if (isIP(text) === 0) return undefined;
  const address = ipaddr.parse(text);
  const max = address.kind() === 'ipv4' ? 32 : 128;
  if (slash === -1) return [address, max];
  const prefix = entry.slice(slash + 1);
  if (!/^(0|[1-9]\d{0,2})$/.test(prefix) || Number(prefix) > max) return undefined;
  return [address, Number(prefix)];
}

function contains([network, prefix]: [Address, number], address: Address): boolean {
  // An IPv4-mapped entry (`::ffff:10.0.0.0/104`) is compared in IPv4 terms too.
  if (network.kind() === 'ipv6' && (network as ipaddr.IPv6).isIPv4MappedAddress() && prefix >= 96) {
    return (
      address.kind() === 'ipv4' &&
      (address as ipaddr.IPv4).match((network as ipaddr.IPv6).toIPv4Address(), prefix - 96)
    );
  }
  if (network.kind() !== address.kind()) return false;
  return network.kind() === 'ipv4'
    ? (address as ipaddr.IPv4).match(network as ipaddr.IPv4, prefix)
    : (address as ipaddr.IPv6).match(network as ipaddr.IPv6, prefix);
}

/**
 * The entries of an allowlist that are not an address or CIDR range
 * (empty when every entry is usable).
 *
 * @example
 * invalidAllowlistEntries(['10.0.0.0/8', 'intranet']); // ['intranet']
 */
export function invalidAllowlistEntries(entries: readonly string[]): string[] {
  return entries.filter((entry) => parseEntry(entry) === undefined);
}

/**
 * Whether `address` (the request's client address, or undefined when it is
 * unknown) may use a credential with this allowlist. No allowlist allows
 * every address; an unknown or unparsable address is allowed by none.
 *
 * @example
 * addressAllowed(['127.0.0.1/32'], '::ffff:127.0.0.1'); // true
 */
export function addressAllowed(
  allowlist: readonly string[] | null | undefined,
  address: string | undefined,
): boolean {
  if (!allowlist) return true;
  const parsed = address === undefined ? undefined : parseAddress(address);
  if (!parsed) return false;
  return allowlist.some((entry) => {
    const range = parseEntry(entry);
    return range !== undefined && contains(range, parsed);
  });
}

/**
 * Throws 403 `ip_not_allowed` unless the credential may be used from `address`.
 * Called only once the credential is proven (key hash found, secret or JWT
 * verified), so the refusal tells nothing to someone who does not hold it.
 *
 * @example
 * requireAllowedAddress(row.allowed_ips, request.clientAddress);
 */
export function requireAllowedAddress(
  allowlist: readonly string[] | null | undefined,
  address: string | undefined,
): void {
  if (addressAllowed(allowlist, address)) return;
  throw new ApiError(
    'ip_not_allowed',
    'This credential may not be used from your network address. Ask the clinic to add the address to its allowlist, or call from an allowed network.',
  );
}

/**
 * The allowlist to store for a new credential: undefined stays null (any
 * address); otherwise 1–{@link MAX_ALLOWED_IPS} distinct entries, each an
 * address or CIDR range, or 400 `validation_failed`. The contract checks the
 * same on the API; the operator CLI reaches the services only through here.
 *
 * @example
 * checkAllowlist(['10.0.0.0/8', '10.0.0.0/8']); // ['10.0.0.0/8']
 */
export function checkAllowlist(entries: readonly string[] | undefined): string[] | null {
  if (entries === undefined) return null;
  const unique = [...new Set(entries.map((e) => e.trim()))];
  const invalid = invalidAllowlistEntries(unique);
  if (unique.length === 0 || unique.length > MAX_ALLOWED_IPS || invalid.length > 0) {
    const which = invalid.length > 0 ? `; not one: ${invalid.slice(0, 3).join(', ')}` : '';
    throw new ApiError(
      'validation_failed',
      `allowedIps must list 1–${MAX_ALLOWED_IPS} IPv4/IPv6 addresses or CIDR ranges${which}.`,
      {
        errors: [{ path: 'body.allowedIps', message: 'addresses or CIDR ranges', code: 'custom' }],
      },
    );
  }
  return unique;
}
