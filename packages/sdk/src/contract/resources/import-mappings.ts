/**
 * Saved column mappings: a partner's own header names for one import kind,
 * saved once under a name and named by later imports (`mappingId`), or
 * given inline (`mapping`). A mapped header goes to the field it names;
 * the other headers still go through the kind's built-in aliases.
 */
import * as z from 'zod/mini';
import { listQuery, page, text, timestamp } from '../common.ts';
import { idSchema } from '../ids.ts';
import { defineOperation } from '../operation.ts';
import { importKind } from './imports-exports.ts';

/**
 * Most headers one mapping names.
 *
 * @example
 * if (Object.keys(columns).length > MAX_MAPPED_COLUMNS) throw new RangeError('map fewer headers');
 */
export const MAX_MAPPED_COLUMNS = 200;

/**
 * Source header → field of the kind (the field's canonical name, e.g. `givenName`).
 *
 * @example
 * columnMapping.parse({ 'Nom de famille': 'familyName', Prénom: 'givenName' });
 */
export const columnMapping = z
  .record(
    z.string().check(z.minLength(1), z.maxLength(200)),
    z.string().check(z.minLength(1), z.maxLength(64)),
  )
  .check(
    z.refine((columns) => Object.keys(columns).length <= MAX_MAPPED_COLUMNS, {
      message: `map at most ${MAX_MAPPED_COLUMNS} headers`,
    }),
    z.refine((columns) => Object.keys(columns).length >= 1, {
      message: 'map at least one header',
    }),
  );

/**
 * A saved mapping of the tenant.
 *
 * @example
 * const { columns } = importMapping.parse(await res.json());
 */
export const importMapping = z.object({
  id: idSchema('imm'),
  name: z.string(),
  kind: importKind,
  columns: z.record(z.string(), z.string()),
  createdAt: timestamp,
  updatedAt: timestamp,
});

const mappingParams = z.strictObject({ mappingId: idSchema('imm') });

/**
 * Save a column mapping under a name; saving the same kind and name again replaces its columns (`importMappings.create`).
 *
 * @example
 * await client.request(importMappingsCreate, ...args); // same arguments as client.importMappings.create
 */
export const importMappingsCreate = defineOperation({
  id: 'importMappings.create',
  method: 'POST',
  path: '/api/v1/import-mappings',
  summary: 'Save a column mapping for an import kind',
  scope: 'write:imports',
  write: true,
  status: 201,
  body: z.strictObject({ name: text(100), kind: importKind, columns: columnMapping }),
  response: importMapping,
});

/**
 * Get a saved column mapping (`importMappings.get`).
 *
 * @example
 * await client.request(importMappingsGet, ...args); // same arguments as client.importMappings.get
 */
export const importMappingsGet = defineOperation({
  id: 'importMappings.get',
  method: 'GET',
  path: '/api/v1/import-mappings/{mappingId}',
  summary: 'Get a saved column mapping',
  scope: 'read:imports',
  write: false,
  status: 200,
  params: mappingParams,
  response: importMapping,
});

/**
 * List saved column mappings, optionally of one kind (`importMappings.list`).
 *
 * @example
 * await client.request(importMappingsList, ...args); // same arguments as client.importMappings.list
 */
export const importMappingsList = defineOperation({
  id: 'importMappings.list',
  method: 'GET',
  path: '/api/v1/import-mappings',
  summary: 'List saved column mappings',
  scope: 'read:imports',
  write: false,
  status: 200,
  paginated: true,
  query: listQuery({ kind: z.optional(importKind) }),
  response: page(importMapping),
});

/**
 * Delete a saved column mapping; imports already run keep their results (`importMappings.delete`).
 *
 * @example
 * await client.request(importMappingsDelete, ...args); // same arguments as client.importMappings.delete
 */
export const importMappingsDelete = defineOperation({
  id: 'importMappings.delete',
  method: 'DELETE',
  path: '/api/v1/import-mappings/{mappingId}',
  summary: 'Delete a saved column mapping',
  scope: 'write:imports',
  write: true,
  status: 204,
  params: mappingParams,
});

/**
 * Operations on saved column mappings.
 *
 * @example
 * importMappingOperations.delete.status; // 204
 */
export const importMappingOperations = {
  create: importMappingsCreate,
  get: importMappingsGet,
  list: importMappingsList,
  delete: importMappingsDelete,
} as const;
