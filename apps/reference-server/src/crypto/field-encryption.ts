/**
 * Field encryption for personal data at rest: AES-256-GCM with envelope
 * keys. Each value gets its own random data key (DEK), which is wrapped by
 * a key-encryption key (KEK) of the key ring; the stored text names the
 * format version and the KEK's id, so a ring holding several KEKs opens
 * rows written under any of them while new rows use the active one (key
 * rotation). The associated data binds a ciphertext to its tenant, table,
 * column and row: copied onto another row, it fails to open instead of
 * showing another patient's data. A separate HMAC key gives blind indexes
 * for exact lookups (an email, a phone number) without decrypting.
 *
 *   pii1.<kid>.<wrapped DEK>.<sealed value>
 *
 * where the wrapped DEK and the sealed value are each base64url of
 * iv (12 bytes) ‖ AES-256-GCM ciphertext ‖ tag (16 bytes).
 *
 * A bulk writer (an import) seals through a {@link FieldSealer}: one data key
 * for up to {@link MAX_VALUES_PER_DATA_KEY} values, wrapped once. Each value
 * keeps its own nonce, tag and row-bound associated data, and each stored
 * text still carries its wrapped DEK, so reading, moving-detection and key
 * rotation treat it exactly as a value sealed alone.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  type KeyObject,
  randomBytes,
  randomFillSync,
} from 'node:crypto';

const FORMAT = 'pii1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * The keys of a process: KEKs by id (the first listed is active) and the blind-index key.
 *
 * @example
 * const ring = parseKeyRing('2026-12:…base64…', '…base64…');
 * ring.activeKid; // '2026-12'
 */
export interface KeyRing {
  readonly activeKid: string;
  readonly keks: ReadonlyMap<string, Buffer>;
  readonly indexKey: Buffer;
}

/**
 * Where a ciphertext belongs; every part is authenticated with it.
 *
 * @example
 * const at: FieldLocation = { tenantId: 'ten_1', table: 'patients', column: 'pii', rowId: 'pat_1' };
 */
export interface FieldLocation {
  readonly tenantId: string | null;
  readonly table: string;
  readonly column: string;
  readonly rowId: string;
}

/**
 * A stored value that could not be opened: tampered, moved to another row,
 * or written under a key the ring no longer holds. Never carries the value.
 *
 * @example
 * if (isFieldDecryptionError(error)) logger.error({ err: error }, 'encrypted field unreadable');
 */
export class FieldDecryptionError extends Error {
  override readonly name = 'FieldDecryptionError';
}

/**
 * True for a {@link FieldDecryptionError}, also across copies of this module.
 *
 * @example
 * isFieldDecryptionError(new FieldDecryptionError('x')); // true
 */
export function isFieldDecryptionError(value: unknown): value is FieldDecryptionError {
  return value instanceof Error && value.name === 'FieldDecryptionError';
}

function decodeKey(text: string, what: string): Buffer {
  const key = Buffer.from(text, 'base64');
  if (key.length !== KEY_BYTES || key.toString('base64') !== text.replace(/\s+/g, '')) {
    throw new Error(`${what} must be ${KEY_BYTES} bytes in standard base64 (44 characters)`);
  }
  return key;
}

/**
 * Parses `kid:base64key,kid:base64key` (first entry active) and the index key.
 * Errors name the entry's position, never a key.
 *
 * @example
 * parseKeyRing(`k1:${randomBytes(32).toString('base64')}`, randomBytes(32).toString('base64'));
 */
export function parseKeyRing(keks: string, indexKey: string): KeyRing {
  const map = new Map<string, Buffer>();
  const entries = keks
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new Error('at least one key (kid:base64key) is required');
  entries.forEach((entry, i) => {
    const colon = entry.indexOf(':');
    const kid = entry.slice(0, colon);
    if (colon < 0 || !KID_PATTERN.test(kid)) {
      throw new Error(`entry ${i + 1} must be kid:base64key, kid of 1–32 letters, digits, - or _`);
    }
    if (map.has(kid)) throw new Error(`entry ${i + 1} repeats the key id ${kid}`);
    map.set(kid, decodeKey(entry.slice(colon + 1), `the key of entry ${i + 1}`));
  });
  return {
    activeKid: entries[0]!.slice(0, entries[0]!.indexOf(':')),
    keks: map,
    indexKey: decodeKey(indexKey.trim(), 'the index key'),
  };
}

/**
 * A fresh random key in the configuration's base64 form.
 *
 * @example
 * `PII_ENCRYPTION_KEYS=2026-12:${generateKey()}`;
 */
export function generateKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

// Node turns a raw key into a KeyObject on every createCipheriv/createHmac
// (about 12 µs each); the ring's long-lived keys are turned once and kept.
// A data key is used once or twice, but even then `createSecretKey` plus a
// cipher on the KeyObject costs half of a cipher on the raw bytes (Node 24:
// 8–11 against 20–23 µs), so seal and open take KeyObjects only.
const keyObjects = new WeakMap<Buffer, KeyObject>();

function keyObjectOf(key: Buffer): KeyObject {
  let object = keyObjects.get(key);
  if (!object) {
    object = createSecretKey(key);
    keyObjects.set(key, object);
  }
  return object;
}

// Nonces for 256 values, drawn in one call (one call per nonce cost a
// bulk import 1.7 µs a value); each byte is handed out once, never reread.
const nonces = Buffer.alloc(IV_BYTES * 256);
let noncesAt = nonces.length;

function nextNonce(): Buffer {
  if (noncesAt + IV_BYTES > nonces.length) {
    randomFillSync(nonces);
    noncesAt = 0;
  }
  noncesAt += IV_BYTES;
  return Buffer.from(nonces.subarray(noncesAt - IV_BYTES, noncesAt));
}

function seal(key: KeyObject, plaintext: Buffer, aad: Buffer): Buffer {
  const iv = nextNonce();
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

function open(key: KeyObject, sealed: Buffer, aad: Buffer): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new Error('too short');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  return Buffer.concat([
    decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)),
    decipher.final(),
  ]);
}

const dekAad = (kid: string) => Buffer.from(`${FORMAT}:dek:${kid}`);
const dataAad = (kid: string, at: FieldLocation) =>
  Buffer.from(JSON.stringify([FORMAT, kid, at.tenantId ?? '', at.table, at.column, at.rowId]));

/**
 * Seals many values with few data keys; see {@link createFieldSealer}.
 *
 * @example
 * const stored = sealer.seal('{"email":"ada@example.com"}', { tenantId, table: 'patients', column: 'pii', rowId });
 */
export interface FieldSealer {
  seal(plaintext: string, at: FieldLocation): string;
}

/**
 * Values one data key seals at most before a {@link FieldSealer} draws the
 * next: far below AES-GCM's bound for random nonces (2^32 per key), and small
 * enough that one data key opens at most one batch of rows.
 *
 * @example
 * createFieldSealer(ring, MAX_VALUES_PER_DATA_KEY);
 */
export const MAX_VALUES_PER_DATA_KEY = 1_000;

/**
 * A sealer under the ring's active key that draws a fresh data key every
 * `valuesPerKey` values (at most {@link MAX_VALUES_PER_DATA_KEY}) and wraps
 * it once, instead of once per value. Its output is what
 * {@link encryptField} writes; {@link decryptField} opens it. Keep a sealer
 * for one batch of one tenant's rows, then drop it.
 *
 * @example
 * const sealer = createFieldSealer(ring);
 * const rows = patients.map((p) => ({ ...p, pii: sealer.seal(JSON.stringify(p.pii), locationOf(p)) }));
 */
export function createFieldSealer(
  ring: KeyRing,
  valuesPerKey: number = MAX_VALUES_PER_DATA_KEY,
): FieldSealer {
  if (
    !Number.isInteger(valuesPerKey) ||
    valuesPerKey < 1 ||
    valuesPerKey > MAX_VALUES_PER_DATA_KEY
  ) {
    throw new RangeError(`valuesPerKey must be an integer from 1 to ${MAX_VALUES_PER_DATA_KEY}`);
  }
  const kid = ring.activeKid;
  const kek = keyObjectOf(ring.keks.get(kid)!);
  let dek: KeyObject | undefined;
  let prefix = '';
  let sealed = 0;
  return {
    seal(plaintext, at) {
      if (dek === undefined || sealed >= valuesPerKey) {
        const raw = randomBytes(KEY_BYTES);
        prefix = `${FORMAT}.${kid}.${seal(kek, raw, dekAad(kid)).toString('base64url')}.`;
        dek = createSecretKey(raw);
        raw.fill(0);
        sealed = 0;
      }
      sealed += 1;
      const body = seal(dek, Buffer.from(plaintext, 'utf8'), dataAad(kid, at));
      return prefix + body.toString('base64url');
    },
  };
}

/**
 * Encrypts `plaintext` for `at` under the ring's active key, with a data key of its own.
 *
 * @example
 * const stored = encryptField(ring, '{"email":"ada@example.com"}', { tenantId, table: 'patients', column: 'pii', rowId });
 */
export function encryptField(ring: KeyRing, plaintext: string, at: FieldLocation): string {
  const kid = ring.activeKid;
  const dek = randomBytes(KEY_BYTES);
  const wrapped = seal(keyObjectOf(ring.keks.get(kid)!), dek, dekAad(kid));
  const body = seal(createSecretKey(dek), Buffer.from(plaintext, 'utf8'), dataAad(kid, at));
  dek.fill(0);
  return [FORMAT, kid, wrapped.toString('base64url'), body.toString('base64url')].join('.');
}

/**
 * The id of the key a stored value was written under, or null when it is not one.
 *
 * @example
 * keyIdOf(stored); // '2026-12'
 */
export function keyIdOf(stored: string): string | null {
  const parts = stored.split('.');
  return parts.length === 4 && parts[0] === FORMAT && KID_PATTERN.test(parts[1]!)
    ? parts[1]!
    : null;
}

/**
 * Decrypts a value written by {@link encryptField} for the same `at`.
 * Throws {@link FieldDecryptionError} rather than return anything unverified.
 *
 * @example
 * const json = decryptField(ring, row.pii, { tenantId, table: 'patients', column: 'pii', rowId: row.id });
 */
export function decryptField(ring: KeyRing, stored: string, at: FieldLocation): string {
  const kid = keyIdOf(stored);
  if (kid === null) {
    throw new FieldDecryptionError(`${at.table}.${at.column} of ${at.rowId} is not encrypted data`);
  }
  const kek = ring.keks.get(kid);
  if (!kek) {
    throw new FieldDecryptionError(
      `${at.table}.${at.column} of ${at.rowId} was encrypted under key ${kid}, which is not configured`,
    );
  }
  const [, , wrapped, body] = stored.split('.') as [string, string, string, string];
  try {
    const dek = open(keyObjectOf(kek), Buffer.from(wrapped, 'base64url'), dekAad(kid));
    const key = createSecretKey(dek);
    dek.fill(0);
    return open(key, Buffer.from(body, 'base64url'), dataAad(kid, at)).toString('utf8');
  } catch {
    throw new FieldDecryptionError(
      `${at.table}.${at.column} of ${at.rowId} failed authentication: it was altered or belongs to another row`,
    );
  }
}

/**
 * A blind index: HMAC-SHA256 of a normalised value under the index key,
 * scoped to a tenant and a field, so equal values match only within them.
 *
 * @example
 * blindIndex(ring, tenantId, 'email', 'Ada@Example.com') === blindIndex(ring, tenantId, 'email', 'ada@example.com'); // true
 */
export function blindIndex(ring: KeyRing, tenantId: string, field: string, value: string): string {
  return createHmac('sha256', keyObjectOf(ring.indexKey))
    .update(`${tenantId}\u0000${field}\u0000${value.trim().toLowerCase()}`)
    .digest('hex');
}
