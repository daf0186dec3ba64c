/**
 * Bringing stored leads under the active key: rows stored in clear before
 * leads were encrypted (`pii_kid` null) and rows under a key no longer
 * first in `PII_ENCRYPTION_KEYS`. The imports feature runs it as a
 * background job on every scheduler pass; each batch is one transaction
 * over rows locked `FOR UPDATE SKIP LOCKED`, so processes share the work
 * and an interrupted run resumes where it stopped.
 */
import type { Kysely } from 'kysely';
import { findKeyRing } from '../crypto/keys.ts';
import type { DB } from '../db/schema.ts';
import { openLead, sealLead } from './pii.ts';

/**
 * Encrypts (or re-encrypts) up to `batch` stale leads; returns how many.
 *
 * @example
 * while ((await reencryptLeads(db, { batch: 500 })) > 0) {}
 */
export async function reencryptLeads(db: Kysely<DB>, options: { batch: number }): Promise<number> {
  const ring = findKeyRing(db);
  if (!ring) return 0;
  const retired = [...ring.keks.keys()].filter((kid) => kid !== ring.activeKid);
  return db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('leads')
      .selectAll()
      .where((eb) =>
        retired.length > 0
          ? eb.or([eb('pii_kid', 'is', null), eb('pii_kid', 'in', retired)])
          : eb('pii_kid', 'is', null),
      )
      .orderBy('id')
      .limit(options.batch)
      .forUpdate()
      .skipLocked()
      .execute();
    for (const row of rows) {
      await trx
        .updateTable('leads')
        .set(sealLead(ring, openLead(ring, row)))
        .where('id', '=', row.id)
        .execute();
    }
    return rows.length;
  });
}
