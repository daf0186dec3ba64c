/**
 * Address classification for the SSRF guard. Which addresses are special
 * comes from `ipaddr.js`, whose range names follow the IANA IPv4 and IPv6
 * Special-Purpose Address Registries, not from a list kept here: an address
 * may be dialled only when its range is `unicast`. IPv6 forms that stand for
 * an IPv4 address (IPv4-mapped, IPv4-translated, the well-known NAT64 prefix)
 * are unwrapped and the inner address must be `unicast` too, because that is
 * the host a translator or a dual-stack socket will reach.
 */
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * A parsed IPv4 or IPv6 address.
 *
 * @example
 * const address: IpAddress = parseIp('10.0.0.1')!;
 */
export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * A CIDR range: network address and prefix length in bits.
 *
 * @example
 * const range: IpRange = parseIpRange('192.168.0.0/16')!;
 */
export type IpRange = [IpAddress, number];

/**
 * Parses an IPv4 or IPv6 literal in its standard text form (brackets and a
 * zone id are tolerated). Returns undefined when the text is not an address;
 * legacy IPv4 forms (`0x7f.1`) are not addresses here, a URL parser has
 * already normalised them.
 *
 * @example
 * parseIp('[::1]')?.kind(); // 'ipv6'
 */
export function parseIp(text: string): IpAddress | undefined {
  let address = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zone = address.indexOf('%');
  if (zone !== -1) address = address.slice(0, zone);
  return isIP(address) === 0 ? undefined : ipaddr.parse(address);
}

/**
 * Parses `a.b.c.d/n`, `x::/n` or a bare address (a /32 or /128).
 * Returns undefined when the text is not a range.
 *
 * @example
 * parseIpRange('10.0.0.0/8'); // [IPv4 10.0.0.0, 8]
 */
export function parseIpRange(text: string): IpRange | undefined {
  const slash = text.indexOf('/');
  const address = parseIp(slash === -1 ? text : text.slice(0, slash));
  if (!address) return undefined;
  const max = address.kind() === 'ipv4' ? 32 : 128;
  if (slash === -1) return [address, max];
  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  return prefix <= max ? [address, prefix] : undefined;
}

/**
 * Whether an address lies in a range (same family only).
 *
 * @example
 * rangeContains(parseIpRange('10.0.0.0/8')!, parseIp('10.1.2.3')!); // true
 */
export function rangeContains(range: IpRange, address: IpAddress): boolean {
  const [network, prefix] = range;
  if (network.kind() !== address.kind()) return false;
  return address.kind() === 'ipv4'
    ? (address as ipaddr.IPv4).match(network as ipaddr.IPv4, prefix)
    : (address as ipaddr.IPv6).match(network as ipaddr.IPv6, prefix);
}

/**
 * The IPv4 address an IPv6 address stands for: IPv4-mapped
 * (`::ffff:a.b.c.d`), IPv4-translated (`::ffff:0:a.b.c.d`, RFC 6145) and the
 * well-known NAT64 prefix (`64:ff9b::a.b.c.d`, RFC 6052). The local-use NAT64
 * prefix (`64:ff9b:1::/48`, RFC 8215) puts the IPv4 address where its
 * operator chooses, so it is never unwrapped (and never dialled: it is not
 * globally reachable).
 *
 * @example
 * embeddedIpv4(parseIp('::ffff:127.0.0.1')!)?.toString(); // '127.0.0.1'
 */
export function embeddedIpv4(address: IpAddress): ipaddr.IPv4 | undefined {
  if (address.kind() !== 'ipv6') return undefined;
  const v6 = address as ipaddr.IPv6;
  const range = v6.range();
  const wellKnownNat64 = range === 'rfc6052' && v6.parts.slice(2, 6).every((part) => part === 0);
  if (range !== 'ipv4Mapped' && range !== 'rfc6145' && !wellKnownNat64) return undefined;
  const bytes = v6.toByteArray().slice(12, 16);
  return new ipaddr.IPv4(bytes);
}

// IANA IPv6 Address Space: only 2000::/3 is allocated as global unicast.
// Addresses outside it that ipaddr.js has no name for (the deprecated
// IPv4-compatible `::a.b.c.d`, the 100:0:0:1::/64 dummy prefix) would
// otherwise be classed `unicast`.
const globalUnicastV6 = parseIpRange('2000::/3') as IpRange;

/**
 * The IANA special-purpose range an address falls in, `unicast` when none.
 * For IPv4 inside IPv6 the inner address's range follows, e.g.
 * `ipv4Mapped/loopback`. Meant for logs and tests, never for a caller.
 *
 * @example
 * addressRange(parseIp('64:ff9b::7f00:1')!); // 'rfc6052/loopback'
 */
export function addressRange(address: IpAddress): string {
  if (address.kind() === 'ipv4') return address.range();
  const range = address.range();
  const inner = embeddedIpv4(address);
  if (inner) return `${range}/${inner.range()}`;
  if (range === 'unicast' && !rangeContains(globalUnicastV6, address)) return 'unallocated';
  return range;
}

/**
 * Whether a webhook may be sent to this address: its range is `unicast`,
 * and so is the IPv4 address it stands for, if any.
 *
 * @example
 * isPublicAddress(parseIp('::ffff:0:10.0.0.1')!); // false
 * isPublicAddress(parseIp('64:ff9b::8.8.8.8')!); // true
 */
export function isPublicAddress(address: IpAddress): boolean {
  const range = addressRange(address);
  return range === 'unicast' || /^(ipv4Mapped|rfc6145|rfc6052)\/unicast$/.test(range);
}
