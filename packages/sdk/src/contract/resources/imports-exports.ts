/**
 * Bulk imports (CSV or NDJSON content in the request) and exports (produced
 * asynchronously, then fetched). Rows that fail validation are reported by
 * row number; rows that pass are kept.
 */
import * as z from 'zod/mini';
import { listQuery, page, text, timestamp, timestampInput } from '../common.ts';
import { idSchema } from '../ids.ts';
import { defineOperation } from '../operation.ts';

/**
 * File formats for imports and exports.
 *
 * @example
 * dataFormat.parse('ndjson');
 */
export const dataFormat = z.enum(['csv', 'ndjson']);
/**
 * What an export holds: rows of a resource (`appointments`, `invoices`,
 * `payments` with refunds, `audit_events`), a report (`revenue_daily`
 * collected per day, `profit_monthly`, `receivables_aging` in 0–30 / 31–60 /
 * 61–90 / 90+ day buckets), or a FHIR Bulk-Data-style NDJSON of patients and
 * encounters (`fhir_bulk`).
 *
 * @example
 * exportKind.parse('receivables_aging');
 */
export const exportKind = z.enum([
  'appointments',
  'invoices',
  'payments',
  'audit_events',
  'revenue_daily',
  'profit_monthly',
  'receivables_aging',
  'fhir_bulk',
]);
/**
 * File formats of exports: the import formats plus spreadsheets and print.
 * `fhir_bulk` is NDJSON only.
 *
 * @example
 * exportFormat.parse('xlsx');
 */
export const exportFormat = z.enum(['csv', 'ndjson', 'xlsx', 'pdf']);
/**
 * Status of an import or export job.
 *
 * @example
 * jobStatus.parse('completed');
 */
export const jobStatus = z.enum(['pending', 'processing', 'completed', 'failed']);

/**
 * Largest import body accepted inline: 5 MiB of text.
 *
 * @example
 * if (content.length > MAX_IMPORT_CONTENT) throw new RangeError('split the file into several imports');
 */
export const MAX_IMPORT_CONTENT = 5 * 1024 * 1024;

/**
 * What an import writes: patients, appointments, the catalogue's prices
 * (`pricing`) and slots (`capacity`), attributed `leads`, or a payment
 * provider's `settlement_lines`.
 *
 * @example
 * importKind.parse('capacity');
 */
export const importKind = z.enum([
  'patients',
  'appointments',
  'pricing',
  'capacity',
  'leads',
  'settlement_lines',
]);

/**
 * Import formats: CSV and NDJSON as text; XLSX as the file's bytes in base64 (the first worksheet is read).
 *
 * @example
 * importFormat.parse('xlsx');
 */
export const importFormat = z.enum(['csv', 'ndjson', 'xlsx']);

/**
 * An import job.
 *
 * @example
 * const { errors } = importJob.parse(await res.json());
 */
export const importJob = z.object({
  id: idSchema('imp'),
  kind: importKind,
  format: importFormat,
  status: jobStatus,
  totalRows: z.int(),
  importedRows: z.int(),
  failedRows: z.int(),
  /**
   * The first 100 row errors; `row` is the 1-based line of the file, as a spreadsheet shows it (a CSV header is line 1).
   * Servers may add the `column`, the cell's `value` (masked where personal: names, phone, email, birth date) and a stable `code`.
   */
  errors: z.array(
    z.object({
      row: z.int(),
      message: z.string(),
      column: z.optional(z.nullable(z.string())),
      value: z.optional(z.nullable(z.string())),
      code: z.optional(z.string()),
      /** `warning`: the row was kept and this is a note about it; `error` (or absent): the row was rejected. */
      severity: z.optional(z.enum(['error', 'warning'])),
    }),
  ),
  /** True for a dry run: validated exactly as an apply would be, nothing kept. */
  dryRun: z.optional(z.boolean()),
  /** SHA-256 (hex) of the content; an apply of the same content returns the first job. */
  sha256: z.optional(z.string()),
  createdAt: timestamp,
  completedAt: z.nullable(timestamp),
  /**
   * How far a job has got. Large files run in the background (`status`
   * `pending`, then `processing`): the counts above and these grow batch by
   * batch, each batch committed on its own; poll `imports.get` until
   * `completed` or `failed`.
   */
  progress: z.optional(
    z.object({
      /** Records read so far. */
      rowsRead: z.int(),
      /** Rows kept so far (as `importedRows`). */
      rowsAccepted: z.int(),
      /** Rows rejected so far (as `failedRows`). */
      rowsRejected: z.int(),
      /** Batches committed (an apply) or checked (a dry run). */
      batches: z.int(),
      /** True when the job runs in the background rather than within the request. */
      background: z.boolean(),
      updatedAt: z.nullable(timestamp),
    }),
  ),
  /** Why a `failed` job stopped (a limit, an unreadable file): what was committed before stays, counted above. */
  failure: z.optional(z.nullable(z.object({ code: z.string(), message: z.string() }))),
});

/**
 * An export job.
 *
 * @example
 * const { downloadUrl } = exportJob.parse(await res.json());
 */
export const exportJob = z.object({
  id: idSchema('exp'),
  kind: exportKind,
  format: exportFormat,
  status: jobStatus,
  rowCount: z.nullable(z.int()),
  /** Where the finished file is fetched from (same credentials); null until completed. */
  downloadUrl: z.nullable(z.string()),
  /** SHA-256 (hex) of the file's bytes; the same closed period always has the same hash. */
  sha256: z.optional(z.nullable(z.string())),
  /** The period exported, `from` inclusive, `to` exclusive (null: unbounded). */
  from: z.optional(z.nullable(timestamp)),
  to: z.optional(z.nullable(timestamp)),
  createdAt: timestamp,
  completedAt: z.nullable(timestamp),
});

/**
 * Import patients or appointments from CSV or NDJSON (`imports.create`).
 *
 * @example
 * await client.request(importsCreate, ...args); // same arguments as client.imports.create
 */
export const importsCreate = defineOperation({
  id: 'imports.create',
  method: 'POST',
  path: '/api/v1/imports',
  summary: 'Import patients, appointments, pricing, capacity, leads or settlement lines',
  scope: 'write:imports',
  write: true,
  status: 202,
  body: z.strictObject({
    kind: importKind,
    format: importFormat,
    /** The file, inline; or send `objectKey` instead. */
    content: z.optional(z.string().check(z.minLength(1), z.maxLength(MAX_IMPORT_CONTENT))),
    /** The key of a file uploaded with a link from `POST /api/v1/imports/uploads` (servers that offer it). */
    objectKey: z.optional(z.string().check(z.minLength(1), z.maxLength(300))),
    /**
     * Validate only: the job reports exactly the rejects and counts an apply would, and keeps nothing.
     * Large files (dry run or apply) are answered at once with a `pending` job that runs in the background.
     */
    dryRun: z.optional(z.boolean()),
    /** The file's name, if known: its extension must match `format` (else 415 `import_wrong_type`). */
    fileName: z.optional(text(255)),
    /** A saved column mapping of the same kind (`POST /api/v1/import-mappings`) to read the header with. */
    mappingId: z.optional(idSchema('imm')),
    /** A column mapping given inline: source header → field; applied over `mappingId`'s. Other headers still go through the aliases. */
    mapping: z.optional(
      z.record(
        z.string().check(z.minLength(1), z.maxLength(200)),
        z.string().check(z.minLength(1), z.maxLength(64)),
      ),
    ),
  }),
  response: importJob,
});

/**
 * Get an import job and its row errors (`imports.get`).
 *
 * @example
 * await client.request(importsGet, ...args); // same arguments as client.imports.get
 */
export const importsGet = defineOperation({
  id: 'imports.get',
  method: 'GET',
  path: '/api/v1/imports/{importId}',
  summary: 'Get an import job and its row errors',
  scope: 'read:imports',
  write: false,
  status: 200,
  params: z.strictObject({ importId: idSchema('imp') }),
  response: importJob,
});

/**
 * List import jobs (`imports.list`).
 *
 * @example
 * await client.request(importsList, ...args); // same arguments as client.imports.list
 */
export const importsList = defineOperation({
  id: 'imports.list',
  method: 'GET',
  path: '/api/v1/imports',
  summary: 'List import jobs',
  scope: 'read:imports',
  write: false,
  status: 200,
  paginated: true,
  query: listQuery({}),
  response: page(importJob),
});

/**
 * Operations on imports.
 *
 * @example
 * importOperations.create.status; // 202
 */
export const importOperations = {
  create: importsCreate,
  get: importsGet,
  list: importsList,
} as const;

/**
 * Start an export (`exports.create`).
 *
 * @example
 * await client.request(exportsCreate, ...args); // same arguments as client.exports.create
 */
export const exportsCreate = defineOperation({
  id: 'exports.create',
  method: 'POST',
  path: '/api/v1/exports',
  summary: 'Start an export',
  scope: 'write:exports',
  write: true,
  status: 202,
  body: z.strictObject({
    kind: exportKind,
    format: exportFormat,
    from: z.optional(timestampInput),
    to: z.optional(timestampInput),
  }),
  response: exportJob,
});

/**
 * Get an export job (`exports.get`).
 *
 * @example
 * await client.request(exportsGet, ...args); // same arguments as client.exports.get
 */
export const exportsGet = defineOperation({
  id: 'exports.get',
  method: 'GET',
  path: '/api/v1/exports/{exportId}',
  summary: 'Get an export job',
  scope: 'read:exports',
  write: false,
  status: 200,
  params: z.strictObject({ exportId: idSchema('exp') }),
  response: exportJob,
});

/**
 * List export jobs (`exports.list`).
 *
 * @example
 * await client.request(exportsList, ...args); // same arguments as client.exports.list
 */
export const exportsList = defineOperation({
  id: 'exports.list',
  method: 'GET',
  path: '/api/v1/exports',
  summary: 'List export jobs',
  scope: 'read:exports',
  write: false,
  status: 200,
  paginated: true,
  query: listQuery({}),
  response: page(exportJob),
});

/**
 * Operations on exports.
 *
 * @example
 * exportOperations.get.path; // '/api/v1/exports/{exportId}'
 */
export const exportOperations = {
  create: exportsCreate,
  get: exportsGet,
  list: exportsList,
} as const;
