/**
 * `OPS_*` configuration of the operator pages: the HTTP Basic credentials
 * that guard `/ops` (the password also from `OPS_PASSWORD_FILE`), staff
 * sign-in by OIDC, the session cookie, and the staff directory reached over
 * gRPC. Without a way to sign in the pages answer 503 `ops_not_configured`:
 * they are never open.
 */
import * as z from 'zod';
import { durationMs } from '../config/duration.ts';

/** A comma-separated list of values, trimmed, empty ones dropped. */
const valueList = (fallback: string) =>
  z
    .string()
    .max(2_000)
    .default(fallback)
    .transform((text) =>
      text
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v.length > 0),
    );

/**
 * The `OPS_*` variables.
 *
 * @example
 * const config = loadConfig(process.env, [operatorConfig]);
 * config.OPS_USER; // 'ops'
 */
export const operatorConfig = z.object({
  /** User name of the operator pages' HTTP Basic login. */
  OPS_USER: z.string().min(1).max(100).default('ops'),
  /** Password of that login (at least 12 characters); unset keeps the pages closed. */
  OPS_PASSWORD: z.string().min(12).max(1_000).optional(),
  /** Issuer URL of the staff identity provider (OIDC); set it to sign staff in there. */
  OPS_OIDC_ISSUER: z.url().optional(),
  /** Client id of the console at that provider. */
  OPS_OIDC_CLIENT_ID: z.string().min(1).max(200).optional(),
  /** Client secret of the console at that provider (a confidential client). */
  OPS_OIDC_CLIENT_SECRET: z.string().min(1).max(1_000).optional(),
  /** Scopes asked for at sign-in. */
  OPS_OIDC_SCOPES: z.string().min(1).max(500).default('openid profile'),
  /** Claim holding the staff member's roles or groups (a dotted path reaches nested claims). */
  OPS_OIDC_ROLES_CLAIM: z
    .string()
    .regex(/^[A-Za-z0-9_:/.-]{1,200}$/)
    .default('roles'),
  /** Values of that claim that make a manager. */
  OPS_OIDC_MANAGER_VALUES: valueList('ops-manager'),
  /** Values of that claim that make a viewer. */
  OPS_OIDC_VIEWER_VALUES: valueList('ops-viewer'),
  /** Key material (32+ characters) the session cookie's signing key is derived from. */
  OPS_SESSION_SECRET: z.string().min(32).max(1_000).optional(),
  /** How long a staff sign-in lasts. */
  OPS_SESSION_TTL: durationMs('8h').pipe(
    z
      .number()
      .min(60_000)
      .max(7 * 86_400_000),
  ),
  /** `host:port` of the staff directory (gRPC); when set, Basic sign-ins and roles come from it. */
  OPS_STAFF_DIRECTORY_GRPC_URL: z
    .string()
    .regex(/^[A-Za-z0-9.[\]:-]{1,300}$/, 'must be host:port')
    .optional(),
  /** CA certificate(s) (PEM) of the staff directory's TLS certificate; with it the connection is TLS. */
  OPS_STAFF_DIRECTORY_TLS_CA: z.string().min(1).max(100_000).optional(),
  /** Deadline of one call to the staff directory. */
  OPS_STAFF_DIRECTORY_TIMEOUT: durationMs('3s').pipe(z.number().min(100).max(60_000)),
});

/**
 * The parsed `OPS_*` configuration.
 *
 * @example
 * const config: OperatorConfig = operatorConfig.parse({ OPS_PASSWORD: 'correct horse battery' });
 */
export type OperatorConfig = z.infer<typeof operatorConfig>;
