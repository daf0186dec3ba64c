/**
 * The network address a request comes from, for the IP allowlists of
 * credentials (finding 18): the connection's remote address, or — only when
 * the operator sets `TRUST_PROXY` — the left-most `X-Forwarded-For` entry,
 * the client as the first proxy saw it. Without `TRUST_PROXY` the header is
 * ignored, since any client reaching the server directly could write it.
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/**
 * The request's client address, or undefined when it cannot be known (a
 * request not served from a socket, such as `app.request()` in a test, or a
 * forwarded entry that is not an address). An allowlisted credential is
 * refused from an unknown address.
 *
 * @example
 * clientAddress(c, config.TRUST_PROXY); // '203.0.113.7'
 */
export function clientAddress(c: Context, trustProxy: boolean): string | undefined {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for');
    if (forwarded !== undefined) return forwardedClient(forwarded);
  }
  return socketAddress(c);
}

/**
 * The left-most entry of an `X-Forwarded-For` value, or undefined when it
 * is empty. Brackets around IPv6 and a port are tolerated.
 *
 * @example
 * forwardedClient('203.0.113.7, 10.0.0.2'); // '203.0.113.7'
 */
export function forwardedClient(value: string): string | undefined {
  let first = value.split(',')[0]?.trim() ?? '';
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(first);
  if (bracketed?.[1]) first = bracketed[1];
  else if (/^[\d.]+:\d+$/.test(first)) first = first.slice(0, first.indexOf(':'));
  return first === '' ? undefined : first;
}

function socketAddress(c: Context): string | undefined {
  // Only @hono/node-server provides the incoming socket; anything else has no address.
  if (!c.env || typeof c.env !== 'object') return undefined;
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}
