/**
 * IP address arithmetic for the SSRF guard: parse IPv4/IPv6 text into bytes,
 * unwrap IPv4 addresses hidden inside IPv6 forms, and match CIDR ranges.
 * Hand-rolled because `net.BlockList` does not see through IPv4-mapped or
 * NAT64 addresses, which is exactly how a guard gets bypassed.
 */
import { isIPv4, isIPv6 } from 'node:net';

/**
 * An address as 4 (IPv4) or 16 (IPv6) bytes.
 *
 * @example
 * const bytes: IpBytes = parseIp('10.0.0.1')!;
 */
export type IpBytes = Uint8Array;

/**
 * A CIDR range: network bytes and prefix length in bits.
 *
 * @example
 * const range: Cidr = parseCidr('192.168.0.0/16')!;
 */
export interface Cidr {
  readonly bytes: IpBytes;
  readonly prefix: number;
}

/**
 * Parses an IPv4 or IPv6 literal (brackets and a zone id are tolerated).
 * Returns undefined when the text is not an IP address.
 *
 * @example
 * parseIp('127.0.0.1'); // Uint8Array [127, 0, 0, 1]
 */
export function parseIp(text: string): IpBytes | undefined {
  let address = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zone = address.indexOf('%');
  if (zone !== -1) address = address.slice(0, zone);
  if (isIPv4(address)) return Uint8Array.from(address.split('.').map(Number));
  if (!isIPv6(address)) return undefined;
  return parseIpv6(address);
}

function parseIpv6(address: string): IpBytes {
  const out = new Uint8Array(16);
  let text = address;
  // A trailing dotted quad (`::ffff:1.2.3.4`) fills the last 4 bytes.
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    tail = last.split('.').map(Number);
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head = '', rest] = text.split('::') as [string, string | undefined];
  const headGroups = head === '' ? [] : head.split(':');
  const restGroups = rest === undefined || rest === '' ? [] : rest.split(':');
  const missing = 8 - headGroups.length - restGroups.length;
  const groups = [
    ...headGroups,
    ...new Array<string>(rest === undefined ? 0 : missing).fill('0'),
    ...restGroups,
  ];
  groups.forEach((group, i) => {
    const value = Number.parseInt(group, 16);
    out[i * 2] = value >> 8;
    out[i * 2 + 1] = value & 0xff;
  });
  if (tail.length === 4) out.set(tail, 12);
  return out;
}

/**
 * The IPv4 address an IPv6 address stands for, if any: IPv4-mapped
 * (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`) and NAT64 (`64:ff9b::/96`).
 *
 * @example
 * embeddedIpv4(parseIp('::ffff:127.0.0.1')!); // Uint8Array [127, 0, 0, 1]
 */
export function embeddedIpv4(bytes: IpBytes): IpBytes | undefined {
  if (bytes.length !== 16) return undefined;
  const zeros = (from: number, to: number) => bytes.subarray(from, to).every((b) => b === 0);
  const v4 = bytes.slice(12, 16);
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return v4;
  // `::a.b.c.d` (deprecated IPv4-compatible); `::` and `::1` are IPv6 specials, not IPv4.
  if (zeros(0, 12) && !zeros(12, 15)) return v4;
  if (
    bytes[0] === 0x00 &&
    bytes[1] === 0x64 &&
    bytes[2] === 0xff &&
    bytes[3] === 0x9b &&
    zeros(4, 12)
  ) {
    return v4;
  }
  return undefined;
}

/**
 * Parses `a.b.c.d/n`, `x::/n` or a bare address (a /32 or /128).
 * Returns undefined when the text is not a CIDR.
 *
 * @example
 * parseCidr('10.0.0.0/8'); // { bytes: [10, 0, 0, 0], prefix: 8 }
 */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const bytes = parseIp(slash === -1 ? text : text.slice(0, slash));
  if (!bytes) return undefined;
  const max = bytes.length * 8;
  if (slash === -1) return { bytes, prefix: max };
  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  return prefix <= max ? { bytes, prefix } : undefined;
}

/**
 * Whether an address lies in a range (same family only).
 *
 * @example
 * cidrContains(parseCidr('10.0.0.0/8')!, parseIp('10.1.2.3')!); // true
 */
export function cidrContains(range: Cidr, address: IpBytes): boolean {
  if (range.bytes.length !== address.length) return false;
  let bits = range.prefix;
  for (let i = 0; i < address.length && bits > 0; i++) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((range.bytes[i] ?? 0) & mask) !== ((address[i] ?? 0) & mask)) return false;
    bits -= 8;
  }
  return true;
}

/**
 * Formats address bytes back to text (IPv6 uncompressed), for error messages.
 *
 * @example
 * formatIp(Uint8Array.from([10, 0, 0, 1])); // '10.0.0.1'
 */
export function formatIp(bytes: IpBytes): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2)
    groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return groups.join(':');
}
