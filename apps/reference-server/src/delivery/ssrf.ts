/**
 * SSRF guard for webhook targets. A partner-supplied URL must not let a
 * tenant make the server call its own network: loopback, private, link-local,
 * multicast and reserved addresses are refused, including when hidden inside
 * IPv6 (IPv4-mapped, IPv4-translated, NAT64) or behind a DNS name: only
 * `unicast` addresses by the IANA special-purpose registries pass (see ip.ts). The check runs when an
 * endpoint is created and again on every connection (see `lookupForPort`),
 * because a name can be re-pointed after it was accepted.
 * `WEBHOOK_TARGET_ALLOWLIST` opens explicit exceptions, each for a host (or
 * address range) on named ports (see allowlist.ts).
 */

import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import {
  allowsAddress,
  allowsHost,
  effectivePort,
  hasAddressEntryFor,
  parseAllowlist,
} from './allowlist.ts';
import { embeddedIpv4, type IpAddress, isPublicAddress, parseIp } from './ip.ts';

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
 * const options: TargetGuardOptions = { allowlist: ['127.0.0.1:8080', '10.0.0.0/8:8000-8999'] };
 */
export interface TargetGuardOptions {
  /** `host:port` or `host:from-to` entries (host names, IPs, CIDRs) that may be private and plain HTTP. */
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
  /**
   * The verdict rested on a DNS answer taken by this check, so the same URL
   * may be judged otherwise later. False for an IP literal and for a
   * resolution deferred to the connection: the verdict is then the URL's own
   * under this guard, and a caller may keep it.
   */
  readonly resolvedNow: boolean;
}

/**
 * Node's `lookup` signature, as `net.connect` calls it.
 *
 * @example
 * const lookup: ConnectLookup = guard.lookupForPort(443);
 */
export type ConnectLookup = LookupFunction;

/**
 * The guard: a pre-flight check and a connection-time lookup.
 *
 * @example
 * const guard: TargetGuard = createTargetGuard({ allowlist: ['localhost:8080'] });
 */
export interface TargetGuard {
  /**
   * Validates a URL and its resolved addresses; throws {@link TargetRefusedError}.
   * With `deferResolution`, a public-looking host name is not resolved here
   * because `lookupForPort` vets its addresses when the socket opens (the
   * delivery hot path then costs no extra DNS round trip).
   */
  check(url: string, options?: { deferResolution?: boolean }): Promise<CheckedTarget>;
  /**
   * A `lookup` for `net.connect` to `port` that refuses blocked addresses at
   * connect time. Per port because allowlist exceptions are per port and
   * Node's lookup is not told the port it resolves for.
   */
  lookupForPort(port: number): ConnectLookup;
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

/**
 * Creates the guard; throws {@link AllowlistEntryError} for an allowlist
 * entry without a port (see allowlist.ts).
 *
 * @example
 * const guard = createTargetGuard({ allowlist: ['127.0.0.1:8080', 'localhost:9000-9100'] });
 * await guard.check('https://partner.example/hooks');
 */
export function createTargetGuard(options: TargetGuardOptions = {}): TargetGuard {
  const entries = parseAllowlist((options.allowlist ?? []).join(','));
  const resolve = options.resolve ?? systemResolve;
  const allowedAddress = (address: IpAddress, port: number) =>
    allowsAddress(entries, address, embeddedIpv4(address), port);

  /** Addresses that may be dialled for this host and port; throws when any is refused. */
  const vet = (hostname: string, port: number, addresses: readonly string[]): void => {
    if (allowsHost(entries, hostname, port)) return;
    for (const text of addresses) {
      const address = parseIp(text);
      if (!address || (isBlockedAddress(address) && !allowedAddress(address, port))) {
        throw notAllowed();
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
        'the endpoint URL must use https (or http for an allowlisted host and port)',
      );
    }
    if (url.username !== '' || url.password !== '') {
      throw new TargetRefusedError('invalid_url', 'the endpoint URL must not carry credentials');
    }
    const hostname = url.hostname;
    const port = effectivePort(url);
    const named = allowsHost(entries, hostname, port);
    const literal = parseIp(hostname);
    const httpsRequired = () =>
      new TargetRefusedError('https_required', 'the endpoint URL must use https');
    // Plain http is decided before any DNS answer is looked at, so that its
    // refusal says the same for an internal name and a public one.
    if (
      url.protocol !== 'https:' &&
      !named &&
      (literal ? !allowedAddress(literal, port) : !hasAddressEntryFor(entries, port))
    ) {
      throw httpsRequired();
    }
    let addresses: string[];
    if (literal) {
      addresses = [literal.toString()];
    } else if (checkOptions.deferResolution && (url.protocol === 'https:' || named)) {
      return { url, addresses: [], resolvedNow: false };
    } else {
      // Over http only allowlisted addresses could pass: say https_required,
      // as for a public host, rather than reveal what the name resolves to.
      const refuse = () => (url.protocol === 'https:' || named ? notAllowed() : httpsRequired());
      try {
        addresses = (await resolve(hostname)).map((a) => a.address);
      } catch {
        throw refuse();
      }
      if (addresses.length === 0) throw refuse();
    }
    const allowlisted =
      named ||
      addresses.every((a) => {
        const address = parseIp(a);
        return address !== undefined && allowedAddress(address, port);
      });
    if (url.protocol !== 'https:' && !allowlisted) throw httpsRequired();
    vet(hostname, port, addresses);
    return { url, addresses, resolvedNow: literal === undefined };
  };

  const lookupForPort =
    (port: number): ConnectLookup =>
    (hostname, lookupOptions, callback) => {
      resolve(hostname).then(
        (found) => {
          try {
            vet(
              hostname,
              port,
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

  return { check, lookupForPort };
}
