/** Limits of file imports, each checked while the file is read. */
import * as z from 'zod';

const count = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

/**
 * The imports section of the environment.
 *
 * @example
 * const limits = importsConfig.parse({ IMPORT_MAX_ROWS: '5000' });
 */
export const importsConfig = z.object({
  /** Largest content, in UTF-8 bytes (the HTTP body is also capped by BODY_LIMIT_BYTES). */
  IMPORT_MAX_BYTES: count(1_024, 5_242_880, 1_000_000),
  /** Most data rows (the header not counted). */
  IMPORT_MAX_ROWS: count(1, 100_000, 10_000),
  /** Most columns in the header or in any row. */
  IMPORT_MAX_COLUMNS: count(1, 200, 32),
  /** Longest cell, in characters. */
  IMPORT_MAX_CELL_CHARS: count(16, 100_000, 1_000),
  /** Longest time spent reading one chunk of `IMPORT_BATCH_ROWS` rows, in milliseconds (writing is not counted). */
  IMPORT_MAX_MILLISECONDS: count(100, 600_000, 20_000),
  /** Most entries in an XLSX file's zip directory. */
  IMPORT_XLSX_MAX_ENTRIES: count(8, 10_000, 256),
  /** Largest sum of an XLSX file's declared uncompressed entry sizes, in bytes. */
  IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES: count(65_536, 500_000_000, 50_000_000),
  /** Rows written per batch (multi-row statements, one audit row, one commit in the background). */
  IMPORT_BATCH_ROWS: count(1, 5_000, 1_000),
  /** Content longer than this (UTF-8 bytes) is imported in the background: the job comes back `pending`. */
  IMPORT_BACKGROUND_BYTES: count(0, 5_242_880, 262_144),
  /** How long a runner holds a background job between two committed batches before another may take it over. */
  IMPORT_JOB_LEASE_MILLISECONDS: count(1_000, 3_600_000, 60_000),
});

/**
 * Parsed import limits.
 *
 * @example
 * const limits: ImportsConfig = importsConfig.parse({});
 */
export type ImportsConfig = z.infer<typeof importsConfig>;
