/**
 * W3C Trace Context. A caller's `traceparent` is forwarded unchanged; without
 * one, each call starts a trace of its own so its attempts share a trace id
 * and the server's logs can be joined to the client's.
 */

const valid = /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/;

function randomHex(bytes: number): string {
  const buf = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(buf);
  let out = '';
  for (const b of buf) out += b.toString(16).padStart(2, '0');
  return out;
}

/**
 * The caller's header when it is well-formed, else a new sampled trace.
 *
 * @example
 * resolveTraceparent(undefined); // '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
 */
export function resolveTraceparent(given: string | undefined): string {
  if (given && valid.test(given)) return given;
  return `00-${randomHex(16)}-${randomHex(8)}-01`;
}
