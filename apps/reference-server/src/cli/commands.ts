/**
 * The operator commands behind `clinicbridge-server`: each opens the same
 * database the server uses (DATA_DIR or DATABASE_URL), does one thing and
 * closes it. They print results; they never log secrets.
 */

import { readFile } from 'node:fs/promises';
import {
  scopes as allScopes,
  ipAllowlist,
  MAX_ALLOWED_IPS,
  parseScopeList,
  type Scope,
} from '@clinicbridge/sdk/contract';
import { type AuditChainReport, verifyAuditChain } from '../audit/verify.ts';
import {
  certificateFingerprint,
  normaliseFingerprint,
  pinClientCertificate,
} from '../auth/client-certificate.ts';
import { rotateSigningKey } from '../auth/signing-keys.ts';
import type { CoreConfig } from '../config/index.ts';
import { findKeyRing, resolveKeyRing } from '../crypto/keys.ts';
import { type Database, openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { type MoveReport, moveToPostgres } from '../db/move.ts';
import { serverFeatures, serverMigrations } from '../features.ts';
import { checkFacilityInput, FacilityInputError, registerFacility } from '../hl7/facilities.ts';
import { type MappingInput, MappingInputError, upsertMapping } from '../hl7/mappings.ts';
import type { ChangeContext } from '../kernel/change.ts';
import { isApiError } from '../kernel/problem.ts';
import { setEscrowPayee } from '../money/payouts.ts';
import { piiKeyUsage, reencryptPatients } from '../patients/reencrypt.ts';
import { migrateConfiguredDatabase, openConfiguredDatabase } from '../server.ts';
import { revokeOAuthClient, rotateOAuthClientSecret } from '../tenants/oauth-clients.ts';
import {
  type CreatedTenant,
  createOAuthClient,
  createTenant,
  tenantExists,
} from '../tenants/service.ts';
import { createIntegrationToken } from '../tokens/service.ts';
import { type SeededSandbox, seedSandbox } from './seed-sandbox.ts';

/**
 * A command's failure that the CLI prints as is and exits 1 on.
 *
 * @example
 * throw new CommandError('--name must be 1–200 characters');
 */
export class CommandError extends Error {
  override readonly name = 'CommandError';
}

async function withDatabase<T>(
  config: CoreConfig,
  fn: (database: Database) => Promise<T>,
): Promise<T> {
  const database = await openConfiguredDatabase(config);
  try {
    await migrateConfiguredDatabase(config, database, serverFeatures());
    return await fn(database);
  } finally {
    await database.close();
  }
}

/**
 * Applies pending migrations; returns the names applied.
 *
 * @example
 * await migrateCommand(config); // ['0001-core']
 */
export async function migrateCommand(config: CoreConfig): Promise<string[]> {
  const database = await openConfiguredDatabase(config);
  try {
    return await migrateConfiguredDatabase(config, database, serverFeatures());
  } finally {
    await database.close();
  }
}

/**
 * Copies the PGlite data directory (`DATA_DIR`) into the empty PostgreSQL
 * database at `targetUrl`, after migrating both: see src/db/move.ts. The
 * server must be stopped (the data directory is locked while it runs).
 *
 * @example
 * const report = await moveToPostgresCommand(config, 'postgres://clinicbridge@db/clinicbridge');
 */
export async function moveToPostgresCommand(
  config: CoreConfig,
  targetUrl: string,
): Promise<MoveReport & { keys: 'configured' | 'development' }> {
  if (config.DATABASE_URL) {
    throw new CommandError(
      'move-to-postgres reads the embedded PGlite data directory (DATA_DIR); unset DATABASE_URL and give the target with --to.',
    );
  }
  if (!/^postgres(ql)?:\/\//.test(targetUrl)) {
    throw new CommandError('--to must be a postgres:// URL');
  }
  // Personal data moves as it is stored: encrypted under the keys the trial used.
  const keys = await resolveKeyRing(config);
  const target = await openDatabase({ url: targetUrl });
  try {
    await migrateToLatest(target.db, serverMigrations);
  } finally {
    await target.close();
  }
  const source = await openDatabase({ dataDir: config.DATA_DIR });
  try {
    await migrateToLatest(source.db, serverMigrations);
    if (!source.pglite) throw new CommandError('DATA_DIR did not open as PGlite');
    const report = await moveToPostgres(source.pglite, targetUrl);
    return { ...report, keys: keys?.source === 'configured' ? 'configured' : 'development' };
  } finally {
    await source.close();
  }
}

/**
 * Creates a tenant with an admin API key (every scope) and an OAuth client.
 *
 * @example
 * const { tenantId, apiKey, clientId, clientSecret } = await createTenantCommand(config, 'Clinic A');
 */
export function createTenantCommand(config: CoreConfig, name: string): Promise<CreatedTenant> {
  if (name.trim() === '' || name.length > 200) {
    throw new CommandError('--name must be 1–200 characters');
  }
  return withDatabase(config, (database) =>
    createTenant(database.db, { name: name.trim(), environment: config.SERVER_ENVIRONMENT }),
  );
}

/**
 * What `create-token` prints.
 *
 * @example
 * const { id, apiKey, scopes }: CreatedTokenOutput = await createTokenCommand(config, { tenantId, scopes: 'read:events' });
 */
export interface CreatedTokenOutput {
  id: string;
  apiKey: string;
  scopes: Scope[];
  /** Present when `--allow-ip` restricted the token (finding 18). */
  allowedIps?: string[];
}

/**
 * The `--allow-ip` values (repeated, or comma-separated) as an allowlist,
 * checked by the contract's rule: 1–50 IPv4/IPv6 addresses or CIDR ranges.
 * Undefined when the flag is absent (any address).
 *
 * @example
 * parseAllowIp(['10.0.0.0/8,192.168.1.7', '2001:db8::/32']); // ['10.0.0.0/8', '192.168.1.7', '2001:db8::/32']
 */
export function parseAllowIp(values: readonly string[] | undefined): string[] | undefined {
  if (values === undefined || values.length === 0) return undefined;
  const entries = [...new Set(values.flatMap((v) => v.split(',')).map((e) => e.trim()))].filter(
    Boolean,
  );
  const parsed = ipAllowlist.safeParse(entries);
  if (!parsed.success) {
    throw new CommandError(
      `--allow-ip must list 1–${MAX_ALLOWED_IPS} IPv4/IPv6 addresses or CIDR ranges (e.g. 10.20.0.0/16,2001:db8::/32), without ports or brackets`,
    );
  }
  return parsed.data;
}

/**
 * Issues an API key for a tenant with the given scopes.
 *
 * @example
 * await createTokenCommand(config, { tenantId: 'ten_…', scopes: 'read:appointments,write:appointments' });
 */
export async function createTokenCommand(
  config: CoreConfig,
  input: {
    tenantId: string;
    scopes: string;
    name?: string;
    tier?: string;
    expiresAt?: string;
    allowIp?: string[];
  },
): Promise<CreatedTokenOutput> {
  const allowedIps = parseAllowIp(input.allowIp);
  const scopes = parseScopeList(input.scopes);
  if (!scopes || scopes.length === 0) {
    throw new CommandError(
      `--scopes must list known scopes, e.g. read:appointments; known: ${allScopes.join(', ')}`,
    );
  }
  if (input.tier !== undefined && input.tier !== 'standard' && input.tier !== 'high') {
    throw new CommandError('--tier must be standard or high');
  }
  if (input.expiresAt !== undefined && Number.isNaN(Date.parse(input.expiresAt))) {
    throw new CommandError('--expires-at must be an ISO 8601 timestamp');
  }
  return withDatabase(config, async (database) => {
    if (!(await tenantExists(database.db, input.tenantId))) {
      throw new CommandError(`no tenant ${input.tenantId}; create one with create-tenant`);
    }
    const token = await database.db.transaction().execute((trx) =>
      createIntegrationToken(
        trx,
        {
          tenantId: input.tenantId,
          actor: { type: 'operator', id: 'cli' },
          requestId: null,
          now: new Date(),
        },
        {
          name: input.name ?? 'CLI token',
          scopes,
          tier: input.tier as 'standard' | 'high' | undefined,
          expiresAt: input.expiresAt ? new Date(input.expiresAt).toISOString() : undefined,
          allowedIps,
          environment: config.SERVER_ENVIRONMENT,
        },
      ),
    );
    return {
      id: token.id,
      apiKey: token.apiKey,
      scopes: token.scopes,
      ...(token.allowedIps ? { allowedIps: token.allowedIps } : {}),
    };
  });
}

/**
 * What `create-client` prints.
 *
 * @example
 * const { clientId, clientSecret }: CreatedClientOutput = await createClientCommand(config, { tenantId, scopes: 'read:events' });
 */
export interface CreatedClientOutput {
  clientId: string;
  clientSecret: string;
  scopes: Scope[];
  /** Present when `--allow-ip` restricted the client (finding 18). */
  allowedIps?: string[];
}

/**
 * Registers an OAuth client (client-credentials grant) for a tenant with
 * the given scopes, optionally restricted to addresses; the secret is shown once.
 *
 * @example
 * await createClientCommand(config, { tenantId: 'ten_…', scopes: 'read:events', allowIp: ['10.20.0.0/16'] });
 */
export async function createClientCommand(
  config: CoreConfig,
  input: { tenantId: string; scopes: string; name?: string; tier?: string; allowIp?: string[] },
): Promise<CreatedClientOutput> {
  const allowedIps = parseAllowIp(input.allowIp);
  const scopes = parseScopeList(input.scopes);
  if (!scopes || scopes.length === 0) {
    throw new CommandError(
      `--scopes must list known scopes, e.g. read:events; known: ${allScopes.join(', ')}`,
    );
  }
  if (input.tier !== undefined && input.tier !== 'standard' && input.tier !== 'high') {
    throw new CommandError('--tier must be standard or high');
  }
  const tier = input.tier as 'standard' | 'high' | undefined;
  return withDatabase(config, async (database) => {
    if (!(await tenantExists(database.db, input.tenantId))) {
      throw new CommandError(`no tenant ${input.tenantId}; create one with create-tenant`);
    }
    const client = await database.db.transaction().execute((trx) =>
      createOAuthClient(
        trx,
        {
          tenantId: input.tenantId,
          actor: { type: 'operator', id: 'cli' },
          requestId: null,
          now: new Date(),
        },
        {
          name: input.name ?? 'CLI client',
          scopes,
          ...(tier ? { tier } : {}),
          allowedIps,
          environment: config.SERVER_ENVIRONMENT,
        },
      ),
    );
    return { ...client, scopes, ...(allowedIps ? { allowedIps } : {}) };
  });
}

/**
 * Revokes an OAuth client of a tenant, or gives it a new secret (shown once).
 * A revoked client's access tokens fail on their next request.
 *
 * @example
 * await oauthClientCommand(config, 'revoke', { tenantId: 'ten_…', clientId: 'cli_…' });
 * const { clientSecret } = await oauthClientCommand(config, 'rotate', { tenantId: 'ten_…', clientId: 'cli_…' });
 */
export function oauthClientCommand(
  config: CoreConfig,
  action: 'revoke' | 'rotate',
  input: { tenantId: string; clientId: string },
): Promise<{ clientId: string; status: string; clientSecret?: string }> {
  return withDatabase(config, (database) =>
    database.db.transaction().execute(async (trx) => {
      const change: ChangeContext = {
        tenantId: input.tenantId,
        actor: { type: 'operator', id: 'cli' },
        requestId: null,
        now: new Date(),
      };
      try {
        if (action === 'revoke') {
          const client = await revokeOAuthClient(trx, change, input.clientId);
          return { clientId: client.id, status: client.status };
        }
        const client = await rotateOAuthClientSecret(
          trx,
          change,
          input.clientId,
          config.SERVER_ENVIRONMENT,
        );
        return { clientId: client.id, status: client.status, clientSecret: client.clientSecret };
      } catch (error) {
        if (isApiError(error)) throw new CommandError(error.message);
        throw error;
      }
    }),
  );
}

/**
 * Fills a new test tenant with fake data (finding 19); refuses a live
 * configuration, whose server would refuse the test credentials anyway.
 *
 * @example
 * const { tenantId, apiKey } = await seedSandboxCommand({ ...config, SERVER_ENVIRONMENT: 'test' });
 */
export function seedSandboxCommand(config: CoreConfig, name?: string): Promise<SeededSandbox> {
  if (config.SERVER_ENVIRONMENT !== 'test') {
    throw new CommandError(
      'seed-sandbox runs only against a sandbox: set SERVER_ENVIRONMENT=test (and a database of its own, never the production one)',
    );
  }
  if (name !== undefined && (name.trim() === '' || name.length > 200)) {
    throw new CommandError('--name must be 1–200 characters');
  }
  return withDatabase(config, (database) =>
    seedSandbox(database.db, name === undefined ? {} : { name: name.trim() }),
  );
}

/**
 * Rotates the token signing key; the previous key keeps verifying until its tokens expire.
 *
 * @example
 * const kid = await rotateSigningKeyCommand(config);
 */
export function rotateSigningKeyCommand(config: CoreConfig): Promise<string> {
  return withDatabase(config, (database) => rotateSigningKey(database.db, new Date()));
}

/**
 * Sets the Stripe Connect account a tenant's released escrow tranches are
 * paid to, or removes it (`accountId: null`); needs Stripe configured.
 *
 * @example
 * await escrowPayeeCommand(config, { tenantId: 'ten_…', accountId: 'acct_1Clinic' });
 */
export async function escrowPayeeCommand(
  config: CoreConfig,
  input: { tenantId: string; accountId: string | null },
): Promise<{ tenantId: string; accountId: string | null }> {
  if (input.accountId !== null && !/^acct_[A-Za-z0-9]{1,100}$/.test(input.accountId))
    throw new CommandError('--account must be a Stripe Connect account id (acct_…)');
  if (input.accountId !== null && !(config as { STRIPE_SECRET_KEY?: string }).STRIPE_SECRET_KEY)
    throw new CommandError('payouts go through Stripe Connect: set STRIPE_SECRET_KEY first');
  return withDatabase(config, async (database) => {
    if (!(await tenantExists(database.db, input.tenantId)))
      throw new CommandError(`no tenant ${input.tenantId}`);
    await setEscrowPayee(database.db, input.tenantId, input.accountId, new Date());
    return input;
  });
}

/**
 * Pins a TLS client certificate to an API key (`tok_…`) or OAuth client
 * (`cli_…`) of the tenant, given as a PEM file or a SHA-256 fingerprint;
 * `unpin` removes it. Returns the stored fingerprint (null when removed).
 *
 * @example
 * await pinClientCertCommand(config, { tenantId: 'ten_…', credentialId: 'tok_…', certFile: 'partner.pem' });
 */
export async function pinClientCertCommand(
  config: CoreConfig,
  input: {
    tenantId: string;
    credentialId: string;
    certFile?: string;
    sha256?: string;
    unpin?: boolean;
  },
): Promise<{ credentialId: string; clientCertSha256: string | null }> {
  const kind = input.credentialId.startsWith('tok_')
    ? 'api_key'
    : input.credentialId.startsWith('cli_')
      ? 'oauth_client'
      : null;
  if (!kind)
    throw new CommandError('--credential must be an API key (tok_…) or OAuth client (cli_…) id');
  const given = [input.certFile, input.sha256, input.unpin || undefined].filter(Boolean).length;
  if (given !== 1)
    throw new CommandError('give exactly one of --cert FILE, --sha256 HEX or --unpin');
  let fingerprint: string | null = null;
  if (input.certFile) {
    try {
      fingerprint = certificateFingerprint(await readFile(input.certFile, 'utf8'));
    } catch {
      throw new CommandError('--cert must name a readable PEM certificate');
    }
  } else if (input.sha256) {
    fingerprint = normaliseFingerprint(input.sha256);
    if (!fingerprint) throw new CommandError('--sha256 must be 64 hex digits (colons allowed)');
  }
  return withDatabase(config, async (database) => {
    const pinned = await database.db.transaction().execute((trx) =>
      pinClientCertificate(
        trx,
        {
          tenantId: input.tenantId,
          actor: { type: 'operator', id: 'cli' },
          requestId: null,
          now: new Date(),
        },
        { kind, id: input.credentialId },
        fingerprint,
      ),
    );
    if (!pinned)
      throw new CommandError(`no credential ${input.credentialId} in tenant ${input.tenantId}`);
    return { credentialId: input.credentialId, clientCertSha256: fingerprint };
  });
}

/**
 * What `pii rotate-key` and `pii status` report: the active key, rows
 * re-encrypted by this run, and patients by the key they are stored under.
 *
 * @example
 * const report: PiiKeyReport = { activeKid: 'k2', reencrypted: 1200, keys: { k2: 1200 } };
 */
export interface PiiKeyReport {
  activeKid: string;
  reencrypted: number;
  keys: Record<string, number>;
}

/**
 * Re-encrypts every patient not under the active key (`rotate`), in
 * batches of `batch` rows, each committed: an interrupted run resumes.
 * Without `rotate` it only reports.
 *
 * @example
 * const { keys } = await piiKeysCommand(config, { rotate: true, batch: 500 });
 */
export function piiKeysCommand(
  config: CoreConfig,
  options: { rotate: boolean; batch: number },
): Promise<PiiKeyReport> {
  if (!Number.isInteger(options.batch) || options.batch < 1 || options.batch > 10_000) {
    throw new CommandError('--batch must be a whole number from 1 to 10000');
  }
  return withDatabase(config, async (database) => {
    const ring = findKeyRing(database.db);
    if (!ring) throw new CommandError('set PII_ENCRYPTION_KEYS and PII_INDEX_KEY first');
    let reencrypted = 0;
    while (options.rotate) {
      const done = await reencryptPatients(database.db, { batch: options.batch });
      if (done === 0) break;
      reencrypted += done;
    }
    return { activeKid: ring.activeKid, reencrypted, keys: await piiKeyUsage(database.db) };
  });
}

/**
 * Walks the audit log's hash chains (all tenants, or `tenantId`'s) and
 * reports the first broken row.
 *
 * @example
 * const { broken } = await auditVerifyCommand(config, {}); if (broken) process.exitCode = 1;
 */
export function auditVerifyCommand(
  config: CoreConfig,
  options: { tenantId?: string },
): Promise<AuditChainReport> {
  return withDatabase(config, (database) => verifyAuditChain(database.db, options));
}

/**
 * Parses a UTC offset written `+05:30`, `-0500` or `Z` into minutes.
 *
 * @example
 * parseUtcOffset('+05:30'); // 330
 */
export function parseUtcOffset(text: string): number {
  if (text === 'Z' || text === 'z') return 0;
  const match = /^([+-])(\d{2}):?(\d{2})$/.exec(text.trim());
  if (!match) throw new CommandError('--utc-offset must look like +05:30, -0500 or Z');
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === '-' ? -minutes : minutes;
}

/**
 * Registers (or updates) an HL7 sending facility for a tenant: the MSH-4
 * it sends, optionally its MSH-3 application, the addresses it may connect
 * from, its MSH-11 processing id and its clock's UTC offset.
 *
 * @example
 * await hl7FacilityCommand(config, { tenantId: 'ten_…', facility: 'CITYHOSP', allow: '10.20.0.0/16', utcOffset: '+05:30' });
 */
export async function hl7FacilityCommand(
  config: CoreConfig,
  input: {
    tenantId: string;
    facility: string;
    application?: string;
    allow: string;
    utcOffset?: string;
    processingId?: string;
  },
): Promise<{ facilityId: string }> {
  const allowedSources = input.allow
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (allowedSources.length === 0) {
    throw new CommandError(
      '--allow must list the addresses or CIDR ranges the facility sends from',
    );
  }
  const utcOffsetMinutes = input.utcOffset === undefined ? 0 : parseUtcOffset(input.utcOffset);
  const facility = {
    tenantId: input.tenantId,
    sendingFacility: input.facility,
    sendingApplication: input.application ?? null,
    allowedSources,
    processingId: input.processingId,
    utcOffsetMinutes,
  };
  try {
    checkFacilityInput(facility);
  } catch (error) {
    if (error instanceof FacilityInputError) throw new CommandError(error.message);
    throw error;
  }
  return withDatabase(config, async (database) => {
    if (!(await tenantExists(database.db, input.tenantId))) {
      throw new CommandError(`no tenant ${input.tenantId}; create one with create-tenant`);
    }
    try {
      const facilityId = await registerFacility(database.db, facility, new Date());
      return { facilityId };
    } catch (error) {
      if (error instanceof FacilityInputError) throw new CommandError(error.message);
      throw error;
    }
  });
}

/**
 * Creates or replaces one HL7 code mapping of a tenant: a provider to a
 * clinician, a hospital service or ward to a department, a billable code
 * to a priced service.
 *
 * @example
 * await hl7MapCommand(config, { tenantId, kind: 'service', code: 'MED', ref: 'Ward stay', unit: 'day', price: '450000', currency: 'INR' });
 */
export async function hl7MapCommand(
  config: CoreConfig,
  input: {
    tenantId: string;
    kind: string;
    code: string;
    ref: string;
    label?: string;
    unit?: string;
    price?: string;
    currency?: string;
    taxBps?: string;
  },
): Promise<void> {
  let mapping: MappingInput;
  if (input.kind === 'provider') mapping = { kind: 'provider', code: input.code, ref: input.ref };
  else if (input.kind === 'department') {
    mapping = { kind: 'department', code: input.code, ref: input.ref, label: input.label };
  } else if (input.kind === 'service') {
    if (input.unit !== 'day' && input.unit !== 'each')
      throw new CommandError('--unit must be day or each');
    if (input.price === undefined || !/^\d{1,15}$/.test(input.price)) {
      throw new CommandError('--price must be whole minor units, e.g. 450000 for ₹4,500.00');
    }
    if (input.currency === undefined)
      throw new CommandError('--currency is required for a service');
    mapping = {
      kind: 'service',
      code: input.code,
      ref: input.ref,
      unit: input.unit,
      unitPrice: Number(input.price),
      currency: input.currency.toUpperCase(),
      taxRateBps: input.taxBps === undefined ? undefined : Number(input.taxBps),
    };
  } else throw new CommandError('--kind must be provider, department or service');
  await withDatabase(config, async (database) => {
    if (!(await tenantExists(database.db, input.tenantId))) {
      throw new CommandError(`no tenant ${input.tenantId}; create one with create-tenant`);
    }
    try {
      await upsertMapping(database.db, input.tenantId, mapping, new Date());
    } catch (error) {
      if (error instanceof MappingInputError) throw new CommandError(error.message);
      throw error;
    }
  });
}
