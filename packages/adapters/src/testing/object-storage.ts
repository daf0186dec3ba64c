/**
 * An in-memory `ObjectStorage` for tests: the same key rules, size limit and
 * hashes as the real stores. Presigned links are `memory://` URLs signed
 * with a per-instance key; `fetchPresigned` plays the store's side of them,
 * refusing expired or altered links like S3 would.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  assertObjectKey,
  collectBytes,
  type ObjectStorage,
  type PresignedRequest,
  presignLifetime,
  type StoredObject,
} from '../ports/object-storage.ts';

interface Entry extends StoredObject {
  bytes: Uint8Array;
}

/**
 * The in-memory store.
 *
 * @example
 * const storage = new InMemoryObjectStorage();
 * await storage.put('exports/a.csv', new TextEncoder().encode('a,b\n'));
 * storage.keys(); // ['exports/a.csv']
 */
export class InMemoryObjectStorage implements ObjectStorage {
  readonly kind = 'memory';
  readonly #objects = new Map<string, Entry>();
  readonly #secret = randomBytes(32);
  readonly #now: () => Date;

  constructor(options: { now?: () => Date } = {}) {
    this.#now = options.now ?? (() => new Date());
  }

  /** Every stored key, sorted. */
  keys(): string[] {
    return [...this.#objects.keys()].sort();
  }

  async put(
    key: string,
    body: Uint8Array | AsyncIterable<Uint8Array>,
    options: { contentType?: string; metadata?: Record<string, string>; maxBytes?: number } = {},
  ): Promise<StoredObject> {
    assertObjectKey(key);
    const bytes = await collectBytes(body, options.maxBytes);
    const entry: Entry = {
      key,
      size: bytes.byteLength,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      ...(options.contentType ? { contentType: options.contentType } : {}),
      metadata: { ...(options.metadata ?? {}) },
      lastModified: this.#now(),
      bytes: Uint8Array.from(bytes),
    };
    this.#objects.set(key, entry);
    const { bytes: _, ...info } = entry;
    return info;
  }

  async get(key: string) {
    const entry = this.#objects.get(assertObjectKey(key));
    if (!entry) return undefined;
    const { bytes, ...info } = entry;
    return { ...info, body: once(bytes) };
  }

  async head(key: string): Promise<StoredObject | undefined> {
    const entry = this.#objects.get(assertObjectKey(key));
    if (!entry) return undefined;
    const { bytes: _, ...info } = entry;
    return info;
  }

  async delete(key: string): Promise<void> {
    this.#objects.delete(assertObjectKey(key));
  }

  async presignPut(
    key: string,
    options: { expiresInSeconds?: number; contentType?: string; maxBytes?: number } = {},
  ): Promise<PresignedRequest> {
    return this.#presign('PUT', key, options.expiresInSeconds, options.contentType);
  }

  async presignGet(key: string, options: { expiresInSeconds?: number } = {}) {
    return this.#presign('GET', key, options.expiresInSeconds);
  }

  /**
   * The store's side of a presigned link: a PUT stores `body`, a GET returns
   * the bytes; an expired or altered link is a 403 like S3's.
   *
   * @example
   * const res = await storage.fetchPresigned(link, bytes);
   */
  async fetchPresigned(link: PresignedRequest, body?: Uint8Array): Promise<Response> {
    const url = new URL(link.url);
    const key = decodeURIComponent(url.pathname.replace(/^\/+/, ''));
    const expires = Number(url.searchParams.get('expires'));
    const given = Buffer.from(url.searchParams.get('signature') ?? '', 'hex');
    const expected = Buffer.from(
      this.#sign(link.method, key, expires, url.searchParams.get('type')),
      'hex',
    );
    if (given.byteLength !== expected.byteLength || !timingSafeEqual(given, expected)) {
      return new Response('SignatureDoesNotMatch', { status: 403 });
    }
    if (expires * 1000 <= this.#now().getTime())
      return new Response('AccessDenied: expired', { status: 403 });
    if (link.method === 'PUT') {
      const contentType = url.searchParams.get('type');
      await this.put(key, body ?? new Uint8Array(), contentType ? { contentType } : {});
      return new Response(null, { status: 200 });
    }
    const entry = this.#objects.get(key);
    if (!entry) return new Response('NoSuchKey', { status: 404 });
    return new Response(Uint8Array.from(entry.bytes), { status: 200 });
  }

  #presign(
    method: 'PUT' | 'GET',
    key: string,
    seconds?: number,
    contentType?: string,
  ): PresignedRequest {
    assertObjectKey(key);
    const expires = Math.floor(this.#now().getTime() / 1000) + presignLifetime(seconds);
    const query = new URLSearchParams({ expires: String(expires) });
    if (contentType) query.set('type', contentType);
    query.set('signature', this.#sign(method, key, expires, contentType ?? null));
    return {
      url: `memory://storage/${key.split('/').map(encodeURIComponent).join('/')}?${query}`,
      method,
      headers: contentType && method === 'PUT' ? { 'content-type': contentType } : {},
      expiresAt: new Date(expires * 1000),
    };
  }

  #sign(method: string, key: string, expires: number, contentType: string | null): string {
    return createHmac('sha256', this.#secret)
      .update(`${method}\n${key}\n${expires}\n${contentType ?? ''}`)
      .digest('hex');
  }
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield Uint8Array.from(bytes);
}
