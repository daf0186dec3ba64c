/**
 * Removes secrets shown once from stored idempotent responses (issue #10,
 * finding 3): responses stored before the server stopped keeping them held
 * new API keys and `whsec_` signing secrets in clear for 24 hours. They are
 * rewritten as the server now stores them: without the secret, with
 * `secretShownOnce: true`. Irreversible by design.
 */
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and must not track today's DB type.
type AnyDb = Kysely<any>;

/** The operations whose responses held a secret, and its field (frozen with this migration). */
const SHOWN_ONCE: readonly [operationId: string, field: string][] = [
  ['integrationTokens.create', 'apiKey'],
  ['webhookEndpoints.create', 'secret'],
  ['webhookEndpoints.rotateSecret', 'secret'],
];

async function up(db: AnyDb): Promise<void> {
  for (const [operationId, field] of SHOWN_ONCE) {
    await sql`
      update idempotency_keys
      set response_body = (response_body - ${field}::text) || jsonb_build_object('secretShownOnce', true)
      where operation_id = ${operationId} and jsonb_typeof(response_body) = 'object'
        and response_body ->> ${field}::text is not null`.execute(db);
  }
}

async function down(): Promise<void> {
  // Nothing to restore: the secrets are gone, as intended.
}

/**
 * The migration scrubbing secrets from `idempotency_keys.response_body`.
 *
 * @example
 * const migrations = { '0003-core-idempotency-secrets': idempotencySecretsMigration };
 */
export const idempotencySecretsMigration: Migration = { up, down };
