/**
 * Saved column mappings: a tenant's own header names for an import kind,
 * saved under a name (saving the kind's name again replaces the columns)
 * and named by an import (`mappingId`), or given inline (`mapping`, over
 * the saved one). Each target must be a field of the kind (its canonical
 * name or one of its aliases) and no field may be named twice, else 400
 * `validation_failed` naming the header. The result is what `resolveHeader`
 * reads first; headers a mapping does not name still go through aliases.
 */
import { type ImportMapping, newId } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type { DB, Row } from '../db/schema.ts';
import { auditChange, type ChangeContext } from '../kernel/change.ts';
import { listPage } from '../kernel/list.ts';
import { ApiError } from '../kernel/problem.ts';
import { requireOwned } from '../kernel/require-owned.ts';
import { headerKey, type ImportKind, importColumns } from './kinds.ts';

/**
 * The public view of a saved mapping.
 *
 * @example
 * toImportMapping(row).columns; // { 'Téléphone': 'phone' }
 */
export function toImportMapping(row: Row<'import_mappings'>): ImportMapping {
  return {
    id: row.id as `imm_${string}`,
    name: row.name,
    kind: row.kind,
    columns: row.columns,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/**
 * `columns` with each target as its canonical field name, or 400 naming every header that does not fit `kind`.
 *
 * @example
 * checkMapping('leads', { Téléphone: 'phone_number' }); // { Téléphone: 'phone' }
 */
export function checkMapping(
  kind: ImportKind,
  columns: Readonly<Record<string, string>>,
): Record<string, string> {
  const fields = new Map<string, string>();
  for (const column of importColumns[kind]) {
    for (const alias of [column.name, ...column.aliases]) fields.set(headerKey(alias), column.name);
  }
  const checked: Record<string, string> = {};
  const target = new Map<string, string>();
  const problems: string[] = [];
  for (const [header, field] of Object.entries(columns)) {
    const name = fields.get(headerKey(field));
    const shown = `"${header.slice(0, 64)}"`;
    if (name === undefined)
      problems.push(`${shown} maps to "${field.slice(0, 64)}", not a ${kind} field`);
    else if (target.has(name))
      problems.push(`${shown} and "${target.get(name)?.slice(0, 64)}" both map to ${name}`);
    else {
      target.set(name, header);
      checked[header] = name;
    }
  }
  if (problems.length > 0) {
    throw new ApiError(
      'validation_failed',
      `The mapping does not fit a ${kind} import: ${problems.slice(0, 10).join('; ')}. Map each header to one of: ${importColumns[kind].map((c) => c.name).join(', ')}.`,
    );
  }
  return checked;
}

/**
 * Saves a mapping of the tenant under `name` for `kind`, or replaces the columns of the one saved under it.
 *
 * @example
 * const saved = await saveImportMapping(trx, change, { name: 'agency-a', kind: 'leads', columns: { Tel: 'phone' } });
 */
export async function saveImportMapping(
  db: Kysely<DB>,
  change: ChangeContext,
  input: { name: string; kind: ImportKind; columns: Record<string, string> },
): Promise<ImportMapping> {
  const columns = JSON.stringify(checkMapping(input.kind, input.columns));
  const row = await db
    .insertInto('import_mappings')
    .values({
      id: newId('imm'),
      tenant_id: change.tenantId,
      name: input.name,
      kind: input.kind,
      columns,
      created_at: change.now,
      updated_at: change.now,
    })
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'kind', 'name']).doUpdateSet({ columns, updated_at: change.now }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  await auditChange(db, change, 'import_mapping.saved', 'import_mapping', row.id, {
    kind: row.kind,
    headers: Object.keys(row.columns).length,
  });
  return toImportMapping(row);
}

/**
 * A saved mapping of the tenant, or 404.
 *
 * @example
 * const mapping = await getImportMapping(db, tenantId, 'imm_…');
 */
export async function getImportMapping(
  db: Kysely<DB>,
  tenantId: string,
  id: string,
): Promise<ImportMapping> {
  return toImportMapping(await requireOwned(db, 'import_mappings', tenantId, id));
}

/**
 * The tenant's saved mappings, oldest first, optionally of one kind.
 *
 * @example
 * await listImportMappings(db, tenantId, { kind: 'leads' });
 */
export function listImportMappings(
  db: Kysely<DB>,
  tenantId: string,
  query: { limit?: number | undefined; cursor?: string | undefined; kind?: ImportKind | undefined },
) {
  return listPage(
    db,
    'import_mappings',
    tenantId,
    query,
    [query.kind !== undefined && ['kind', '=', query.kind]],
    toImportMapping,
  );
}

/**
 * Deletes a saved mapping of the tenant, or 404.
 *
 * @example
 * await deleteImportMapping(trx, change, 'imm_…');
 */
export async function deleteImportMapping(
  db: Kysely<DB>,
  change: ChangeContext,
  id: string,
): Promise<undefined> {
  const deleted = await db
    .deleteFrom('import_mappings')
    .where('tenant_id', '=', change.tenantId)
    .where('id', '=', id)
    .returning('id')
    .executeTakeFirst();
  if (!deleted) await requireOwned(db, 'import_mappings', change.tenantId, id);
  await auditChange(db, change, 'import_mapping.deleted', 'import_mapping', id);
  return undefined;
}

/**
 * The mapping an import reads its header with: the saved one (which must be of `kind`),
 * then the inline one over it; undefined when the import names none.
 *
 * @example
 * const mapping = await importMappingFor(trx, tenantId, 'leads', { mappingId: 'imm_…' });
 */
export async function importMappingFor(
  db: Kysely<DB>,
  tenantId: string,
  kind: ImportKind,
  request: { mappingId?: string | undefined; mapping?: Record<string, string> | undefined },
): Promise<Record<string, string> | undefined> {
  if (request.mappingId === undefined && request.mapping === undefined) return undefined;
  let columns: Record<string, string> = {};
  if (request.mappingId !== undefined) {
    const saved = await requireOwned(db, 'import_mappings', tenantId, request.mappingId);
    if (saved.kind !== kind) {
      throw new ApiError(
        'validation_failed',
        `Mapping ${saved.id} is for ${saved.kind} imports, not ${kind}; name a ${kind} mapping.`,
      );
    }
    columns = { ...saved.columns };
  }
  if (request.mapping !== undefined) {
    // Inline headers replace saved ones, compared as headers are (case and separators aside).
    const inline = new Set(Object.keys(request.mapping).map(headerKey));
    for (const header of Object.keys(columns))
      if (inline.has(headerKey(header))) delete columns[header];
    Object.assign(columns, request.mapping);
  }
  return checkMapping(kind, columns);
}
