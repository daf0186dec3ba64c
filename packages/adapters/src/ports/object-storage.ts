/**
 * The `ObjectStorage` port: bytes under a key, with presigned links so a
 * browser or a partner uploads and downloads directly without holding our
 * credentials. Implementations: the filesystem (`@clinicbridge/adapters/filesystem`,
 * links served by the ClinicBridge server itself), S3-compatible stores
 * (`@clinicbridge/adapters/s3`), and an in-memory fake for tests.
 *
 * Keys are relative `/`-separated paths (`invoices/ettn-1.pdf`); every
 * implementation refuses the same bad keys, so a key that works on the
 * filesystem in development works on S3 in production.
 */

/**
 * What is known of a stored object.
 *
 * @example
 * const info: StoredObject = { key: 'exports/exp_1.csv', size: 1024, contentType: 'text/csv', metadata: {}, lastModified: new Date() };
 */
export interface StoredObject {
  key: string;
  size: number;
  contentType?: string;
  /** Hex SHA-256 of the bytes, where the store computed or kept it. */
  sha256?: string;
  /** Small string metadata given at `put` (never personal data). */
  metadata: Record<string, string>;
  lastModified: Date;
}

/**
 * A stored object with its bytes, read as they stream.
 *
 * @example
 * const object = await storage.get('exports/exp_1.csv');
 * for await (const chunk of object?.body ?? []) process(chunk);
 */
export interface StoredObjectBody extends StoredObject {
  body: AsyncIterable<Uint8Array>;
}

/**
 * A request someone else may make once, until `expiresAt`: the method, the
 * URL (credentials in its query string) and the headers it must carry.
 *
 * @example
 * const link = await storage.presignPut('uploads/file.csv', { contentType: 'text/csv' });
 * await fetch(link.url, { method: link.method, headers: link.headers, body });
 */
export interface PresignedRequest {
  url: string;
  method: 'PUT' | 'GET';
  headers: Record<string, string>;
  expiresAt: Date;
}

/**
 * Options of {@link ObjectStorage.put}.
 *
 * @example
 * await storage.put(key, bytes, { contentType: 'application/pdf', maxBytes: 10_000_000 });
 */
export interface PutOptions {
  contentType?: string;
  metadata?: Record<string, string>;
  /** Refuse (`too_large`) as soon as the streamed body passes this many bytes. */
  maxBytes?: number;
}

/**
 * Options of {@link ObjectStorage.presignPut}.
 *
 * @example
 * await storage.presignPut(key, { expiresInSeconds: 600, contentType: 'text/csv', maxBytes: 5_000_000 });
 */
export interface PresignPutOptions {
  /** Default 900 (15 minutes), at most 3600. */
  expiresInSeconds?: number;
  /** The uploader must send exactly this `Content-Type`. */
  contentType?: string;
  /** The largest body the link accepts, where the store can enforce it. */
  maxBytes?: number;
  /**
   * The exact size of the upload, part of the signature: S3 signs it as
   * `Content-Length` (a body of another size is refused by S3), the
   * filesystem store takes it as the largest body.
   */
  contentLength?: number;
}

/**
 * Options of {@link ObjectStorage.presignGet}.
 *
 * @example
 * await storage.presignGet(key, { expiresInSeconds: 300, downloadName: 'revenue-2026-11.csv' });
 */
export interface PresignGetOptions {
  /** Default 900 (15 minutes), at most 3600. */
  expiresInSeconds?: number;
  /** File name offered to the browser (`Content-Disposition: attachment`). */
  downloadName?: string;
}

/**
 * An object store.
 *
 * @example
 * const stored = await storage.put('invoices/ettn-1.pdf', pdfBytes, { contentType: 'application/pdf' });
 * const link = await storage.presignGet(stored.key);
 */
export interface ObjectStorage {
  /** `filesystem`, `s3`, `memory`. */
  readonly kind: string;
  put(
    key: string,
    body: Uint8Array | AsyncIterable<Uint8Array>,
    options?: PutOptions,
  ): Promise<StoredObject>;
  /** The object with its bytes, or undefined when there is none. */
  get(key: string): Promise<StoredObjectBody | undefined>;
  head(key: string): Promise<StoredObject | undefined>;
  /** Removes the object; removing an absent one is not an error. */
  delete(key: string): Promise<void>;
  presignPut(key: string, options?: PresignPutOptions): Promise<PresignedRequest>;
  presignGet(key: string, options?: PresignGetOptions): Promise<PresignedRequest>;
}

/**
 * Why a storage call failed.
 *
 * @example
 * if (isStorageError(error) && error.code === 'too_large') return reply(413);
 */
export type StorageErrorCode =
  | 'invalid_key'
  | 'not_found'
  | 'too_large'
  | 'expired'
  | 'bad_signature'
  | 'unavailable';

const STORAGE_MESSAGES: Record<StorageErrorCode, string> = {
  invalid_key:
    'The object key is not allowed: use a relative path of letters, digits and -_.!*\'() separated by "/", without "..".',
  not_found: 'No object is stored under this key.',
  too_large: 'The object is larger than allowed; send a smaller file.',
  expired: 'The link has expired; ask for a new one.',
  bad_signature: 'The link is not valid for this request; ask for a new one.',
  unavailable: 'The object store is unavailable; retry later.',
};

/**
 * The one error type of object storage.
 *
 * @example
 * throw new StorageError('invalid_key');
 */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  readonly code: StorageErrorCode;
  /** HTTP status of the store's answer, when there was one. */
  readonly status: number | undefined;
  constructor(code: StorageErrorCode, options: { status?: number; cause?: unknown } = {}) {
    super(STORAGE_MESSAGES[code], options.cause === undefined ? {} : { cause: options.cause });
    this.code = code;
    this.status = options.status;
  }
}

/**
 * True for a {@link StorageError} from any copy of this package.
 *
 * @example
 * try { await storage.put(key, bytes); } catch (e) { if (isStorageError(e)) console.log(e.code); }
 */
export function isStorageError(value: unknown): value is StorageError {
  return value instanceof Error && value.name === 'StorageError' && 'code' in value;
}

const KEY_SEGMENT = /^[A-Za-z0-9!_.*'()-]+$/;
const MAX_KEY_BYTES = 1024;

/**
 * Checks a key: relative, `/`-separated, no empty, `.` or `..` segment, only
 * S3's "safe" characters, at most 1024 bytes. Returns the key.
 *
 * @example
 * assertObjectKey('docs/ten_1/case-9/scan.pdf'); // ok
 * assertObjectKey('../etc/passwd'); // throws StorageError('invalid_key')
 */
export function assertObjectKey(key: string): string {
  const valid =
    typeof key === 'string' &&
    key.length > 0 &&
    Buffer.byteLength(key) <= MAX_KEY_BYTES &&
    key.split('/').every((part) => KEY_SEGMENT.test(part) && part !== '.' && part !== '..');
  if (!valid) throw new StorageError('invalid_key');
  return key;
}

/** Default and largest lifetime of a presigned link, in seconds. */
export const PRESIGN_DEFAULT_SECONDS = 900;
export const PRESIGN_MAX_SECONDS = 3600;

/**
 * The lifetime of a link: the default when unset, refused when outside 1..3600 s.
 *
 * @example
 * presignLifetime(undefined); // 900
 */
export function presignLifetime(seconds: number | undefined): number {
  const value = seconds ?? PRESIGN_DEFAULT_SECONDS;
  if (!Number.isInteger(value) || value < 1 || value > PRESIGN_MAX_SECONDS) {
    throw new RangeError(
      `expiresInSeconds must be a whole number from 1 to ${PRESIGN_MAX_SECONDS}`,
    );
  }
  return value;
}

/**
 * Reads a body into memory, refusing (`too_large`) once it passes `maxBytes`.
 *
 * @example
 * const bytes = await collectBytes(object.body, 10_000_000);
 */
export async function collectBytes(
  body: Uint8Array | AsyncIterable<Uint8Array>,
  maxBytes = Number.POSITIVE_INFINITY,
): Promise<Uint8Array> {
  if (body instanceof Uint8Array) {
    if (body.byteLength > maxBytes) throw new StorageError('too_large');
    return body;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new StorageError('too_large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
