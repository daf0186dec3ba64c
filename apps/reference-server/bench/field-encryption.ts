/**
 * Benchmark: CPU per value of field encryption at rest (`encryptField`,
 * `decryptField`: a fresh data key per value, wrapped by the ring's key),
 * against one AES-256-GCM seal of the same value with a key prepared once,
 * in the same run: the least any encryption of the value costs. Every
 * patient's personal data and every stored webhook body goes through these.
 * Run: `node bench/field-encryption.ts` (from apps/reference-server).
 */
import { createCipheriv, createSecretKey, randomBytes } from 'node:crypto';
import {
  decryptField,
  encryptField,
  generateKey,
  parseKeyRing,
} from '../src/crypto/field-encryption.ts';
import { cpuMicrosPerCall, interleavedMedians } from './delivery-lib.ts';

const VALUES = Number(process.env.BENCH_VALUES ?? 20_000);
const ROUNDS = 3;
const ring = parseKeyRing(`bench:${generateKey()}`, generateKey());
const at = { tenantId: 'ten_bench', table: 'patients', column: 'pii', rowId: 'pat_bench' };
const plaintext = JSON.stringify({
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  phone: '+905551112233',
  passport: 'U12345678',
});

const key = createSecretKey(randomBytes(32));
const iv = randomBytes(12);
const plainBytes = Buffer.from(plaintext);
const oneSeal = () => {
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  Buffer.concat([cipher.update(plainBytes), cipher.final(), cipher.getAuthTag()]);
};
let stored = encryptField(ring, plaintext, at);
const medians = await interleavedMedians(ROUNDS, {
  floor: () => cpuMicrosPerCall(VALUES, oneSeal),
  encrypt: () =>
    cpuMicrosPerCall(VALUES, () => {
      stored = encryptField(ring, plaintext, at);
    }),
  decrypt: () =>
    cpuMicrosPerCall(VALUES, () => {
      if (decryptField(ring, stored, at) !== plaintext) throw new Error('round trip failed');
    }),
});
const floor = medians.floor;
console.log(
  `Field encryption, ${VALUES.toLocaleString('en-US')} values × ${ROUNDS} rounds, ${plaintext.length}-byte value, Node ${process.version} (CPU µs per value, median)`,
);
console.log(
  `one AES-256-GCM seal, key prepared once   ${floor.toFixed(1).padStart(5)} µs   (baseline)`,
);
for (const name of ['encrypt', 'decrypt'] as const) {
  const micros = medians[name];
  console.log(
    `${`${name}Field (data key wrapped per value)`.padEnd(41)} ${micros.toFixed(1).padStart(5)} µs   ${(micros / floor).toFixed(1)}× the baseline`,
  );
}
