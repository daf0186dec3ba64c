/**
 * Bringing stored patients under the active key: rows written before
 * encryption (plaintext, `pii_kid` null) and rows encrypted under a key
 * that is no longer first in `PII_ENCRYPTION_KEYS`. The patients feature
 * runs it as a background job on every scheduler pass; `pii rotate-key`
 * runs it to the end. Each batch is one transaction over rows locked
 * `FOR UPDATE SKIP LOCKED`, so processes share the work and an interrupted
 * run resumes where it stopped. Rows under a key the ring no longer holds
 * are left alone (they cannot be opened; `pii status` counts them).
 */
import { type Kysely, sql } from 'kysely';
import { reencryptStaleRows } from '../crypto/reencrypt-rows.ts';
import type { DB } from '../db/schema.ts';
import { openPatient, sealPatient } from './pii.ts';

/**
 * Re-encrypts up to `batch` stale patients; returns how many.
 *
 * @example
 * while ((await reencryptPatients(db, { batch: 500 })) > 0) {}
 */
export function reencryptPatients(db: Kysely<DB>, options: { batch: number }): Promise<number> {
  return reencryptStaleRows(db, 'patients', options.batch, (ring, row) =>
    sealPatient(ring, openPatient(ring, row)),
  );
}

/**
 * Patients by the key their data is stored under (`plaintext` for rows not yet encrypted).
 *
 * @example
 * await piiKeyUsage(db); // { 'k-2026-12': 1200, 'k-2026-06': 3, plaintext: 0 }
 */
export async function piiKeyUsage(db: Kysely<DB>): Promise<Record<string, number>> {
  const { rows } = await sql<{ kid: string | null; count: number }>`
    select pii_kid as kid, count(*)::int as count from patients group by pii_kid order by pii_kid`.execute(
    db,
  );
  return Object.fromEntries(rows.map((r) => [r.kid ?? 'plaintext', Number(r.count)]));
}
