import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { base64Bytes, sha256Hex } from './sha256.ts';

test('sha256Hex agrees with node:crypto on any bytes, across block boundaries', () => {
  for (const size of [0, 1, 55, 56, 63, 64, 65, 1000]) {
    const bytes = randomBytes(size);
    expect(sha256Hex(bytes)).toBe(createHash('sha256').update(bytes).digest('hex'));
  }
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      expect(sha256Hex(bytes)).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(base64Bytes(Buffer.from(bytes).toString('base64'))).toEqual(bytes);
    }),
  );
});
