/**
 * Export snapshots. Each is generated once: rows in a total order, encoded,
 * hashed (SHA-256), kept in the object store and recorded with its
 * generator version, parameters and period (for a FHIR bulk export, with
 * how many patients and encounters the consent gate left out, judged at
 * generation time). A snapshot of a closed period
 * (one that ended before it was asked for) is never recalculated: asking
 * again returns the same snapshot, byte for byte, even after later payments.
 * Generation and every download are audited.
 */
import { createHash } from 'node:crypto';
import type { ObjectStorage } from '@clinicbridge/adapters';
import { type ExportJob, newId } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type { DB, Row } from '../db/schema.ts';
import type { ConsentGate } from '../fhir/consent.ts';
import { type Actor, auditChange, type ChangeContext, recordAudit } from '../kernel/change.ts';
import { listPage } from '../kernel/list.ts';
import { ApiError } from '../kernel/problem.ts';
import { requireOwned } from '../kernel/require-owned.ts';
import { keepObject } from '../storage/service.ts';
import { contentTypeOf, type ExportFormat } from './formats.ts';
import { type ExportKind, generateExport } from './generate.ts';

/** Changes whenever the bytes for the same rows would change (columns, order, encoding). */
export const EXPORT_GENERATOR_VERSION = 'clinicbridge-exports/2';

/**
 * What to export; `to` is exclusive.
 *
 * @example
 * const request: ExportRequest = { kind: 'payments', format: 'csv', from: '2026-11-01T00:00:00Z', to: '2026-12-01T00:00:00Z' };
 */
export interface ExportRequest {
  kind: ExportKind;
  format: ExportFormat;
  from?: string | undefined;
  to?: string | undefined;
}

/**
 * What exports need from the server.
 *
 * @example
 * const deps: ExportDeps = { storage: providers.storage, linkBase: '', maxRows: 100_000 };
 */
export interface ExportDeps {
  storage: ObjectStorage;
  /** Prefix of download links: PUBLIC_URL, or '' for a path under the API's own origin. */
  linkBase: string;
  maxRows: number;
  /**
   * The FHIR exchange's consent gate (set when the ABDM gateway is
   * configured): a FHIR bulk export leaves out the patients it holds back.
   */
  consentGate?: ConsentGate | undefined;
}

/**
 * Path of an export's file under the API root.
 *
 * @example
 * exportDownloadPath('exp_…'); // '/api/v1/exports/exp_…/download'
 */
export function exportDownloadPath(exportId: string): string {
  return `/api/v1/exports/${exportId}/download`;
}

/**
 * The public view of a snapshot.
 *
 * @example
 * const job = toExportJob(row, '');
 */
export function toExportJob(row: Row<'export_snapshots'>, linkBase: string): ExportJob {
  return {
    id: row.id as `exp_${string}`,
    kind: row.kind,
    format: row.format,
    status: 'completed',
    rowCount: row.row_count,
    downloadUrl: `${linkBase}${exportDownloadPath(row.id)}`,
    sha256: row.sha256,
    from: row.period_from?.toISOString() ?? null,
    to: row.period_to?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    completedAt: row.created_at.toISOString(),
  };
}

/**
 * Takes a snapshot, or returns the one already taken for the same closed period.
 *
 * @example
 * const job = await createExport(trx, change, deps, { kind: 'payments', format: 'csv', to: '2026-12-01T00:00:00Z' });
 */
export async function createExport(
  db: Kysely<DB>,
  change: ChangeContext,
  deps: ExportDeps,
  request: ExportRequest,
): Promise<ExportJob> {
  const from = request.from === undefined ? null : new Date(request.from);
  const to = request.to === undefined ? null : new Date(request.to);
  if (from && to && from >= to) {
    throw new ApiError(
      'validation_failed',
      '`from` must be before `to` (the period is [from, to)).',
    );
  }
  const closed = to !== null && to <= change.now;
  if (closed) {
    const taken = await db
      .selectFrom('export_snapshots')
      .selectAll()
      .where('tenant_id', '=', change.tenantId)
      .where('kind', '=', request.kind)
      .where('format', '=', request.format)
      .where('closed', '=', true)
      .where('period_to', '=', to)
      .where((eb) => (from ? eb('period_from', '=', from) : eb('period_from', 'is', null)))
      .executeTakeFirst();
    if (taken) return toExportJob(taken, deps.linkBase);
  }
  const { bytes, rowCount, withheld } = await generateExport(db, {
    kind: request.kind,
    format: request.format,
    scope: { tenantId: change.tenantId, from, to },
    now: change.now,
    maxRows: deps.maxRows,
    version: EXPORT_GENERATOR_VERSION,
    consentGate: deps.consentGate,
  });
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const id = newId('exp');
  const key = `exports/${change.tenantId}/${id}.${request.format}`;
  await keepObject(db, deps.storage, {
    tenantId: change.tenantId,
    key,
    purpose: 'export',
    body: bytes,
    contentType: contentTypeOf(request.format),
    now: change.now,
  });
  const parameters = {
    kind: request.kind,
    format: request.format,
    from: from?.toISOString() ?? null,
    to: to?.toISOString() ?? null,
    // How many the consent gate left out of a FHIR bulk export (counts only, never ids).
    ...(withheld ? { withheldForConsent: withheld } : {}),
  };
  const row: Row<'export_snapshots'> = {
    id,
    tenant_id: change.tenantId,
    kind: request.kind,
    format: request.format,
    period_from: from,
    period_to: to,
    closed,
    parameters,
    generator_version: EXPORT_GENERATOR_VERSION,
    sha256,
    size: bytes.byteLength,
    row_count: rowCount,
    storage_key: key,
    actor_type: change.actor.type,
    actor_id: change.actor.id,
    created_at: change.now,
  };
  await db
    .insertInto('export_snapshots')
    .values({ ...row, parameters: JSON.stringify(parameters) })
    .execute();
  await auditChange(db, change, 'export.created', 'export', id, {
    ...parameters,
    closed,
    sha256,
    rowCount: rowCount,
    generatorVersion: EXPORT_GENERATOR_VERSION,
  });
  return toExportJob(row, deps.linkBase);
}

/**
 * A snapshot of the tenant, or 404.
 *
 * @example
 * const job = await getExport(db, tenantId, 'exp_…', '');
 */
export async function getExport(
  db: Kysely<DB>,
  tenantId: string,
  id: string,
  linkBase: string,
): Promise<ExportJob> {
  return toExportJob(await requireOwned(db, 'export_snapshots', tenantId, id), linkBase);
}

/**
 * The tenant's snapshots, oldest first.
 *
 * @example
 * await listExports(db, tenantId, { limit: 20 }, '');
 */
export function listExports(
  db: Kysely<DB>,
  tenantId: string,
  query: { limit?: number | undefined; cursor?: string | undefined },
  linkBase: string,
) {
  return listPage(db, 'export_snapshots', tenantId, query, [], (row) => toExportJob(row, linkBase));
}

/**
 * The bytes of a snapshot, checked against its recorded SHA-256, with an audit row naming who downloaded it.
 *
 * @example
 * const file = await downloadExport(db, storage, { tenantId, actor, requestId, now }, 'exp_…');
 */
export async function downloadExport(
  db: Kysely<DB>,
  storage: ObjectStorage,
  who: { tenantId: string; actor: Actor; requestId: string; now: Date },
  id: string,
): Promise<{ bytes: Uint8Array; row: Row<'export_snapshots'> }> {
  const row = await requireOwned(db, 'export_snapshots', who.tenantId, id);
  const object = await storage.get(row.storage_key);
  if (!object)
    throw new ApiError('gone', 'The file of this export is no longer stored; take a new export.');
  const bytes = await readAll(object.body);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== row.sha256) {
    throw new ApiError(
      'internal_error',
      'The stored file does not match its recorded hash; report this export id.',
    );
  }
  await recordAudit(db, {
    tenantId: who.tenantId,
    actor: who.actor,
    action: 'export.downloaded',
    entityType: 'export',
    entityId: id,
    requestId: who.requestId,
    metadata: { sha256, size: bytes.byteLength },
    occurredAt: who.now,
  });
  return { bytes, row };
}

/** How long an export's signed link works: 15 minutes. */
export const EXPORT_LINK_SECONDS = 900;

/**
 * A short-lived signed link to a snapshot's bytes (the object store's
 * presigned GET: this server's `/storage/objects/…` or S3), audited as
 * `export.link_created` with who asked and until when it works. The link
 * itself is the credential, so it is handed only to a caller with
 * `read:exports`, and expires after {@link EXPORT_LINK_SECONDS}.
 *
 * @example
 * const { url, expiresAt } = await linkExport(db, storage, { tenantId, actor, requestId, now }, 'exp_…');
 */
export async function linkExport(
  db: Kysely<DB>,
  storage: ObjectStorage,
  who: { tenantId: string; actor: Actor; requestId: string; now: Date },
  id: string,
): Promise<{ url: string; expiresAt: string; sha256: string }> {
  const row = await requireOwned(db, 'export_snapshots', who.tenantId, id);
  const link = await storage.presignGet(row.storage_key, {
    expiresInSeconds: EXPORT_LINK_SECONDS,
    downloadName: `${row.kind}-${row.id}.${row.format}`,
  });
  const expiresAt = link.expiresAt.toISOString();
  await recordAudit(db, {
    tenantId: who.tenantId,
    actor: who.actor,
    action: 'export.link_created',
    entityType: 'export',
    entityId: id,
    requestId: who.requestId,
    metadata: { sha256: row.sha256, expiresAt },
    occurredAt: who.now,
  });
  return { url: link.url, expiresAt, sha256: row.sha256 };
}

async function readAll(body: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}
