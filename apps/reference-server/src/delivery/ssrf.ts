/**
 * SSRF guard for webhook targets. A partner-supplied URL must not let a
 * tenant make the server call its own network: loopback, private, link-local,
 * multicast and reserved addresses are refused, including when hidden inside
 * IPv6 (IPv4-mapped, IPv4-translated, NAT64) or behind a DNS name: only
 * `unicast` addresses by the IANA special-purpose registries pass (see ip.ts). The check runs when an
 * endpoint is created and again on every connection (see `connectLookup`),
 * because a name can be re-pointed after it was accepted.
 * `WEBHOOK_TARGET_ALLOWLIST` (hosts or CIDRs) opens explicit exceptions.
 */

import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import {
  embeddedIpv4,
  type IpAddress,
  type IpRange,
  isPublicAddress,
  parseIp,
  parseIpRange,
  rangeContains,
} from './ip.ts';

/**
 * Why a target was refused; stable, safe to show to the tenant. A host that
 * does not resolve and one that resolves to a private address get the same
 * `target_not_allowed`: telling them apart would let a tenant map the
 * server's internal DNS.
 *
 * @example
 * const code: TargetRefusalCode = 'target_not_allowed';
 */
export type TargetRefusalCode = 'invalid_url' | 'https_required' | 'target_not_allowed';

/**
 * The one message of `target_not_allowed`: it names no host, address or
 * DNS answer, only what the tenant can do.
 *
 * @example
 * new TargetRefusedError('target_not_allowed', TARGET_NOT_ALLOWED);
 */
export const TARGET_NOT_ALLOWED =
  'the endpoint URL is not an allowed webhook target; use a host that resolves to public addresses only';

const notAllowed = () => new TargetRefusedError('target_not_allowed', TARGET_NOT_ALLOWED);

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

/**
 * Whether an address is anything but global unicast by the IANA
 * special-purpose registries, looking through IPv4-in-IPv6 forms.
 *
 * @example
 * isBlockedAddress(parseIp('::ffff:10.0.0.1')!); // true
 */
export function isBlockedAddress(address: IpAddress): boolean {
  return !isPublicAddress(address);
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
  const ranges: IpRange[] = [];
  for (const entry of options.allowlist ?? []) {
    const trimmed = entry.trim();
    if (trimmed === '') continue;
    const cidr = parseIpRange(trimmed);
    if (cidr) ranges.push(cidr);
    else hosts.add(normaliseHost(trimmed));
  }
  const resolve = options.resolve ?? systemResolve;
  const allowedAddress = (address: IpAddress) => {
    const v4 = embeddedIpv4(address);
    return ranges.some(
      (r) => rangeContains(r, address) || (v4 !== undefined && rangeContains(r, v4)),
    );
  };

  /** Addresses that may be dialled for this host; throws when any is refused. */
  const vet = (hostname: string, addresses: readonly string[]): void => {
    if (hosts.has(normaliseHost(hostname))) return;
    for (const text of addresses) {
      const address = parseIp(text);
      if (!address || (isBlockedAddress(address) && !allowedAddress(address))) throw notAllowed();
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
    // Plain http is decided before any DNS answer is looked at, so that its
    // refusal says the same for an internal name and a public one.
    if (
      url.protocol !== 'https:' &&
      !hosts.has(normaliseHost(hostname)) &&
      (literal ? !allowedAddress(literal) : ranges.length === 0)
    ) {
      throw new TargetRefusedError('https_required', 'the endpoint URL must use https');
    }
    let addresses: string[];
    if (literal) {
      addresses = [literal.toString()];
    } else if (
      checkOptions.deferResolution &&
      (url.protocol === 'https:' || hosts.has(normaliseHost(hostname)))
    ) {
      return { url, addresses: [] };
    } else {
      // Over http only allowlisted addresses could pass: say https_required,
      // as for a public host, rather than reveal what the name resolves to.
      const refuse = () =>
        url.protocol === 'https:' || hosts.has(normaliseHost(hostname))
          ? notAllowed()
          : new TargetRefusedError('https_required', 'the endpoint URL must use https');
      try {
        addresses = (await resolve(hostname)).map((a) => a.address);
      } catch {
        throw refuse();
      }
      if (addresses.length === 0) throw refuse();
    }
    const allowlisted =
      hosts.has(normaliseHost(hostname)) ||
      addresses.every((a) => {
        const address = parseIp(a);
        return address !== undefined && allowedAddress(address);
      });
    if (url.protocol !== 'https:' && !allowlisted) {
      throw new TargetRefusedError('https_required', 'the endpoint URL must use https');
    }
    vet(hostname, addresses);
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
          callback(notAllowed(), []);
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
