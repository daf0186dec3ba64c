/**
 * Bringing a table's sealed rows under the active key: rows stored in clear
 * (`pii_kid` null) and rows under a key no longer first in
 * `PII_ENCRYPTION_KEYS`. Each batch is one transaction over rows locked
 * `FOR UPDATE SKIP LOCKED`, so processes share the work and an interrupted
 * run resumes where it stopped. Patients and leads both run through it.
 */
import type { Kysely } from 'kysely';
import type { DB, Row } from '../db/schema.ts';
import type { KeyRing } from './field-encryption.ts';
import { findKeyRing } from './keys.ts';

/** Tables whose personal data is one sealed `pii` document named by `pii_kid`. */
export type SealedTable = 'patients' | 'leads' | 'patient_devices';

/**
 * Re-seals up to `batch` stale rows of `table` with `reseal` (open the row,
 * seal it again); returns how many.
 *
 * @example
 * await reencryptStaleRows(db, 'leads', 500, (ring, row) => sealLead(ring, openLead(ring, row)));
 */
export async function reencryptStaleRows<T extends SealedTable>(
  db: Kysely<DB>,
  table: T,
  batch: number,
  reseal: (ring: KeyRing, row: Row<T>) => Partial<Row<T>>,
): Promise<number> {
  const ring = findKeyRing(db);
  if (!ring) return 0;
  const retired = [...ring.keks.keys()].filter((kid) => kid !== ring.activeKid);
  return db.transaction().execute(async (trx) => {
    const rows = (await trx
      .selectFrom(table as SealedTable)
      .selectAll()
      .where((eb) =>
        retired.length > 0
          ? eb.or([eb('pii_kid', 'is', null), eb('pii_kid', 'in', retired)])
          : eb('pii_kid', 'is', null),
      )
      .orderBy('id')
      .limit(batch)
      .forUpdate()
      .skipLocked()
      .execute()) as Row<T>[];
    for (const row of rows) {
      await trx
        .updateTable(table as SealedTable)
        .set(reseal(ring, row) as Partial<Row<SealedTable>>)
        .where('id', '=', (row as { id: string }).id)
        .execute();
    }
    return rows.length;
  });
}
