/**
 * Minimal RFC 4180 CSV for the fake API's imports and exports: quoted
 * fields, doubled quotes, commas and newlines inside quotes.
 */

/**
 * Rows of a CSV text, each an array of fields. Throws on an unterminated quote.
 *
 * @example
 * parseCsv('a,b\n1,"x, y"'); // [['a', 'b'], ['1', 'x, y']]
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (quoted) throw new SyntaxError('unterminated quoted field');
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

function csvField(value: unknown): string {
  const text =
    value === null || value === undefined
      ? ''
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * CSV of records, one column per key of the first record; nested values as JSON.
 *
 * @example
 * toCsv([{ id: 'apt_1', status: 'scheduled' }]); // 'id,status\napt_1,scheduled\n'
 */
export function toCsv(records: readonly Record<string, unknown>[]): string {
  const first = records[0];
  if (!first) return '';
  const columns = Object.keys(first);
  const lines = [
    columns.join(','),
    ...records.map((r) => columns.map((c) => csvField(r[c])).join(',')),
  ];
  return `${lines.join('\n')}\n`;
}
