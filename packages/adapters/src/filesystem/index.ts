/**
 * `@clinicbridge/adapters/filesystem` — the `ObjectStorage` port on a local
 * directory: the default of a self-hosted server. Writes stream to a
 * temporary file (hashed and size-checked on the way) and are renamed into
 * place, so a reader never sees half an object and a crash leaves none.
 *
 * Presigned links point at the server that serves this directory
 * (`<baseUrl>/storage/objects/<key>?…`), signed with HMAC-SHA256 over the
 * method, key, expiry and limits; the server checks them with
 * {@link FilesystemStorage.verifyPresigned} before reading or writing.
 */
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  assertObjectKey,
  type ObjectStorage,
  type PresignedRequest,
  type PresignGetOptions,
  type PresignPutOptions,
  type PutOptions,
  presignLifetime,
  StorageError,
  type StoredObject,
  type StoredObjectBody,
} from '../ports/object-storage.ts';

/**
 * Settings of {@link createFilesystemStorage}.
 *
 * @example
 * const options: FilesystemStorageOptions = { root: './.data/objects', baseUrl: 'https://clinic.example', signingSecret };
 */
export interface FilesystemStorageOptions {
  /** Directory holding the objects (created when missing). */
  root: string;
  /** Public base URL of the server serving `/storage/objects/…`. */
  baseUrl: string;
  /** HMAC key of presigned links (at least 32 bytes). */
  signingSecret: string | Uint8Array;
  now?: () => Date;
}

/**
 * What a valid presigned link allows.
 *
 * @example
 * const grant = storage.verifyPresigned('PUT', key, url.searchParams);
 * await storage.put(key, body, { maxBytes: grant.maxBytes });
 */
export interface PresignedGrant {
  method: 'PUT' | 'GET';
  key: string;
  expiresAt: Date;
  maxBytes?: number;
  contentType?: string;
  downloadName?: string;
}

/**
 * The filesystem store, with the check its server route needs.
 *
 * @example
 * const grant = storage.verifyPresigned(c.req.method, key, new URL(c.req.url).searchParams);
 */
export interface FilesystemStorage extends ObjectStorage {
  readonly kind: 'filesystem';
  /** Checks a presigned link; throws `StorageError` `expired` or `bad_signature`. */
  verifyPresigned(method: string, key: string, query: URLSearchParams): PresignedGrant;
}

/** The path of the storage route, for servers mounting it. */
export const FILESYSTEM_STORAGE_PATH = '/storage/objects';

interface Meta {
  size: number;
  sha256: string;
  contentType?: string;
  metadata: Record<string, string>;
  lastModified: string;
}

/**
 * Builds the filesystem store.
 *
 * @example
 * const storage = createFilesystemStorage({ root: '/var/lib/clinicbridge/objects', baseUrl: 'https://clinic.example', signingSecret });
 * await storage.put('exports/exp_1.csv', bytes, { contentType: 'text/csv' });
 */
export function createFilesystemStorage(options: FilesystemStorageOptions): FilesystemStorage {
  const secret =
    typeof options.signingSecret === 'string'
      ? Buffer.from(options.signingSecret, 'utf8')
      : Buffer.from(options.signingSecret);
  if (secret.byteLength < 32) throw new RangeError('signingSecret must be at least 32 bytes');
  const now = options.now ?? (() => new Date());
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const dataPath = (key: string) =>
    join(options.root, 'objects', ...assertObjectKey(key).split('/'));
  const metaPath = (key: string) => `${join(options.root, 'meta', ...key.split('/'))}.json`;

  const sign = (grant: Omit<PresignedGrant, 'expiresAt'> & { expires: number }) =>
    createHmac('sha256', secret)
      .update(
        [
          grant.method,
          grant.key,
          grant.expires,
          grant.maxBytes ?? '',
          grant.contentType ?? '',
          grant.downloadName ?? '',
        ].join('\n'),
      )
      .digest('hex');

  const presign = (
    method: 'PUT' | 'GET',
    key: string,
    lifetime: number | undefined,
    limits: { maxBytes?: number; contentType?: string; downloadName?: string },
  ): PresignedRequest => {
    assertObjectKey(key);
    const expires = Math.floor(now().getTime() / 1000) + presignLifetime(lifetime);
    const query = new URLSearchParams({ method, expires: String(expires) });
    if (limits.maxBytes !== undefined) query.set('max', String(limits.maxBytes));
    if (limits.contentType !== undefined) query.set('type', limits.contentType);
    if (limits.downloadName !== undefined) query.set('name', limits.downloadName);
    query.set('signature', sign({ method, key, expires, ...limits }));
    const path = key.split('/').map(encodeURIComponent).join('/');
    return {
      url: `${baseUrl}${FILESYSTEM_STORAGE_PATH}/${path}?${query}`,
      method,
      headers: limits.contentType && method === 'PUT' ? { 'content-type': limits.contentType } : {},
      expiresAt: new Date(expires * 1000),
    };
  };

  const readMeta = async (key: string): Promise<StoredObject | undefined> => {
    let text: string;
    try {
      text = await readFile(metaPath(key), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StorageError('unavailable', { cause: error });
    }
    const meta = JSON.parse(text) as Meta;
    // The data file is renamed into place after its metadata; without it the put did not finish.
    const present = await stat(dataPath(key)).then(
      () => true,
      () => false,
    );
    if (!present) return undefined;
    return {
      key,
      size: meta.size,
      sha256: meta.sha256,
      ...(meta.contentType ? { contentType: meta.contentType } : {}),
      metadata: meta.metadata,
      lastModified: new Date(meta.lastModified),
    };
  };

  return {
    kind: 'filesystem',

    async put(key, body, putOptions: PutOptions = {}) {
      const target = dataPath(key);
      const temp = join(options.root, 'tmp', randomUUID());
      await mkdir(dirname(temp), { recursive: true });
      const hash = createHash('sha256');
      let size = 0;
      const maxBytes = putOptions.maxBytes ?? Number.POSITIVE_INFINITY;
      const file = await open(temp, 'w');
      try {
        const chunks = body instanceof Uint8Array ? [body] : body;
        for await (const chunk of chunks) {
          size += chunk.byteLength;
          if (size > maxBytes) throw new StorageError('too_large');
          hash.update(chunk);
          await file.write(chunk);
        }
        await file.sync();
      } catch (error) {
        await file.close();
        await rm(temp, { force: true });
        throw error;
      }
      await file.close();
      const meta: Meta = {
        size,
        sha256: hash.digest('hex'),
        ...(putOptions.contentType ? { contentType: putOptions.contentType } : {}),
        metadata: putOptions.metadata ?? {},
        lastModified: now().toISOString(),
      };
      await mkdir(dirname(metaPath(key)), { recursive: true });
      await mkdir(dirname(target), { recursive: true });
      const metaTemp = `${temp}.json`;
      await writeDurably(metaTemp, JSON.stringify(meta));
      await rename(metaTemp, metaPath(key));
      await rename(temp, target);
      return {
        key,
        size,
        sha256: meta.sha256,
        ...(meta.contentType ? { contentType: meta.contentType } : {}),
        metadata: meta.metadata,
        lastModified: new Date(meta.lastModified),
      };
    },

    async get(key): Promise<StoredObjectBody | undefined> {
      const info = await readMeta(assertObjectKey(key));
      if (!info) return undefined;
      return { ...info, body: createReadStream(dataPath(key)) };
    },

    head: (key) => readMeta(assertObjectKey(key)),

    async delete(key) {
      await rm(dataPath(key), { force: true });
      await rm(metaPath(key), { force: true });
    },

    presignPut: async (key, presignOptions: PresignPutOptions = {}) =>
      presign('PUT', key, presignOptions.expiresInSeconds, {
        ...(presignOptions.maxBytes !== undefined || presignOptions.contentLength !== undefined
          ? {
              maxBytes: Math.min(
                presignOptions.maxBytes ?? Number.POSITIVE_INFINITY,
                presignOptions.contentLength ?? Number.POSITIVE_INFINITY,
              ),
            }
          : {}),
        ...(presignOptions.contentType !== undefined
          ? { contentType: presignOptions.contentType }
          : {}),
      }),

    presignGet: async (key, presignOptions: PresignGetOptions = {}) =>
      presign('GET', key, presignOptions.expiresInSeconds, {
        ...(presignOptions.downloadName !== undefined
          ? { downloadName: presignOptions.downloadName }
          : {}),
      }),

    verifyPresigned(method, key, query) {
      const upper = method.toUpperCase();
      if ((upper !== 'PUT' && upper !== 'GET') || query.get('method') !== upper) {
        throw new StorageError('bad_signature');
      }
      assertObjectKey(key);
      const expires = Number(query.get('expires'));
      const max = query.get('max');
      const grant: Omit<PresignedGrant, 'expiresAt'> & { expires: number } = {
        method: upper,
        key,
        expires,
        ...(max !== null ? { maxBytes: Number(max) } : {}),
        ...(query.get('type') !== null ? { contentType: query.get('type') as string } : {}),
        ...(query.get('name') !== null ? { downloadName: query.get('name') as string } : {}),
      };
      const given = Buffer.from(query.get('signature') ?? '', 'hex');
      const expected = Buffer.from(sign(grant), 'hex');
      if (
        !Number.isInteger(expires) ||
        given.byteLength !== expected.byteLength ||
        !timingSafeEqual(given, expected)
      ) {
        throw new StorageError('bad_signature');
      }
      if (expires * 1000 <= now().getTime()) throw new StorageError('expired');
      const { expires: _, ...rest } = grant;
      return { ...rest, expiresAt: new Date(expires * 1000) };
    },
  };
}

async function writeDurably(path: string, text: string): Promise<void> {
  const file = await open(path, 'w');
  try {
    await file.writeFile(text);
    await file.sync();
  } finally {
    await file.close();
  }
}

/**
 * Serves a presigned link of a filesystem store: a web-standard handler
 * for `PUT|GET <baseUrl>/storage/objects/<key>?…`. A PUT streams into the
 * store within the link's size limit and content type; a GET streams the
 * object back. A refused link throws {@link StorageError} (`expired`,
 * `bad_signature`, `too_large`, `not_found`, `invalid_key`): the host turns
 * it into its own error response.
 *
 * @example
 * app.all('/storage/objects/*', (c) => servePresigned(storage, c.req.raw));
 */
export async function servePresigned(
  storage: FilesystemStorage,
  request: Request,
): Promise<Response> {
  const url = new URL(request.url);
  const prefix = `${FILESYSTEM_STORAGE_PATH}/`;
  const at = url.pathname.indexOf(prefix);
  if (at < 0) throw new StorageError('invalid_key');
  const key = url.pathname
    .slice(at + prefix.length)
    .split('/')
    .map((part) => {
      try {
        return decodeURIComponent(part);
      } catch {
        throw new StorageError('invalid_key');
      }
    })
    .join('/');
  const grant = storage.verifyPresigned(request.method, key, url.searchParams);
  if (grant.method === 'GET') {
    const object = await storage.get(key);
    if (!object) throw new StorageError('not_found');
    return new Response(toStream(object.body), {
      status: 200,
      headers: {
        'content-type': object.contentType ?? 'application/octet-stream',
        'content-length': String(object.size),
        'cache-control': 'private, no-store',
        'x-content-type-options': 'nosniff',
        ...(grant.downloadName
          ? {
              'content-disposition': `attachment; filename="${grant.downloadName.replace(/["\\\r\n]/g, '_')}"`,
            }
          : {}),
      },
    });
  }
  const contentType = request.headers.get('content-type') ?? undefined;
  if (grant.contentType !== undefined && contentType !== grant.contentType) {
    throw new StorageError('bad_signature');
  }
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (grant.maxBytes !== undefined && declared > grant.maxBytes) {
    throw new StorageError('too_large');
  }
  const stored = await storage.put(key, request.body ?? new Uint8Array(), {
    ...(contentType ? { contentType } : {}),
    ...(grant.maxBytes !== undefined ? { maxBytes: grant.maxBytes } : {}),
  });
  return new Response(null, { status: 200, headers: { etag: `"${stored.sha256}"` } });
}

function toStream(body: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const iterator = body[Symbol.asyncIterator]();
  return new ReadableStream({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}
