/**
 * SSRF guard for webhook targets. A partner-supplied URL must not let a
 * tenant make the server call its own network: loopback, private, link-local,
 * multicast and reserved addresses are refused, including when hidden inside
 * IPv6 (IPv4-mapped, NAT64, 6to4) or behind a DNS name. The check runs when an
 * endpoint is created and again on every connection (see `connectLookup`),
 * because a name can be re-pointed after it was accepted.
 * `WEBHOOK_TARGET_ALLOWLIST` (hosts or CIDRs) opens explicit exceptions.
 */

import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import {
  type Cidr,
  cidrContains,
  embeddedIpv4,
  formatIp,
  type IpBytes,
  parseCidr,
  parseIp,
} from './ip.ts';

/**
 * Why a target was refused; stable, safe to show to the tenant.
 *
 * @example
 * const code: TargetRefusalCode = 'private_address';
 */
export type TargetRefusalCode =
  | 'invalid_url'
  | 'https_required'
  | 'private_address'
  | 'unresolvable';

/**
 * A webhook target the guard refuses.
 *
 * @example
 * try { await guard.check(url); } catch (e) { if (isTargetRefusedError(e)) console.log(e.code); }
 */
export class TargetRefusedError extends Error {
  override readonly name = 'TargetRefusedError';
  readonly code: TargetRefusalCode;
  constructor(code: TargetRefusalCode, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * Guard matching on `name`, so it works across copies of the module.
 *
 * @example
 * if (isTargetRefusedError(error)) return problem(422, error.message);
 */
export function isTargetRefusedError(error: unknown): error is TargetRefusedError {
  return error instanceof Error && error.name === 'TargetRefusedError';
}

/**
 * Resolves a host name to every address it has (injectable for tests).
 *
 * @example
 * const resolve: ResolveHost = async () => [{ address: '93.184.216.34', family: 4 }];
 */
export type ResolveHost = (hostname: string) => Promise<readonly LookupAddress[]>;

/**
 * Options of {@link createTargetGuard}.
 *
 * @example
 * const options: TargetGuardOptions = { allowlist: ['127.0.0.1', '10.0.0.0/8'] };
 */
export interface TargetGuardOptions {
  /** Hosts (exact, case-insensitive) and IPs/CIDRs that may be private and plain HTTP. */
  readonly allowlist?: readonly string[];
  /** DNS resolution; defaults to the system resolver (`dns.lookup`, all addresses). */
  readonly resolve?: ResolveHost;
}

/**
 * A target that passed the guard.
 *
 * @example
 * const { url, addresses } = await guard.check('https://partner.example/hooks');
 */
export interface CheckedTarget {
  readonly url: URL;
  /** Addresses the host resolved to (the literal itself for an IP host). */
  readonly addresses: readonly string[];
}

/**
 * Node's `lookup` signature, as `net.connect` calls it.
 *
 * @example
 * new Agent({ connect: { lookup: guard.connectLookup } });
 */
export type ConnectLookup = LookupFunction;

/**
 * The guard: a pre-flight check and a connection-time lookup.
 *
 * @example
 * const guard: TargetGuard = createTargetGuard({ allowlist: ['localhost'] });
 */
export interface TargetGuard {
  /**
   * Validates a URL and its resolved addresses; throws {@link TargetRefusedError}.
   * With `deferResolution`, a public-looking host name is not resolved here
   * because `connectLookup` vets its addresses when the socket opens (the
   * delivery hot path then costs no extra DNS round trip).
   */
  check(url: string, options?: { deferResolution?: boolean }): Promise<CheckedTarget>;
  /** A `lookup` for `net.connect` that refuses blocked addresses at connect time. */
  readonly connectLookup: ConnectLookup;
}

const blockedRanges: readonly Cidr[] = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.88.99.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '::/128',
  '::1/128',
  '100::/64',
  '2001::/32',
  '2001:db8::/32',
  '2002::/16',
  'fc00::/7',
  'fe80::/10',
  'fec0::/10',
  'ff00::/8',
].map((text) => parseCidr(text) as Cidr);

/**
 * Whether an address is loopback, private, link-local, multicast or reserved,
 * looking through IPv4-in-IPv6 forms.
 *
 * @example
 * isBlockedAddress(parseIp('::ffff:10.0.0.1')!); // true
 */
export function isBlockedAddress(address: IpBytes): boolean {
  const v4 = embeddedIpv4(address);
  if (v4) return isBlockedAddress(v4);
  return blockedRanges.some((range) => cidrContains(range, address));
}

const systemResolve: ResolveHost = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    );
  });

function normaliseHost(host: string): string {
  const lower = host.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/**
 * Creates the guard.
 *
 * @example
 * const guard = createTargetGuard({ allowlist: ['127.0.0.1', 'localhost'] });
 * await guard.check('https://partner.example/hooks');
 */
export function createTargetGuard(options: TargetGuardOptions = {}): TargetGuard {
  const hosts = new Set<string>();
  const ranges: Cidr[] = [];
  for (const entry of options.allowlist ?? []) {
    const trimmed = entry.trim();
    if (trimmed === '') continue;
    const cidr = parseCidr(trimmed);
    if (cidr) ranges.push(cidr);
    else hosts.add(normaliseHost(trimmed));
  }
  const resolve = options.resolve ?? systemResolve;
  const allowedAddress = (bytes: IpBytes) => {
    const v4 = embeddedIpv4(bytes);
    return ranges.some((r) => cidrContains(r, bytes) || (v4 !== undefined && cidrContains(r, v4)));
  };

  /** Addresses that may be dialled for this host; throws when any is refused. */
  const vet = (hostname: string, addresses: readonly string[]): void => {
    if (hosts.has(normaliseHost(hostname))) return;
    for (const address of addresses) {
      const bytes = parseIp(address);
      if (!bytes)
        throw new TargetRefusedError('unresolvable', `${hostname} resolved to an unusable address`);
      if (isBlockedAddress(bytes) && !allowedAddress(bytes)) {
        throw new TargetRefusedError(
          'private_address',
          `${hostname} resolves to ${formatIp(bytes)}, a private, loopback or reserved address; use a public address or add it to WEBHOOK_TARGET_ALLOWLIST`,
        );
      }
    }
  };

  const check = async (
    text: string,
    checkOptions: { deferResolution?: boolean } = {},
  ): Promise<CheckedTarget> => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new TargetRefusedError('invalid_url', 'the endpoint URL is not a valid absolute URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new TargetRefusedError(
        'invalid_url',
        'the endpoint URL must use https (or http for an allowlisted host)',
      );
    }
    if (url.username !== '' || url.password !== '') {
      throw new TargetRefusedError('invalid_url', 'the endpoint URL must not carry credentials');
    }
    const hostname = url.hostname;
    const literal = parseIp(hostname);
    let addresses: string[];
    if (literal) {
      addresses = [formatIp(literal)];
    } else if (
      checkOptions.deferResolution &&
      (url.protocol === 'https:' || hosts.has(normaliseHost(hostname)))
    ) {
      return { url, addresses: [] };
    } else {
      try {
        addresses = (await resolve(hostname)).map((a) => a.address);
      } catch {
        throw new TargetRefusedError(
          'unresolvable',
          `${hostname} does not resolve; check the host name`,
        );
      }
      if (addresses.length === 0) {
        throw new TargetRefusedError(
          'unresolvable',
          `${hostname} does not resolve; check the host name`,
        );
      }
    }
    vet(hostname, addresses);
    const allowlisted =
      hosts.has(normaliseHost(hostname)) ||
      addresses.every((a) => {
        const bytes = parseIp(a);
        return bytes !== undefined && allowedAddress(bytes);
      });
    if (url.protocol !== 'https:' && !allowlisted) {
      throw new TargetRefusedError('https_required', 'the endpoint URL must use https');
    }
    return { url, addresses };
  };

  const connectLookup: ConnectLookup = (hostname, lookupOptions, callback) => {
    resolve(hostname).then(
      (found) => {
        try {
          vet(
            hostname,
            found.map((a) => a.address),
          );
        } catch (error) {
          callback(error as NodeJS.ErrnoException, []);
          return;
        }
        const family =
          lookupOptions.family === 6 || lookupOptions.family === 'IPv6'
            ? 6
            : lookupOptions.family === 4 || lookupOptions.family === 'IPv4'
              ? 4
              : 0;
        const usable = family === 0 ? found : found.filter((a) => a.family === family);
        const first = usable[0];
        if (!first) {
          callback(new TargetRefusedError('unresolvable', `${hostname} has no usable address`), []);
          return;
        }
        if (lookupOptions.all) callback(null, [...usable]);
        else callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, []),
    );
  };

  return { check, connectLookup };
}
