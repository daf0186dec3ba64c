/**
 * The database's own migrations: `0001-core` holds the tables of the kernel
 * (tenants, credentials, idempotency, events, audit) and of the first API
 * resources, which predate per-feature migrations. The scheduler brings
 * `0100-bus` (its queue and inbox); src/features.ts adds both to every
 * feature's `migrations`. Migrations are frozen once released, so these keep
 * their names and content; names sort in the order they run: `NNNN-feature-what`.
 * Later kernel changes come as `0002-core-…` and on.
 */
import type { Migration } from 'kysely/migration';
import { coreMigration } from './0001-core.ts';
import { idempotencyCredentialMigration } from './0002-core-idempotency-credential.ts';
import { idempotencySecretsMigration } from './0003-core-idempotency-secrets.ts';
import { auditChainMigration } from './0004-core-audit-chain.ts';
import { credentialAllowedIpsMigration } from './0004-core-credential-allowed-ips.ts';
import { patientPiiMigration } from './0005-core-patient-pii.ts';
import { credentialClientCertMigration } from './0006-core-credential-client-cert.ts';
import { credentialIntegrationMigration } from './0007-core-credential-integration.ts';
import { eventsNotifyAfterCommitMigration } from './0101-core-events-notify-after-commit.ts';
import { auditChainNextMigration } from './0102-core-audit-chain-next.ts';
import { messagingSenderQuotaMigration } from './0103-core-messaging-sender-quota.ts';

/**
 * The database's own migrations by name.
 *
 * @example
 * Object.keys(coreMigrations); // ['0001-core', '0002-core-idempotency-credential', '0003-core-idempotency-secrets', '0004-core-audit-chain', '0004-core-credential-allowed-ips', '0005-core-patient-pii', '0006-core-credential-client-cert']
 */
export const coreMigrations: Record<string, Migration> = {
  '0001-core': coreMigration,
  '0002-core-idempotency-credential': idempotencyCredentialMigration,
  '0003-core-idempotency-secrets': idempotencySecretsMigration,
  '0004-core-audit-chain': auditChainMigration,
  '0004-core-credential-allowed-ips': credentialAllowedIpsMigration,
  '0005-core-patient-pii': patientPiiMigration,
  '0006-core-credential-client-cert': credentialClientCertMigration,
  '0007-core-credential-integration': credentialIntegrationMigration,
  '0101-core-events-notify-after-commit': eventsNotifyAfterCommitMigration,
  '0102-core-audit-chain-next': auditChainNextMigration,
  '0103-core-messaging-sender-quota': messagingSenderQuotaMigration,
};

/**
 * The kernel's append-only tables: rows are inserted, never updated or
 * deleted. The server's own role gets SELECT and INSERT on them only.
 *
 * @example
 * coreAppendOnlyTables; // ['audit_events']
 */
export const coreAppendOnlyTables: readonly string[] = ['audit_events'];
