/**
 * Microbenchmark: the sheet XML of a 50,000-row, 6-column patients workbook
 * (as the imports benchmark writes it) read in 16 KiB slices by the XLSX
 * tokenizer and by saxes, each counting tags and text; CPU µs per row.
 * Run: `node --import ./test/delivery/source-hooks.ts bench/xlsx-xml.ts`
 */
import { SaxesParser } from 'saxes';
import { tokenLimit, XmlTokenizer } from '../src/imports/xlsx/xml-tokens.ts';
import { sheetXml } from '../test/helpers/xlsx.ts';

const ROWS = 50_000;
const rows = Array.from({ length: ROWS }, (_, i) => [
  `Given${i}`,
  `Family${i % 997}`,
  `19${String(50 + (i % 50))}-0${1 + (i % 9)}-1${i % 10}`,
  `p${i}@example.test`,
  `+90532${String(i).padStart(7, '0')}`,
  `p-${i}`,
]);
const { sheet, strings } = sheetXml(rows);
const slices = (xml: string) => {
  const out: string[] = [];
  for (let at = 0; at < xml.length; at += 16_384) out.push(xml.slice(at, at + 16_384));
  return out;
};

function tokenizer(parts: string[]): number {
  let count = 0;
  const tokens = new XmlTokenizer(
    {
      open: () => {
        count++;
      },
      text: (t) => {
        count += t.length;
      },
    },
    tokenLimit(1_000),
  );
  for (const part of parts) tokens.write(part);
  tokens.end();
  return count;
}

function saxes(parts: string[]): number {
  let count = 0;
  const parser = new SaxesParser();
  parser.on('opentag', () => {
    count++;
  });
  parser.on('text', (t) => {
    count += t.length;
  });
  for (const part of parts) parser.write(part);
  parser.close();
  return count;
}

function time(name: string, xml: string, read: (parts: string[]) => number): void {
  const parts = slices(xml);
  for (let i = 0; i < 3; i++) read(parts);
  const runs = 5;
  const cpu = process.cpuUsage();
  for (let i = 0; i < runs; i++) read(parts);
  const used = process.cpuUsage(cpu);
  const micros = (used.user + used.system) / runs / ROWS;
  console.log(`| ${name} | ${(xml.length / 1_048_576).toFixed(1)} MB | ${micros.toFixed(2)} µs |`);
}

console.log(`XML reading, ${ROWS} rows × 6 columns, CPU per row:`);
console.log('| reader | XML | CPU/row |');
console.log('|---|---:|---:|');
time('saxes, sheet', sheet, saxes);
time('tokenizer, sheet', sheet, tokenizer);
time('saxes, shared strings', strings, saxes);
time('tokenizer, shared strings', strings, tokenizer);
