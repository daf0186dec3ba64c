/**
 * Server configuration from the environment, parsed with zod at start.
 * Every variable may instead be read from a file named by `<NAME>_FILE`
 * (Docker/Kubernetes secrets). Each feature owns a section — a zod object —
 * and `loadConfig` merges the sections, so adding a feature's variables
 * never touches this file's schema:
 *
 *   export const webhookConfig = z.object({ WEBHOOK_TIMEOUT_MS: z.coerce.number().default(10_000) });
 *   const config = loadConfig(process.env, [webhookConfig]);
 *
 * Error messages name the variable and what is expected, never its value
 * (it may be a secret).
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { originList } from './origins.ts';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/**
 * The core variables and their documented defaults.
 *
 * @example
 * coreConfig.parse({ PORT: '9000' }).PORT; // 9000
 */
export const coreConfig = z.object({
  /** Port to listen on. */
  PORT: z.coerce.number().int().min(1).max(65_535).default(8080),
  /** Interface to bind. */
  HOST: z.string().min(1).default('0.0.0.0'),
  /** `postgres://…` switches storage from embedded PGlite to PostgreSQL. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  /**
   * PostgreSQL only: the role that owns the schema and runs migrations. When
   * set, DATABASE_URL's role gets only the grants the server needs (no
   * TRUNCATE, no UPDATE or DELETE on append-only tables, owns nothing).
   * Unset: one role does both (weaker; see docs/security.md, finding 16).
   */
  MIGRATION_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  /** PGlite data directory when DATABASE_URL is not set. */
  DATA_DIR: z.string().min(1).default('./.data'),
  /** PostgreSQL pool size. */
  DATABASE_POOL_SIZE: positiveInt(10),
  /**
   * Key-encryption keys of personal data at rest, `kid:base64key,…` (32-byte
   * keys; the first encrypts, every one decrypts). Required on PostgreSQL;
   * PGlite without it keeps a development key in DATA_DIR.
   */
  PII_ENCRYPTION_KEYS: z.string().min(1).optional(),
  /** HMAC key (32 bytes, base64) of the blind indexes that find patients by email or phone. */
  PII_INDEX_KEY: z.string().min(1).optional(),
  /** Public base URL: OAuth issuer, the base of the token audience, and the origin `/ops` forms post from. */
  PUBLIC_URL: z.url().optional(),
  /**
   * Behind a reverse proxy that sets them: honour `X-Forwarded-Proto` and
   * `X-Forwarded-Host` when deciding the server's own origin (the `/ops`
   * same-origin check). Off by default: a client could otherwise set them.
   */
  TRUST_PROXY: bool.default(false),
  /**
   * Serve HTTPS: the server's certificate chain and key (PEM; usually as
   * `TLS_CERT_FILE` / `TLS_KEY_FILE`). Unset: plain HTTP (TLS at a proxy).
   */
  TLS_CERT: z.string().min(1).optional(),
  TLS_KEY: z.string().min(1).optional(),
  /**
   * CA bundle (PEM) that signs partners' client certificates: with it, the
   * server asks every TLS client for a certificate, and credentials pinned
   * to one (finding 18) accept only connections that presented it.
   */
  TLS_CLIENT_CA: z.string().min(1).optional(),
  /** Exact origins whose browser pages may call the API (CORS); empty: no CORS headers. */
  CORS_ORIGINS: originList,
  /** pino level. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Largest request body accepted, in bytes. */
  BODY_LIMIT_BYTES: positiveInt(1_048_576),
  /** Requests per minute per credential of the `standard` tier. */
  RATE_LIMIT_STANDARD_PER_MINUTE: positiveInt(600),
  /** Requests per minute per credential of the `high` tier. */
  RATE_LIMIT_HIGH_PER_MINUTE: positiveInt(6_000),
  /** Shared Redis for rate-limit buckets and provider tokens across processes; unset keeps them per process. */
  REDIS_URL: z.string().min(1).optional(),
  /** Prefix of every Redis key this server writes (several deployments may share one Redis). */
  REDIS_KEY_PREFIX: z.string().min(1).max(64).default('clinicbridge:'),
  /** Lifetime of OAuth access tokens. */
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
  /** How long SIGTERM waits for in-flight requests before closing anyway. */
  SHUTDOWN_TIMEOUT_MS: positiveInt(10_000),
  /**
   * `live` (production) or `test` (the sandbox). Credentials carry the
   * environment they were issued in (`cbk_live_…`, `cbk_test_…`, the JWT's
   * `env`), and a server refuses those of the other one (finding 19).
   */
  SERVER_ENVIRONMENT: z.enum(['live', 'test']).default('live'),
  /**
   * Create a demo tenant (and print its credentials once) when the database has no tenant.
   * Unset: yes on embedded PGlite, no on PostgreSQL (see {@link wantsDemoTenant}).
   */
  CREATE_DEMO_TENANT: bool.optional(),
});

/**
 * The parsed core configuration.
 *
 * @example
 * const { PORT, DATA_DIR }: CoreConfig = loadConfig();
 */
export type CoreConfig = z.infer<typeof coreConfig>;

/**
 * Thrown when the environment is invalid; `issues` has one line per bad variable.
 *
 * @example
 * try { loadConfig(); } catch (e) { if (e instanceof ConfigError) console.error(e.issues.join('\n')); }
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly issues: string[];
  constructor(issues: string[]) {
    super(`Invalid configuration:\n  ${issues.join('\n  ')}`);
    this.issues = issues;
  }
}

type Env = Record<string, string | undefined>;
type Section = z.ZodObject<z.ZodRawShape>;

/**
 * Parses the environment against the core section plus feature sections.
 * `<NAME>_FILE` is read (trimmed) when `<NAME>` is unset.
 *
 * @example
 * const config = loadConfig({ PORT: '8081', DATABASE_URL_FILE: '/run/secrets/db' });
 */
export function loadConfig<const S extends readonly Section[] = []>(
  env: Env = process.env,
  sections: S = [] as unknown as S,
): CoreConfig & UnionToIntersection<z.infer<S[number]>> {
  const shape: z.ZodRawShape = { ...coreConfig.shape };
  for (const section of sections) Object.assign(shape, section.shape);
  const issues: string[] = [];
  const input: Env = {};
  for (const name of Object.keys(shape)) {
    const fromFile = env[`${name}_FILE`];
    if (env[name] !== undefined && env[name] !== '') input[name] = env[name];
    else if (fromFile) {
      try {
        input[name] = readFileSync(fromFile, 'utf8').trim();
      } catch {
        issues.push(`${name}_FILE: cannot read the file it names; check the path and permissions`);
      }
    }
  }
  const result = z.object(shape).safeParse(input);
  if (!result.success) {
    for (const issue of result.error.issues) {
      issues.push(`${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
  }
  if (result.success && result.data.MIGRATION_DATABASE_URL && !result.data.DATABASE_URL) {
    issues.push(
      'MIGRATION_DATABASE_URL: needs DATABASE_URL too (two roles on one PostgreSQL); embedded PGlite has a single role',
    );
  }
  if (issues.length > 0 || !result.success) throw new ConfigError(issues);
  return result.data as CoreConfig & UnionToIntersection<z.infer<S[number]>>;
}

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (
  x: infer I,
) => void
  ? I
  : never;

/**
 * The public base URL: `PUBLIC_URL`, or `http://localhost:<PORT>`.
 *
 * @example
 * publicUrl(loadConfig({})); // 'http://localhost:8080'
 */
export function publicUrl(config: CoreConfig): string {
  return (config.PUBLIC_URL ?? `http://localhost:${config.PORT}`).replace(/\/+$/, '');
}

/**
 * Whether `start` creates a demo tenant in an empty database: as configured, or,
 * when `CREATE_DEMO_TENANT` is unset, only on embedded PGlite, so a PostgreSQL
 * deployment never gets an all-scope tenant whose secrets land in its logs.
 *
 * @example
 * wantsDemoTenant({ CREATE_DEMO_TENANT: undefined }, 'postgres'); // false
 */
export function wantsDemoTenant(
  config: Pick<CoreConfig, 'CREATE_DEMO_TENANT'>,
  databaseKind: 'pglite' | 'postgres',
): boolean {
  return config.CREATE_DEMO_TENANT ?? databaseKind === 'pglite';
}
