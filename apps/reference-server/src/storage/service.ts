/**
 * Keeping files for a tenant: the bytes go to the object store, a row in
 * `storage_objects` says whose they are, what they are for, their hash and
 * how long they must be kept. Features call these instead of the store
 * directly when the file is part of their record (an export snapshot, an
 * e-invoice PDF, a patient document).
 */
import type { ObjectStorage, StoredObject } from '@clinicbridge/adapters';
import type { Kysely } from 'kysely';
import type { DB, Row } from '../db/schema.ts';
import { ApiError } from '../kernel/problem.ts';

/**
 * A file to keep.
 *
 * @example
 * const file: KeepObject = { tenantId, key: `invoices/${ettn}.pdf`, purpose: 'e_invoice', body: pdf, contentType: 'application/pdf', retainUntil };
 */
export interface KeepObject {
  tenantId: string;
  key: string;
  purpose: string;
  body: Uint8Array | AsyncIterable<Uint8Array>;
  contentType?: string;
  /** Deletion is refused until then. */
  retainUntil?: Date;
  maxBytes?: number;
}

/**
 * Stores the bytes, then records the row in `db` (the caller's transaction,
 * so the row commits with the change that needed the file). A rolled-back
 * transaction leaves an unreferenced object in the store, never a row
 * without its bytes.
 *
 * @example
 * const row = await keepObject(trx, providers.storage, { tenantId, key, purpose: 'export', body: bytes, now });
 */
export async function keepObject(
  db: Kysely<DB>,
  storage: ObjectStorage,
  file: KeepObject & { now: Date },
): Promise<Row<'storage_objects'>> {
  const stored = await storage.put(file.key, file.body, {
    ...(file.contentType ? { contentType: file.contentType } : {}),
    ...(file.maxBytes !== undefined ? { maxBytes: file.maxBytes } : {}),
  });
  return recordStoredObject(db, {
    tenantId: file.tenantId,
    purpose: file.purpose,
    stored,
    ...(file.retainUntil ? { retainUntil: file.retainUntil } : {}),
    now: file.now,
  });
}

/**
 * Records an object already in the store (a presigned upload, after
 * `storage.head` confirmed it).
 *
 * @example
 * const head = await storage.head(key);
 * if (head) await recordStoredObject(trx, { tenantId, purpose: 'import_upload', stored: head, now });
 */
export async function recordStoredObject(
  db: Kysely<DB>,
  input: { tenantId: string; purpose: string; stored: StoredObject; retainUntil?: Date; now: Date },
): Promise<Row<'storage_objects'>> {
  return db
    .insertInto('storage_objects')
    .values({
      key: input.stored.key,
      tenant_id: input.tenantId,
      purpose: input.purpose,
      size: input.stored.size,
      sha256: input.stored.sha256 ?? '',
      content_type: input.stored.contentType ?? null,
      retain_until: input.retainUntil ?? null,
      created_at: input.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * The tenant's kept object, or 404.
 *
 * @example
 * const row = await requireStoredObject(db, tenantId, key);
 */
export async function requireStoredObject(
  db: Kysely<DB>,
  tenantId: string,
  key: string,
): Promise<Row<'storage_objects'>> {
  const row = await db
    .selectFrom('storage_objects')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('key', '=', key)
    .executeTakeFirst();
  if (!row) throw new ApiError('not_found', 'No such file for this tenant.');
  return row;
}

/**
 * Deletes a kept object: its row first (refused while retained, by the
 * database as well as here), then its bytes.
 *
 * @example
 * await removeObject(db, providers.storage, tenantId, key, new Date());
 */
export async function removeObject(
  db: Kysely<DB>,
  storage: ObjectStorage,
  tenantId: string,
  key: string,
  now: Date,
): Promise<void> {
  const row = await requireStoredObject(db, tenantId, key);
  if (row.retain_until && row.retain_until > now) {
    throw new ApiError(
      'conflict',
      `This file must be kept until ${row.retain_until.toISOString().slice(0, 10)}; it cannot be deleted before.`,
    );
  }
  await db
    .deleteFrom('storage_objects')
    .where('tenant_id', '=', tenantId)
    .where('key', '=', key)
    .execute();
  await storage.delete(key);
}
