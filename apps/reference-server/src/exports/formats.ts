/**
 * The file formats of exports and how a table of rows becomes each one:
 * CSV and NDJSON (csv.ts), XLSX (xlsx.ts), PDF (pdf.ts).
 */
import { type Cell, type ExportColumn, encodeCsv, encodeNdjson } from './csv.ts';
import { encodePdf, type PdfHeading } from './pdf.ts';
import { encodeXlsx } from './xlsx.ts';

/**
 * An export format of the contract.
 *
 * @example
 * const format: ExportFormat = 'xlsx';
 */
export type ExportFormat = 'csv' | 'ndjson' | 'xlsx' | 'pdf';

/**
 * Rows under named, typed columns, with what a PDF shows around them.
 *
 * @example
 * const table: ExportTable = { name: 'payments', columns, rows, heading };
 */
export interface ExportTable {
  /** The sheet name of an XLSX. */
  name: string;
  columns: readonly ExportColumn[];
  rows: Cell[][];
  heading: PdfHeading;
}

/**
 * The bytes of a table in a format.
 *
 * @example
 * const bytes = await encodeTable('csv', table);
 */
export async function encodeTable(format: ExportFormat, table: ExportTable): Promise<Uint8Array> {
  switch (format) {
    case 'csv':
      return Buffer.from(encodeCsv(table.columns, table.rows), 'utf8');
    case 'ndjson':
      return Buffer.from(encodeNdjson(table.columns, table.rows), 'utf8');
    case 'xlsx':
      return encodeXlsx(table.name, table.columns, table.rows);
    case 'pdf':
      return encodePdf(table.heading, table.columns, table.rows);
  }
}

const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
};

/**
 * Content type of a format.
 *
 * @example
 * contentTypeOf('csv'); // 'text/csv; charset=utf-8'
 */
export function contentTypeOf(format: ExportFormat): string {
  return CONTENT_TYPES[format];
}
