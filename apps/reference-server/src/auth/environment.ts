/**
 * Sandbox and production never mix (finding 19). Every credential carries
 * the environment of the server that issued it: API keys and OAuth client
 * secrets in their prefix (`cbk_live_…`, `cbk_test_…`, `cbs_live_…`,
 * `cbs_test_…`), access tokens in their `env` claim. A server started with
 * `SERVER_ENVIRONMENT=test` refuses live credentials and a live server
 * refuses test ones, with 401 `environment_mismatch`, before looking the
 * credential up: the prefix is not secret, and the answer tells a partner
 * which server the credential belongs to. Keys and secrets issued before
 * environments existed (`cbk_<random>`, `cbs_<random>`) and tokens without
 * `env` count as live.
 */
import type { CredentialEnvironment } from '../kernel/caller.ts';
import { ApiError } from '../kernel/problem.ts';

export type { CredentialEnvironment } from '../kernel/caller.ts';

/**
 * The values of `SERVER_ENVIRONMENT`.
 *
 * @example
 * z.enum(credentialEnvironments).default('live');
 */
export const credentialEnvironments = ['live', 'test'] as const;

/**
 * The prefix of a new secret: its kind (`cbk_` API key, `cbs_` client secret) and environment.
 *
 * @example
 * environmentPrefix('cbk_', 'test'); // 'cbk_test_'
 */
export function environmentPrefix(kind: string, environment: CredentialEnvironment): string {
  return `${kind}${environment}_`;
}

/**
 * The environment a key or client secret was issued in; older secrets without one are live.
 *
 * @example
 * secretEnvironment('cbk_test_Zm9v…'); // 'test'
 * secretEnvironment('cbk_Zm9v…'); // 'live'
 */
export function secretEnvironment(secret: string): CredentialEnvironment {
  return /^cb[ks]_test_/.test(secret) ? 'test' : 'live';
}

/**
 * Throws 401 `environment_mismatch` when a credential of `credential`'s
 * environment is presented to a server of `server`'s.
 *
 * @example
 * requireEnvironment('live', secretEnvironment(bearer));
 */
export function requireEnvironment(
  server: CredentialEnvironment,
  credential: CredentialEnvironment,
): void {
  if (server === credential) return;
  const where =
    credential === 'test'
      ? 'a test credential; send it to the sandbox server'
      : 'a live credential; send it to the production server';
  throw new ApiError(
    'environment_mismatch',
    `This server is the ${server === 'test' ? 'sandbox' : 'production'} environment and this is ${where}, or use a ${server} credential here.`,
    {
      headers: {
        'WWW-Authenticate': 'Bearer realm="clinicbridge", error="invalid_token"',
      },
    },
  );
}
