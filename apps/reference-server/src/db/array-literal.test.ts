import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { booleanArray, textArray } from './array-literal.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.close());

/** The elements PostgreSQL reads back from `literal`, in order. */
async function readBack<T>(literal: string, type: 'text' | 'boolean'): Promise<(T | null)[]> {
  const cast = type === 'text' ? sql`${literal}::text[]` : sql`${literal}::boolean[]`;
  const { rows } = await sql<{ v: T | null }>`
    select v from unnest(${cast}) with ordinality as u(v, n) order by n
  `.execute(database.db);
  return rows.map((row) => row.v);
}

describe('array literals', () => {
  test('every text comes back as it was, quoted only where it must be', async () => {
    const values = [
      'pat_k3v9x2m4q7r1t5w8y6z3b2c4d5',
      'pii1.k1.AbC-_xyz',
      '',
      'NULL',
      'null',
      'Null',
      null,
      'two words',
      ' padded ',
      'tab\there',
      'line\nbreak',
      'a,b',
      '{braces}',
      'quote "inside"',
      'back\\slash',
      '\\"',
      'Şişli ₹ 東京 😀',
      '+905321234567',
      '-5',
    ];
    const literal = textArray(values);
    expect(literal.startsWith('{pat_k3v9x2m4q7r1t5w8y6z3b2c4d5,pii1.k1.AbC-_xyz,"",')).toBe(true);
    expect(await readBack<string>(literal, 'text')).toEqual(values);
    expect(await readBack<string>(textArray([]), 'text')).toEqual([]);
  });

  test('any texts come back as they were (property)', async () => {
    const texts = fc.array(
      fc.option(fc.string({ unit: 'grapheme', maxLength: 12 }), { nil: null }),
      {
        maxLength: 20,
      },
    );
    await fc.assert(
      fc.asyncProperty(texts, async (values) => {
        expect(await readBack<string>(textArray(values), 'text')).toEqual(values);
      }),
      { numRuns: 100 },
    );
  });

  test('booleans and nulls come back as they were', async () => {
    const values = [true, false, null, true];
    expect(booleanArray(values)).toBe('{t,f,NULL,t}');
    expect(await readBack<boolean>(booleanArray(values), 'boolean')).toEqual(values);
  });
});
