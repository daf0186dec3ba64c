/**
 * Bringing stored leads under the active key: rows stored in clear before
 * leads were encrypted (`pii_kid` null) and rows under a key no longer
 * first in `PII_ENCRYPTION_KEYS`. The imports feature runs it as a
 * background job on every scheduler pass; each batch is one transaction
 * over rows locked `FOR UPDATE SKIP LOCKED`, so processes share the work
 * and an interrupted run resumes where it stopped.
 */
import type { Kysely } from 'kysely';
import { reencryptStaleRows } from '../crypto/reencrypt-rows.ts';
import type { DB } from '../db/schema.ts';
import { openLead, sealLead } from './pii.ts';

/**
 * Encrypts (or re-encrypts) up to `batch` stale leads; returns how many.
 *
 * @example
 * while ((await reencryptLeads(db, { batch: 500 })) > 0) {}
 */
export function reencryptLeads(db: Kysely<DB>, options: { batch: number }): Promise<number> {
  return reencryptStaleRows(db, 'leads', options.batch, (ring, row) =>
    sealLead(ring, openLead(ring, row)),
  );
}
