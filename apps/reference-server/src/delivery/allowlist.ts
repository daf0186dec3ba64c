/**
 * `WEBHOOK_TARGET_ALLOWLIST` entries: exceptions to the SSRF guard for one
 * host (or address range) on named ports. An entry always names its ports —
 * `127.0.0.1:8080`, `127.0.0.1:8000-8999`, `[::1]:8080`, `10.0.0.0/8:443`,
 * `receiver.internal:8443` — because allowing a host on every port opens
 * everything else it serves (its database, its admin ports). A bare host is
 * refused when the configuration is parsed.
 */
import { type IpAddress, type IpRange, parseIpRange, rangeContains } from './ip.ts';

/**
 * One parsed entry: a host name or an address range, and an inclusive port range.
 *
 * @example
 * const entry: AllowlistEntry = parseAllowlistEntry('127.0.0.1:8080');
 */
export interface AllowlistEntry {
  /** Lower-case host name without a trailing dot, when the entry names one. */
  readonly host?: string;
  /** Address range, when the entry names an address or a CIDR. */
  readonly range?: IpRange;
  readonly fromPort: number;
  readonly toPort: number;
}

/**
 * An allowlist entry that cannot be used; the message says how to write it
 * and never repeats the entry.
 *
 * @example
 * try { parseAllowlistEntry('127.0.0.1'); } catch (e) { if (isAllowlistEntryError(e)) console.error(e.message); }
 */
export class AllowlistEntryError extends Error {
  override readonly name = 'AllowlistEntryError';
}

/**
 * Guard matching on `name`, so it works across copies of the module.
 *
 * @example
 * if (isAllowlistEntryError(error)) ctx.addIssue({ code: 'custom', message: error.message });
 */
export function isAllowlistEntryError(error: unknown): error is AllowlistEntryError {
  return error instanceof Error && error.name === 'AllowlistEntryError';
}

const FORMAT =
  'write host:port or host:from-to (e.g. 127.0.0.1:8080, 127.0.0.1:8000-8999, [::1]:8080, 10.0.0.0/8:443)';

/**
 * Lower-cases a host name and drops a trailing dot, as the guard compares names.
 *
 * @example
 * normaliseHost('Receiver.Internal.'); // 'receiver.internal'
 */
export function normaliseHost(host: string): string {
  const lower = host.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

function parsePort(text: string): number {
  if (!/^\d{1,5}$/.test(text)) throw new AllowlistEntryError(`a port must be a number; ${FORMAT}`);
  const port = Number(text);
  if (port < 1 || port > 65_535) throw new AllowlistEntryError('a port must be 1–65535');
  return port;
}

/**
 * Parses one entry; throws {@link AllowlistEntryError}.
 *
 * @example
 * parseAllowlistEntry('localhost:8000-8999'); // { host: 'localhost', fromPort: 8000, toPort: 8999 }
 */
export function parseAllowlistEntry(text: string): AllowlistEntry {
  const entry = text.trim();
  let hostText: string;
  let portText: string;
  if (entry.startsWith('[')) {
    const close = entry.indexOf(']');
    if (close === -1 || entry[close + 1] !== ':') {
      throw new AllowlistEntryError(`the entry names no port; ${FORMAT}`);
    }
    hostText = entry.slice(1, close);
    portText = entry.slice(close + 2);
  } else {
    const colon = entry.lastIndexOf(':');
    if (colon === -1) throw new AllowlistEntryError(`the entry names no port; ${FORMAT}`);
    hostText = entry.slice(0, colon);
    portText = entry.slice(colon + 1);
    if (hostText.includes(':')) {
      throw new AllowlistEntryError(`an IPv6 address goes in brackets; ${FORMAT}`);
    }
  }
  const dash = portText.indexOf('-');
  const fromPort = parsePort(dash === -1 ? portText : portText.slice(0, dash));
  const toPort = dash === -1 ? fromPort : parsePort(portText.slice(dash + 1));
  if (toPort < fromPort) throw new AllowlistEntryError('a port range must run from low to high');

  const range = parseIpRange(hostText);
  if (range) return { range, fromPort, toPort };
  if (entry.startsWith('[') || hostText.includes('/')) {
    throw new AllowlistEntryError(`the entry's address or CIDR is not valid; ${FORMAT}`);
  }
  const host = normaliseHost(hostText);
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(host)) {
    throw new AllowlistEntryError(`the entry's host is not a host name or address; ${FORMAT}`);
  }
  return { host, fromPort, toPort };
}

/**
 * Splits the variable on commas and parses every entry; throws
 * {@link AllowlistEntryError} naming the entry's position.
 *
 * @example
 * parseAllowlist('127.0.0.1:8080, localhost:9000-9100').length; // 2
 */
export function parseAllowlist(text: string): AllowlistEntry[] {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return items.map((item, i) => {
    try {
      return parseAllowlistEntry(item);
    } catch (error) {
      if (!isAllowlistEntryError(error)) throw error;
      throw new AllowlistEntryError(`entry ${i + 1} of ${items.length}: ${error.message}`);
    }
  });
}

/**
 * The default port of a URL's scheme when it names none.
 *
 * @example
 * effectivePort(new URL('https://partner.example/hooks')); // 443
 */
export function effectivePort(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

const onPort = (entry: AllowlistEntry, port: number) =>
  port >= entry.fromPort && port <= entry.toPort;

/**
 * Whether an entry allows this host name on this port.
 *
 * @example
 * allowsHost(entries, 'localhost', 8080);
 */
export function allowsHost(
  entries: readonly AllowlistEntry[],
  hostname: string,
  port: number,
): boolean {
  const host = normaliseHost(hostname);
  return entries.some((e) => e.host === host && onPort(e, port));
}

/**
 * Whether an entry allows this address (or the IPv4 address it stands for) on this port.
 *
 * @example
 * allowsAddress(entries, parseIp('127.0.0.1')!, undefined, 8080);
 */
export function allowsAddress(
  entries: readonly AllowlistEntry[],
  address: IpAddress,
  inner: IpAddress | undefined,
  port: number,
): boolean {
  return entries.some(
    (e) =>
      e.range !== undefined &&
      onPort(e, port) &&
      (rangeContains(e.range, address) || (inner !== undefined && rangeContains(e.range, inner))),
  );
}

/**
 * Whether any address entry covers this port (plain http can then only be
 * decided after resolving the name).
 *
 * @example
 * hasAddressEntryFor(entries, 8080);
 */
export function hasAddressEntryFor(entries: readonly AllowlistEntry[], port: number): boolean {
  return entries.some((e) => e.range !== undefined && onPort(e, port));
}
