/**
 * The batch sealer of field encryption (createFieldSealer): values sealed
 * with a shared data key open with decryptField exactly like values sealed
 * alone, stay bound to their own row, get a fresh data key every
 * `valuesPerKey` values, and follow key rotation.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import {
  createFieldSealer,
  decryptField,
  encryptField,
  FieldDecryptionError,
  type FieldLocation,
  generateKey,
  keyIdOf,
  MAX_VALUES_PER_DATA_KEY,
  parseKeyRing,
} from './field-encryption.ts';

const indexKey = generateKey();
const oldKey = `k-old:${generateKey()}`;
const newKey = `k-new:${generateKey()}`;
const ring = parseKeyRing(oldKey, indexKey);

const at = (rowId: string): FieldLocation => ({
  tenantId: 'ten_sealer',
  table: 'patients',
  column: 'pii',
  rowId,
});

/** pii1 . kid . wrapped DEK . sealed value */
const parts = (stored: string) => stored.split('.') as [string, string, string, string];

describe('createFieldSealer', () => {
  test('each value opens for its own row, with its own nonce, under one wrapped data key', () => {
    const sealer = createFieldSealer(ring);
    // 600 values: nonces come from a pool of 256, refilled twice on the way.
    const values = Array.from({ length: 600 }, (_, i) => `{"email":"p${i}@example.test"}`);
    const stored = values.map((value, i) => sealer.seal(value, at(`pat_${i}`)));
    stored.forEach((s, i) => {
      expect(keyIdOf(s)).toBe('k-old');
      expect(decryptField(ring, s, at(`pat_${i}`))).toBe(values[i]);
    });
    expect(new Set(stored.map((s) => parts(s)[2])).size).toBe(1);
    const nonces = stored.map((s) => Buffer.from(parts(s)[3], 'base64url').subarray(0, 12));
    expect(new Set(nonces.map((n) => n.toString('hex'))).size).toBe(stored.length);
  });

  test('the same text sealed twice differs, and neither opens for another row', () => {
    const sealer = createFieldSealer(ring);
    const first = sealer.seal('{"phone":"+905321234567"}', at('pat_a'));
    const second = sealer.seal('{"phone":"+905321234567"}', at('pat_b'));
    expect(parts(first)[3]).not.toBe(parts(second)[3]);
    expect(() => decryptField(ring, first, at('pat_b'))).toThrow(FieldDecryptionError);
    expect(() => decryptField(ring, second, { ...at('pat_b'), tenantId: 'ten_other' })).toThrow(
      FieldDecryptionError,
    );
    // Two rows of one batch share the data key: swapping their sealed values still fails.
    const swapped = [...parts(first).slice(0, 3), parts(second)[3]].join('.');
    expect(() => decryptField(ring, swapped, at('pat_a'))).toThrow(FieldDecryptionError);
    const altered = Buffer.from(parts(first)[3], 'base64url');
    altered.writeUInt8(altered.readUInt8(altered.length - 1) ^ 1, altered.length - 1);
    const tampered = [...parts(first).slice(0, 3), altered.toString('base64url')].join('.');
    expect(() => decryptField(ring, tampered, at('pat_a'))).toThrow(FieldDecryptionError);
  });

  test('a fresh data key every valuesPerKey values, and at most MAX_VALUES_PER_DATA_KEY', () => {
    const sealer = createFieldSealer(ring, 3);
    const wrapped = Array.from({ length: 7 }, (_, i) => parts(sealer.seal('x', at(`pat_${i}`)))[2]);
    expect(wrapped[0]).toBe(wrapped[2]);
    expect(wrapped[3]).not.toBe(wrapped[2]);
    expect(wrapped[3]).toBe(wrapped[5]);
    expect(wrapped[6]).not.toBe(wrapped[5]);

    const full = createFieldSealer(ring);
    const keys = new Set(
      Array.from(
        { length: MAX_VALUES_PER_DATA_KEY + 1 },
        (_, i) => parts(full.seal('y', at(`pat_${i}`)))[2],
      ),
    );
    expect(keys.size).toBe(2);
    for (const bad of [0, -1, 1.5, MAX_VALUES_PER_DATA_KEY + 1]) {
      expect(() => createFieldSealer(ring, bad)).toThrow(RangeError);
    }
  });

  test('rotation: values sealed under the old key open while it is listed, are re-sealed under the new one, and then need only it', () => {
    const sealer = createFieldSealer(ring);
    const stored = ['{"a":1}', '{"a":2}'].map((v, i) => sealer.seal(v, at(`pat_r${i}`)));
    const rotated = parseKeyRing(`${newKey},${oldKey}`, indexKey);
    const newOnly = parseKeyRing(newKey, indexKey);
    const resealed = stored.map((s, i) =>
      encryptField(rotated, decryptField(rotated, s, at(`pat_r${i}`)), at(`pat_r${i}`)),
    );
    expect(resealed.map(keyIdOf)).toEqual(['k-new', 'k-new']);
    expect(resealed.map((s, i) => decryptField(newOnly, s, at(`pat_r${i}`)))).toEqual([
      '{"a":1}',
      '{"a":2}',
    ]);
    expect(() => decryptField(newOnly, stored[0]!, at('pat_r0'))).toThrow(/k-old, which is not/);
    // A sealer on the rotated ring seals under the new (active) key.
    const next = createFieldSealer(rotated).seal('{"a":3}', at('pat_r3'));
    expect(keyIdOf(next)).toBe('k-new');
    expect(decryptField(newOnly, next, at('pat_r3'))).toBe('{"a":3}');
  });

  test('a wrong key ring fails authentication instead of returning garbage', () => {
    const stored = createFieldSealer(ring).seal('{"a":1}', at('pat_w'));
    const impostor = parseKeyRing(`k-old:${randomBytes(32).toString('base64')}`, indexKey);
    expect(() => decryptField(impostor, stored, at('pat_w'))).toThrow(FieldDecryptionError);
  });
});
