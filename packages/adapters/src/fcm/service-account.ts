/**
 * Google service-account credentials for FCM: the JWT assertion (RS256,
 * signed with jose) exchanged at Google's token endpoint for an access token
 * with the `firebase.messaging` scope.
 */
import { importPKCS8, SignJWT } from 'jose';
import { z } from 'zod';

/**
 * The fields of a service-account JSON key that are used.
 *
 * @example
 * const account = ServiceAccountSchema.parse(JSON.parse(await readFile(process.env.FCM_KEY_FILE!, 'utf8')));
 */
export const ServiceAccountSchema = z.object({
  project_id: z.string().min(1),
  client_email: z.email(),
  private_key: z.string().includes('PRIVATE KEY'),
  private_key_id: z.string().optional(),
  token_uri: z.url().default('https://oauth2.googleapis.com/token'),
});

/** @example const account: ServiceAccount = ServiceAccountSchema.parse(json); */
export type ServiceAccount = z.infer<typeof ServiceAccountSchema>;

/**
 * The OAuth2 scope FCM HTTP v1 needs.
 *
 * @example
 * FCM_SCOPE; // 'https://www.googleapis.com/auth/firebase.messaging'
 */
export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';

/**
 * A signer of fresh assertions for `account` (valid one hour, as Google allows).
 *
 * @example
 * const assertion = await serviceAccountAssertion(account, () => Date.now())();
 */
export function serviceAccountAssertion(
  account: ServiceAccount,
  now: () => number = Date.now,
): () => Promise<string> {
  let key: Promise<CryptoKey> | undefined;
  return async () => {
    key ??= importPKCS8(account.private_key, 'RS256');
    const issuedAt = Math.floor(now() / 1000);
    return new SignJWT({ scope: FCM_SCOPE })
      .setProtectedHeader({
        alg: 'RS256',
        typ: 'JWT',
        ...(account.private_key_id ? { kid: account.private_key_id } : {}),
      })
      .setIssuer(account.client_email)
      .setAudience(account.token_uri)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + 3600)
      .sign(await key);
  };
}
