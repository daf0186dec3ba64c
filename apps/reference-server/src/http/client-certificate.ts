/**
 * The TLS client certificate of a request (finding 18): its SHA-256
 * fingerprint when the server terminates TLS itself (`TLS_CERT_FILE`) and
 * the client presented a certificate that verified against
 * `TLS_CLIENT_CA_FILE`. Plain HTTP, no certificate, or one the CA bundle
 * does not vouch for: undefined. Headers are never read for it.
 */
import { createHash } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { Context } from 'hono';

/**
 * The verified client certificate's fingerprint (hex SHA-256 of its DER), or undefined.
 *
 * @example
 * clientCertificateFingerprint(c); // '3f0c…'
 */
export function clientCertificateFingerprint(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: Partial<TLSSocket> } } | undefined;
  const socket = env && typeof env === 'object' ? env.incoming?.socket : undefined;
  if (socket?.authorized !== true || typeof socket.getPeerCertificate !== 'function') {
    return undefined;
  }
  const raw = socket.getPeerCertificate().raw;
  return raw ? createHash('sha256').update(raw).digest('hex') : undefined;
}
