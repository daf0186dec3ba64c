/**
 * PDF exports (pdfkit): a title, the period, a table of the rows (repeated
 * header on each page, cells cut to their column with an ellipsis) and the
 * totals of every amount and count column per currency. Text is set in
 * DejaVu Sans, embedded (subset), so Turkish letters ("Ş", "ı"), the rupee
 * ("₹"), the lira ("₺") and the euro render everywhere. The document dates
 * are fixed and pdfkit derives the file id from them, so the same rows give
 * the same bytes.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import { currencyExponent } from '../money/currencies.ts';
import type { Cell, ExportColumn } from './csv.ts';

/** The fixed creation and modification date of every export PDF. */
export const PDF_DOCUMENT_DATE = new Date('2000-01-01T00:00:00.000Z');

/**
 * Most rows a PDF takes; it is for reports and short periods (use CSV or
 * XLSX beyond). Laying out 10,000 seven-column rows took about 20 s on a
 * loaded 2-core machine (CSV 0.07 s, XLSX 1.5 s), too long for a request.
 */
export const PDF_MAX_ROWS = 2_000;

/**
 * Path of the embedded font: DejaVu Sans from the `dejavu-fonts-ttf` package.
 *
 * @example
 * readFileSync(pdfFontPath());
 */
export function pdfFontPath(): string {
  return createRequire(import.meta.url).resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
}

let font: Buffer | undefined;
function dejaVuSans(): Buffer {
  font ??= readFileSync(pdfFontPath());
  return font;
}

const symbols = new Map<string, string>();
function currencySymbol(currency: string): string {
  let symbol = symbols.get(currency);
  if (symbol === undefined) {
    try {
      symbol =
        new Intl.NumberFormat('en', {
          style: 'currency',
          currency,
          currencyDisplay: 'narrowSymbol',
        })
          .formatToParts(0)
          .find((p) => p.type === 'currency')?.value ?? currency;
    } catch {
      symbol = currency;
    }
    // A currency without a sign is shown by its code, set apart from the digits.
    if (/^[A-Z]{3}$/.test(symbol)) symbol = `${symbol} `;
    symbols.set(currency, symbol);
  }
  return symbol;
}

/**
 * Minor units as a price: symbol, thousands separators, the currency's decimals.
 *
 * @example
 * formatMoney(123450, 'INR'); // '₹1,234.50'
 * formatMoney(-500, 'EUR');   // '-€5.00'
 */
export function formatMoney(minor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  const digits = String(Math.abs(minor)).padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent).replace(/\B(?=(\d{3})+$)/g, ',');
  const fraction = exponent > 0 ? `.${digits.slice(digits.length - exponent)}` : '';
  return `${minor < 0 ? '-' : ''}${currencySymbol(currency)}${whole}${fraction}`;
}

/**
 * What a PDF shows above and below its table.
 *
 * @example
 * const heading: PdfHeading = { title: 'Receivables aging', period: '… to 2026-12-01', footer: 'clinicbridge-exports/2' };
 */
export interface PdfHeading {
  title: string;
  period: string;
  footer: string;
}

const totalled = (c: ExportColumn) => c.type === 'money' || c.type === 'number';

/** Totals of each amount and count column, per currency ('' when the table has none). */
function totalsOf(columns: readonly ExportColumn[], rows: readonly Cell[][]) {
  const currencyAt = columns.findIndex((c) => c.name === 'currency');
  const totals = new Map<string, number[]>();
  for (const row of rows) {
    const currency = currencyAt < 0 ? '' : String(row[currencyAt] ?? '');
    let sums = totals.get(currency);
    if (!sums) {
      sums = columns.map(() => 0);
      totals.set(currency, sums);
    }
    columns.forEach((c, i) => {
      const value = row[i];
      if (totalled(c) && typeof value === 'number' && sums) sums[i] = (sums[i] ?? 0) + value;
    });
  }
  return [...totals.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function display(value: Cell, column: ExportColumn, currency: string): string {
  if (value === null) return '';
  if (column.type === 'money' && typeof value === 'number' && currency) {
    return formatMoney(value, currency);
  }
  return String(value);
}

/**
 * The rows as a PDF.
 *
 * @example
 * const bytes = await encodePdf({ title: 'Payments', period: 'November 2026', footer: 'v1' }, columns, rows);
 */
export function encodePdf(
  heading: PdfHeading,
  columns: readonly ExportColumn[],
  rows: readonly Cell[][],
): Promise<Uint8Array> {
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: 36,
    info: {
      Title: heading.title,
      Producer: 'ClinicBridge',
      Creator: 'ClinicBridge',
      CreationDate: PDF_DOCUMENT_DATE,
      ModDate: PDF_DOCUMENT_DATE,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Uint8Array>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc.registerFont('body', dejaVuSans());
  doc.font('body');
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const bottom = doc.page.height - doc.page.margins.bottom;
  const size = columns.length > 8 ? 6.5 : 8;
  const rowHeight = size * 1.6;
  const columnWidth = width / columns.length;
  const currencyAt = columns.findIndex((c) => c.name === 'currency');

  doc.fontSize(14).text(heading.title, { width });
  doc.fontSize(9).text(heading.period, { width }).moveDown(0.5);

  const line = (cells: string[]) => {
    if (doc.y + rowHeight > bottom) doc.addPage();
    const y = doc.y;
    cells.forEach((cell, i) => {
      doc.text(cell, left + i * columnWidth, y, {
        width: columnWidth - 3,
        lineBreak: false,
        ellipsis: true,
        align: totalled(columns[i] as ExportColumn) ? 'right' : 'left',
      });
    });
    doc.x = left;
    doc.y = y + rowHeight;
  };
  const header = () => line(columns.map((c) => c.name));

  doc.fontSize(size);
  header();
  doc.on('pageAdded', header);
  for (const row of rows) {
    const currency = currencyAt < 0 ? '' : String(row[currencyAt] ?? '');
    line(columns.map((c, i) => display(row[i] ?? null, c, currency)));
  }
  doc.removeListener('pageAdded', header);

  doc.moveDown(1).fontSize(10).text(`Totals (${rows.length} rows)`, left, doc.y, { width });
  doc.fontSize(9);
  for (const [currency, sums] of totalsOf(columns, rows)) {
    const parts = columns
      .map((c, i) => (totalled(c) ? `${c.name} ${display(sums[i] ?? 0, c, currency)}` : undefined))
      .filter((p) => p !== undefined);
    if (parts.length > 0) {
      doc.text(`${currency ? `${currency}: ` : ''}${parts.join('; ')}`, left, doc.y, { width });
    }
  }
  doc.moveDown(1).fontSize(7).text(heading.footer, left, doc.y, { width });
  doc.end();
  return done;
}
