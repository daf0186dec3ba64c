/**
 * docs/configuration.md and .env.example against the configuration schemas:
 * the same variables, each once, with the same defaults. A default is
 * compared by parsing the documented text with the variable's own schema,
 * so `5d` in the docs equals the 432000000 ms the schema produces.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import type * as z from 'zod';
import { coreConfig } from '../src/config/index.ts';
import { featureConfigSections } from '../src/features.ts';

const root = resolve(import.meta.dirname, '../../..');
const docText = readFileSync(resolve(root, 'docs/configuration.md'), 'utf8');
const envText = readFileSync(resolve(root, '.env.example'), 'utf8');

const schemas = new Map<string, z.ZodType>();
for (const section of [coreConfig, ...featureConfigSections]) {
  for (const [name, schema] of Object.entries(section.shape))
    schemas.set(name, schema as z.ZodType);
}

interface DocRow {
  readonly name: string;
  /** The default as the environment would spell it; undefined when the variable is unset by default. */
  readonly value: string | undefined;
}

function documentedRows(): DocRow[] {
  const rows: DocRow[] = [];
  for (const match of docText.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \| ([^|]*) \|/gm)) {
    const cell = (match[2] ?? '').trim();
    const value = cell.startsWith('—')
      ? undefined
      : cell === '(empty)'
        ? ''
        : cell.replace(/^`|`$/g, '');
    rows.push({ name: match[1] ?? '', value });
  }
  return rows;
}

function exampleRows(): DocRow[] {
  return [...envText.matchAll(/^# ([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((match) => ({
    name: match[1] ?? '',
    value: match[2] === '' ? undefined : match[2],
  }));
}

function defaultOf(name: string): unknown {
  const result = schemas.get(name)?.safeParse(undefined);
  return result?.success ? result.data : undefined;
}

function parsed(name: string, value: string): unknown {
  const result = schemas.get(name)?.safeParse(value);
  if (!result?.success)
    throw new Error(`${name}: the documented default ${JSON.stringify(value)} does not parse`);
  return result.data;
}

describe('configuration reference', () => {
  const rows = documentedRows();

  test('docs/configuration.md names every variable of the schemas once, and no other', () => {
    const names = rows.map((row) => row.name);
    expect(new Set(names).size, 'a variable is listed twice').toBe(names.length);
    expect([...names].sort()).toEqual([...schemas.keys()].sort());
  });

  test("each documented default is the schema's default", () => {
    for (const row of rows) {
      const expected = defaultOf(row.name);
      if (row.value === undefined) {
        expect(expected, `${row.name} has a default the docs do not give`).toBeUndefined();
      } else {
        expect(parsed(row.name, row.value), `${row.name}'s documented default`).toEqual(expected);
      }
    }
  });

  test('.env.example lists the same variables with the same defaults', () => {
    const example = exampleRows();
    expect([...example.map((row) => row.name)].sort()).toEqual([...schemas.keys()].sort());
    for (const row of example) {
      const documented = rows.find((doc) => doc.name === row.name)?.value;
      expect(row.value ?? '', row.name).toBe(documented ?? '');
    }
  });
});
