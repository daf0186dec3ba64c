/**
 * Reading content given piece by piece (a background job's stored file):
 * records come out as from the whole text, a character whose UTF-16 halves
 * fall in two pieces is kept whole, binary content is still refused, and
 * the byte limit counts across pieces.
 */
import { describe, expect, test } from 'vitest';
import { importsConfig } from './config.ts';
import { type ImportContent, readRecords } from './read.ts';

const limits = importsConfig.parse({});

async function records(content: ImportContent, format: 'csv' | 'ndjson' = 'csv') {
  const out = [];
  for await (const record of readRecords(format, content, limits)) out.push(record);
  return out;
}

const pieces = (...texts: string[]) =>
  async function* () {
    yield* texts;
  };

describe('content in pieces', () => {
  test('the records are those of the whole text, a surrogate pair split between pieces kept whole', async () => {
    const whole = 'givenName,familyName\nA😀da,Şen\nCan,Er\n';
    const split = whole.indexOf('😀') + 1;
    const fromPieces = await records(pieces(whole.slice(0, split), whole.slice(split)));
    expect(fromPieces).toEqual(await records(whole));
    expect(fromPieces[0]?.cells).toEqual({ givenName: 'A😀da', familyName: 'Şen' });
  });

  test('NDJSON lines cut between pieces', async () => {
    const whole = '{"givenName":"Ada","familyName":"Er"}\n{"givenName":"Can","familyName":"Ak"}\n';
    expect(
      await records(pieces(whole.slice(0, 20), whole.slice(20, 50), whole.slice(50)), 'ndjson'),
    ).toEqual(await records(whole, 'ndjson'));
  });

  test('binary content is refused, and the byte limit counts every piece', async () => {
    await expect(records(pieces('PK\u0003\u0004', 'rest'))).rejects.toMatchObject({
      code: 'import_unreadable',
    });
    const small = importsConfig.parse({ IMPORT_MAX_BYTES: '1024' });
    const read = async () => {
      for await (const _ of readRecords(
        'csv',
        pieces('a,b\n', '1,2\n'.repeat(200), '3,4\n'.repeat(200)),
        small,
      ));
    };
    await expect(read()).rejects.toMatchObject({ code: 'import_too_large' });
  });
});
