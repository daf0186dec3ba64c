/**
 * Mutual TLS for partner credentials (finding 18): a credential may pin
 * the SHA-256 fingerprint of a client certificate, and is then accepted
 * only on a connection that presented that certificate and had it verified
 * against `TLS_CLIENT_CA_FILE`. Checked after the credential is proven, like
 * the IP allowlist, so the refusal tells only a holder of the credential
 * what is missing. Behind a TLS-terminating proxy the server sees no
 * certificate: mutual TLS is then the proxy's job, and a pinned credential
 * cannot be used (no forwarded-certificate header is trusted).
 */
import { createHash, X509Certificate } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { auditChange, type ChangeContext } from '../kernel/change.ts';
import { ApiError } from '../kernel/problem.ts';

/**
 * A fingerprint as stored: 64 lower-case hex digits. Accepts `AB:CD:…`
 * (as `openssl x509 -fingerprint -sha256` prints it) or plain hex; else null.
 *
 * @example
 * normaliseFingerprint('AB:CD:…'); // 'abcd…'
 */
export function normaliseFingerprint(text: string): string | null {
  const hex = text
    .trim()
    .replace(/^sha256 fingerprint=/i, '')
    .replace(/:/g, '')
    .toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : null;
}

/**
 * The SHA-256 fingerprint of a PEM certificate.
 *
 * @example
 * certificateFingerprint(readFileSync('partner.pem', 'utf8')); // '3f0c…'
 */
export function certificateFingerprint(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
}

/**
 * Throws 403 `client_certificate_required` / `client_certificate_mismatch`
 * unless the connection presented the certificate `pin` names (no pin: any).
 *
 * @example
 * requirePinnedCertificate(row.client_cert_sha256, presentedFingerprint);
 */
export function requirePinnedCertificate(pin: string | null, presented: string | undefined): void {
  if (pin === null) return;
  if (presented === undefined) {
    throw new ApiError(
      'client_certificate_required',
      'This credential is pinned to a TLS client certificate: connect over HTTPS with it.',
    );
  }
  if (presented !== pin) {
    throw new ApiError(
      'client_certificate_mismatch',
      'The TLS client certificate is not the one pinned to this credential.',
    );
  }
}

/**
 * Pins a certificate fingerprint to an API key or OAuth client of the
 * tenant (null removes the pin); false when there is no such credential.
 *
 * @example
 * await pinClientCertificate(trx, change, { kind: 'api_key', id: 'tok_…' }, fingerprint);
 */
export async function pinClientCertificate(
  db: Kysely<DB>,
  change: ChangeContext,
  credential: { kind: 'api_key' | 'oauth_client'; id: string },
  fingerprint: string | null,
): Promise<boolean> {
  const table = credential.kind === 'api_key' ? 'api_keys' : 'oauth_clients';
  const result = await db
    .updateTable(table as 'api_keys')
    .set({ client_cert_sha256: fingerprint })
    .where('tenant_id', '=', change.tenantId)
    .where('id', '=', credential.id)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) return false;
  await auditChange(
    db,
    change,
    `${credential.kind === 'api_key' ? 'integration_token' : 'oauth_client'}.client_certificate_pinned`,
    credential.kind === 'api_key' ? 'integration_token' : 'oauth_client',
    credential.id,
    { clientCertSha256: fingerprint },
  );
  return true;
}
