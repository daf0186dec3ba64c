/**
 * Reads an import's content as records, streaming: CSV through csv-parse,
 * NDJSON line by line. Every limit (bytes, rows, columns, cell length, time)
 * is checked as the content is read, so a hostile file is refused before it
 * is held whole in parsed form; a refusal is an ApiError and nothing is
 * applied (the caller's transaction rolls back).
 */
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { ApiError } from '../kernel/problem.ts';
import type { ImportsConfig } from './config.ts';
import { readXlsxRows } from './xlsx/sheet-reader.ts';

/** Largest expansion of an XLSX entry over its compressed size. */
export const XLSX_MAX_RATIO = 100;

/**
 * One record of the file: its 1-based row (a CSV header is row 1) and its cells by header name.
 *
 * @example
 * const record: ImportRecord = { row: 2, cells: { givenName: 'Ada' } };
 */
export interface ImportRecord {
  row: number;
  cells: Record<string, string>;
  /** Cells beyond the header (CSV), or a line that is not a JSON object (NDJSON). */
  malformed?: string;
}

const CHUNK = 64 * 1024;

/**
 * An import's content: the text itself, or (a stored background job) a
 * function giving it piece by piece, so a large file is never held whole.
 *
 * @example
 * const content: ImportContent = async function* () { yield 'givenName,familyName\n'; yield 'Ada,Er\n'; };
 */
export type ImportContent = string | (() => AsyncIterable<string>);

/**
 * The records of `content`, checked against `limits`; `clock` is injectable for the time limit.
 * The time limit counts reading only (not what the caller does between
 * records, such as writing), and with `chunkRows` it starts again after
 * every chunk of that many records: a long file is bounded per chunk.
 *
 * @example
 * for await (const record of readRecords('csv', text, limits)) console.log(record.row);
 */
export async function* readRecords(
  format: 'csv' | 'ndjson' | 'xlsx',
  content: ImportContent,
  limits: ImportsConfig,
  clock: () => number = Date.now,
  options: { chunkRows?: number } = {},
): AsyncGenerator<ImportRecord> {
  if (format !== 'xlsx' && typeof content === 'string') refuseBinary(content);
  let spent = 0;
  let resumedAt = clock();
  let inChunk = 0;
  const records = readAll(format, content, limits, () => spent + clock() - resumedAt);
  for await (const record of records) {
    spent += clock() - resumedAt;
    inChunk += 1;
    if (options.chunkRows !== undefined && inChunk >= options.chunkRows) {
      spent = 0;
      inChunk = 0;
    }
    yield record;
    resumedAt = clock();
  }
}

async function* readAll(
  format: 'csv' | 'ndjson' | 'xlsx',
  content: ImportContent,
  limits: ImportsConfig,
  elapsed: () => number,
): AsyncGenerator<ImportRecord> {
  const check = (rowCount: number, width: number) => {
    if (rowCount > limits.IMPORT_MAX_ROWS) {
      throw new ApiError(
        'import_too_many_rows',
        `Imports are limited to ${limits.IMPORT_MAX_ROWS} rows; split the file.`,
      );
    }
    if (width > limits.IMPORT_MAX_COLUMNS) {
      throw new ApiError(
        'import_too_many_columns',
        `Imports are limited to ${limits.IMPORT_MAX_COLUMNS} columns; remove the extra columns.`,
      );
    }
    if (elapsed() > limits.IMPORT_MAX_MILLISECONDS) {
      throw new ApiError(
        'import_too_slow',
        `Reading the file took longer than ${limits.IMPORT_MAX_MILLISECONDS} ms; split the file.`,
      );
    }
  };
  if (format === 'xlsx') {
    yield* xlsxRecords(await wholeText(content, limits), limits, check);
    return;
  }
  const source = Readable.from(byteChunks(content, limits.IMPORT_MAX_BYTES));
  if (format === 'ndjson') yield* ndjsonRecords(source, limits, check);
  else yield* csvRecords(source, limits, check);
}

/** The content as UTF-8 chunks, refused as soon as the running total passes the limit. */
async function* byteChunks(content: ImportContent, maxBytes: number): AsyncGenerator<Buffer> {
  let total = 0;
  let first = true;
  // A high surrogate cut from its pair waits for the next slice: each chunk is valid UTF-16.
  let carry = '';
  const account = (text: string) => {
    const chunk = Buffer.from(text, 'utf8');
    total += chunk.byteLength;
    if (total > maxBytes) {
      throw new ApiError(
        'import_too_large',
        `Import content is limited to ${maxBytes} bytes; split the file into several imports.`,
      );
    }
    return chunk;
  };
  const pieces = typeof content === 'string' ? [content] : content();
  for await (const piece of pieces) {
    for (let at = 0; at < piece.length; at += CHUNK) {
      let text = carry + piece.slice(at, at + CHUNK);
      carry = '';
      if (first) {
        refuseBinary(text);
        first = false;
      }
      const last = text.charCodeAt(text.length - 1);
      if (last >= 0xd800 && last <= 0xdbff) {
        carry = text.slice(-1);
        text = text.slice(0, -1);
      }
      if (text !== '') yield account(text);
    }
  }
  if (carry !== '') yield account(carry);
}

/** The content as one string (XLSX: the zip's directory is at its end), refused past the byte limit's base64 length. */
async function wholeText(content: ImportContent, limits: ImportsConfig): Promise<string> {
  if (typeof content === 'string') return content;
  const pieces: string[] = [];
  let length = 0;
  for await (const piece of content()) {
    length += piece.length;
    if (length > (limits.IMPORT_MAX_BYTES / 3) * 4 + 4_096) {
      throw new ApiError(
        'import_too_large',
        `Import content is limited to ${limits.IMPORT_MAX_BYTES} bytes; split the file into several imports.`,
      );
    }
    pieces.push(piece);
  }
  return pieces.join('');
}

function refuseBinary(content: string): void {
  // A spreadsheet or archive sent as text: zip magic (XLSX) or NUL bytes.
  if (content.startsWith('PK\u0003\u0004') || content.slice(0, 8192).includes('\u0000')) {
    throw new ApiError(
      'import_unreadable',
      'The content is binary (an XLSX or archive?); send the rows as CSV or NDJSON text.',
    );
  }
}

function tooLongCell(limits: ImportsConfig, row: number): ApiError {
  return new ApiError(
    'import_cell_too_long',
    `Row ${row} has a cell longer than ${limits.IMPORT_MAX_CELL_CHARS} characters; cells are limited to that length.`,
  );
}

async function* csvRecords(
  source: Readable,
  limits: ImportsConfig,
  check: (rows: number, width: number) => void,
): AsyncGenerator<ImportRecord> {
  const parser = source.pipe(
    parse({
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      // An unterminated quote would otherwise swallow the rest of the file into one record.
      max_record_size: limits.IMPORT_MAX_CELL_CHARS * limits.IMPORT_MAX_COLUMNS + 1,
    }),
  );
  source.on('error', (error) => parser.destroy(error));
  let header: string[] | undefined;
  let row = 0;
  try {
    for await (const cells of parser as AsyncIterable<string[]>) {
      row += 1;
      check(row - 1, cells.length);
      if (cells.some((cell) => cell.length > limits.IMPORT_MAX_CELL_CHARS)) {
        throw tooLongCell(limits, row);
      }
      if (!header) {
        header = cells.map((name) => name.trim());
        continue;
      }
      yield toRecord(header, row, cells);
    }
  } catch (error) {
    throw asReadError(error);
  }
}

/** A row's cells keyed by the header; cells beyond it make the row malformed. */
function toRecord(header: readonly string[], row: number, cells: readonly string[]): ImportRecord {
  const record: Record<string, string> = {};
  header.forEach((name, i) => {
    const cell = cells[i];
    if (cell !== undefined) record[name] = cell;
  });
  return cells.length > header.length
    ? {
        row,
        cells: record,
        malformed: `the row has ${cells.length} cells, the header ${header.length}`,
      }
    : { row, cells: record };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** An XLSX sent as base64: decoded, size-checked, then read through the zip checks and the sheet reader. */
async function* xlsxRecords(
  content: string,
  limits: ImportsConfig,
  check: (rows: number, width: number) => void,
): AsyncGenerator<ImportRecord> {
  const text = content.replace(/\s+/g, '');
  if (text.length % 4 !== 0 || !BASE64.test(text)) {
    throw new ApiError(
      'import_wrong_type',
      "format xlsx takes the file's bytes in base64; this content is not base64 (a CSV? then say format csv).",
    );
  }
  if ((text.length / 4) * 3 > limits.IMPORT_MAX_BYTES + 2) {
    throw new ApiError(
      'import_too_large',
      `Import content is limited to ${limits.IMPORT_MAX_BYTES} bytes; split the file into several imports.`,
    );
  }
  // A view of the decoded buffer, not a copy of it.
  const decoded = Buffer.from(text, 'base64');
  const bytes = new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.byteLength);
  if (bytes[0] !== 0x50 || bytes[1] !== 0x4b || bytes[2] !== 0x03 || bytes[3] !== 0x04) {
    throw new ApiError(
      'import_wrong_type',
      'The content is not an XLSX file (no zip signature); send CSV or NDJSON as text with their own format.',
    );
  }
  const rows = readXlsxRows(
    bytes,
    {
      maxEntries: limits.IMPORT_XLSX_MAX_ENTRIES,
      maxUncompressedBytes: limits.IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES,
      maxRatio: XLSX_MAX_RATIO,
    },
    {
      maxColumns: limits.IMPORT_MAX_COLUMNS,
      maxCellChars: limits.IMPORT_MAX_CELL_CHARS,
      // A sheet cannot refer to more strings than it has cells (the header row included).
      maxSharedStrings: (limits.IMPORT_MAX_ROWS + 1) * limits.IMPORT_MAX_COLUMNS,
    },
  );
  let header: string[] | undefined;
  let count = 0;
  for (const { row, cells } of rows) {
    count += 1;
    check(count - 1, cells.length);
    if (!header) {
      header = cells.map((name) => name.trim());
      continue;
    }
    // A sheet leaves out trailing empty cells; they are empty, not missing.
    while (cells.length < header.length) cells.push('');
    yield toRecord(header, row, cells);
  }
}

async function* ndjsonRecords(
  source: Readable,
  limits: ImportsConfig,
  check: (rows: number, width: number) => void,
): AsyncGenerator<ImportRecord> {
  let buffered = '';
  let line = 0;
  let rows = 0;
  const lineLimit = limits.IMPORT_MAX_CELL_CHARS * limits.IMPORT_MAX_COLUMNS * 2;
  const toRecord = (text: string): ImportRecord | undefined => {
    line += 1;
    if (text.trim() === '') return undefined;
    rows += 1;
    check(rows, 0);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return { row: line, cells: {}, malformed: 'the line is not valid JSON' };
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return { row: line, cells: {}, malformed: 'the line is not a JSON object' };
    }
    const entries = Object.entries(value as Record<string, unknown>);
    check(rows, entries.length);
    const cells: Record<string, string> = {};
    for (const [key, cell] of entries) {
      if (cell === null || cell === undefined) continue;
      const text = typeof cell === 'object' ? JSON.stringify(cell) : String(cell);
      if (text.length > limits.IMPORT_MAX_CELL_CHARS) throw tooLongCell(limits, line);
      cells[key] = text;
    }
    return { row: line, cells };
  };
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      buffered += chunk.toString('utf8');
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const record = toRecord(buffered.slice(0, newline).replace(/\r$/, ''));
        buffered = buffered.slice(newline + 1);
        if (record) yield record;
        newline = buffered.indexOf('\n');
      }
      if (buffered.length > lineLimit) throw tooLongCell(limits, line + 1);
    }
    const last = toRecord(buffered.replace(/\r$/, ''));
    if (last) yield last;
  } catch (error) {
    throw asReadError(error);
  }
}

function asReadError(error: unknown): unknown {
  if (error instanceof ApiError) return error;
  const code = (error as { code?: unknown }).code;
  if (code === 'CSV_MAX_RECORD_SIZE') {
    return new ApiError(
      'import_cell_too_long',
      'A CSV record is longer than the limits allow (an unterminated quote?); fix the quoting or split the cell.',
    );
  }
  if (typeof code === 'string' && code.startsWith('CSV_')) {
    // csv-parse messages quote cell values; only the code and line go back.
    const lines = (error as { lines?: unknown }).lines;
    return new ApiError(
      'import_unreadable',
      `The CSV cannot be read (${code}${typeof lines === 'number' ? ` near line ${lines}` : ''}); check its quoting.`,
    );
  }
  return error;
}
