/**
 * `@clinicbridge/adapters/s3` — the `ObjectStorage` port on Amazon S3 or any
 * S3-compatible store (MinIO, Ceph, Garage, …; `forcePathStyle` for
 * self-hosted ones). Requests are signed with SigV4; calls run on the
 * resilience core's policies (timeout, retry of transient failures with
 * backoff and jitter, breaker, bulkhead) and report metrics and audit
 * events like every adapter. Objects are written with server-side
 * encryption (`AES256` unless set otherwise) and carry their SHA-256 as
 * `x-amz-meta-sha256`.
 *
 * A put is read into memory up to `maxBytes` (default 256 MiB) so its size
 * and hash are known before sending. A presigned PUT cannot limit the size
 * of what is uploaded beyond `contentLength`, which signs the exact size as
 * `Content-Length`: check `head()` before using an uploaded object.
 */
import type { AdapterOptions } from '../core/adapter-options.ts';
import { codeForStatus, isProviderError, ProviderError } from '../core/errors.ts';
import { noopMetrics, type RequestOutcome } from '../core/observability.ts';
import { createProviderPolicies } from '../core/policies.ts';
import {
  assertObjectKey,
  collectBytes,
  type ObjectStorage,
  type PresignedRequest,
  presignLifetime,
  StorageError,
  type StoredObject,
} from '../ports/object-storage.ts';
import {
  presignUrl,
  type SigningScope,
  sha256Hex,
  signHeaders,
  UNSIGNED_PAYLOAD,
} from './sigv4.ts';

export { presignUrl, sha256Hex, signHeaders, UNSIGNED_PAYLOAD } from './sigv4.ts';

/**
 * Settings of {@link createS3Storage}.
 *
 * @example
 * const options: S3StorageOptions = { endpoint: 'https://s3.eu-central-1.amazonaws.com', region: 'eu-central-1', bucket: 'clinic-files', accessKeyId, secretAccessKey };
 */
export interface S3StorageOptions
  extends Pick<AdapterOptions, 'metrics' | 'audit' | 'policies' | 'timeoutMs' | 'fetch'> {
  /** `https://s3.<region>.amazonaws.com`, or a self-hosted store's URL. */
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key`. Default false. */
  forcePathStyle?: boolean;
  /** `x-amz-server-side-encryption` of every write; `false` leaves it out. Default `AES256`. */
  serverSideEncryption?: 'AES256' | 'aws:kms' | false;
  /** Largest object `put` accepts when the call gives no `maxBytes`. Default 256 MiB. */
  maxObjectBytes?: number;
  now?: () => Date;
}

const PROVIDER = 's3';

/**
 * Builds the S3 store.
 *
 * @example
 * const storage = createS3Storage({ endpoint: 'http://127.0.0.1:9000', region: 'us-east-1', bucket: 'files', accessKeyId: 'minio', secretAccessKey: 'minio123', forcePathStyle: true });
 * const link = await storage.presignPut('uploads/leads.csv', { contentType: 'text/csv' });
 */
export function createS3Storage(options: S3StorageOptions): ObjectStorage {
  const scope: SigningScope = {
    accessKeyId: options.accessKeyId,
    secretAccessKey: options.secretAccessKey,
    region: options.region,
  };
  const now = options.now ?? (() => new Date());
  const doFetch = options.fetch ?? fetch;
  const metrics = options.metrics ?? noopMetrics;
  const policies = createProviderPolicies(options.policies);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const sse = options.serverSideEncryption ?? 'AES256';
  const endpoint = new URL(options.endpoint);

  const objectUrl = (key: string): URL => {
    const path = assertObjectKey(key).split('/').map(encodeURIComponent).join('/');
    if (options.forcePathStyle) {
      return new URL(
        `${endpoint.origin}${endpoint.pathname.replace(/\/+$/, '')}/${options.bucket}/${path}`,
      );
    }
    return new URL(`${endpoint.protocol}//${options.bucket}.${endpoint.host}/${path}`);
  };

  /** One signed request on the policies; 404 is an answer, not an error. */
  async function request(
    operation: string,
    method: 'GET' | 'HEAD' | 'PUT' | 'DELETE',
    url: URL,
    init: {
      headers?: Record<string, string>;
      body?: Uint8Array<ArrayBuffer>;
      payloadHash?: string;
    } = {},
  ): Promise<Response> {
    const started = performance.now();
    let attempts = 0;
    const report = (outcome: RequestOutcome) => {
      void Promise.resolve(
        options.audit?.({
          provider: PROVIDER,
          operation,
          outcome,
          attempts,
          durationMs: Math.round(performance.now() - started),
          correlationId: crypto.randomUUID(),
          replayed: false,
          at: now().toISOString(),
        }),
      ).catch(() => undefined);
    };
    try {
      const response = await policies.execute(
        async () => {
          attempts += 1;
          const attemptStarted = performance.now();
          const headers = signHeaders(scope, now(), {
            method,
            url,
            headers: init.headers ?? {},
            payloadHash: init.payloadHash ?? sha256Hex(''),
          });
          delete headers.host;
          let reply: Response;
          try {
            reply = await doFetch(url, {
              method,
              headers,
              ...(init.body ? { body: init.body } : {}),
              signal: AbortSignal.timeout(timeoutMs),
            });
          } catch (error) {
            const code =
              (error as Error)?.name === 'TimeoutError' ? 'timeout' : 'provider_unavailable';
            metrics.requestCompleted({
              provider: PROVIDER,
              operation,
              status: code,
              durationSeconds: (performance.now() - attemptStarted) / 1000,
            });
            throw new ProviderError({ provider: PROVIDER, operation, code });
          }
          const outcome = reply.ok || reply.status === 404 ? 'ok' : codeForStatus(reply.status);
          metrics.requestCompleted({
            provider: PROVIDER,
            operation,
            status: outcome,
            durationSeconds: (performance.now() - attemptStarted) / 1000,
          });
          if (outcome !== 'ok') {
            await reply.body?.cancel();
            throw new ProviderError({
              provider: PROVIDER,
              operation,
              code: outcome,
              status: reply.status,
            });
          }
          return reply;
        },
        // Every S3 call is idempotent (a PUT of the same key and bytes writes the same object).
        { provider: PROVIDER, operation, mayRetry: () => true },
      );
      report('ok');
      return response;
    } catch (error) {
      if (isProviderError(error)) {
        metrics.errorRecorded({ provider: PROVIDER, errorType: error.code });
        report(error.code);
        throw new StorageError(error.status === 403 ? 'bad_signature' : 'unavailable', {
          ...(error.status !== undefined ? { status: error.status } : {}),
          cause: error,
        });
      }
      throw error;
    }
  }

  const describe = (key: string, response: Response): StoredObject => {
    const metadata: Record<string, string> = {};
    let sha256: string | undefined;
    response.headers.forEach((value, name) => {
      if (!name.startsWith('x-amz-meta-')) return;
      const field = name.slice('x-amz-meta-'.length);
      if (field === 'sha256') sha256 = value;
      else metadata[field] = value;
    });
    const contentType = response.headers.get('content-type');
    const modified = response.headers.get('last-modified');
    return {
      key,
      size: Number(response.headers.get('content-length') ?? 0),
      ...(contentType ? { contentType } : {}),
      ...(sha256 ? { sha256 } : {}),
      metadata,
      lastModified: modified ? new Date(modified) : now(),
    };
  };

  const presign = (
    method: 'PUT' | 'GET',
    key: string,
    seconds: number | undefined,
    headers: Record<string, string>,
    query: Record<string, string> = {},
  ): PresignedRequest => {
    const lifetime = presignLifetime(seconds);
    const when = now();
    const url = objectUrl(key);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    const signed = presignUrl(
      scope,
      when,
      { method, url, headers, payloadHash: UNSIGNED_PAYLOAD },
      lifetime,
    );
    return {
      url: signed.toString(),
      method,
      headers,
      expiresAt: new Date(when.getTime() + lifetime * 1000),
    };
  };

  return {
    kind: 's3',

    async put(key, body, putOptions = {}) {
      const url = objectUrl(key);
      const collected = await collectBytes(
        body,
        putOptions.maxBytes ?? options.maxObjectBytes ?? 256 * 1024 * 1024,
      );
      // fetch takes bytes over an ArrayBuffer only (not a SharedArrayBuffer).
      const bytes =
        collected.buffer instanceof ArrayBuffer
          ? (collected as Uint8Array<ArrayBuffer>)
          : Uint8Array.from(collected);
      const hash = sha256Hex(bytes);
      const headers: Record<string, string> = {
        'content-type': putOptions.contentType ?? 'application/octet-stream',
        'content-length': String(bytes.byteLength),
        'x-amz-meta-sha256': hash,
        ...(sse ? { 'x-amz-server-side-encryption': sse } : {}),
      };
      for (const [name, value] of Object.entries(putOptions.metadata ?? {})) {
        headers[`x-amz-meta-${name.toLowerCase()}`] = value;
      }
      await request('storage.put', 'PUT', url, { headers, body: bytes, payloadHash: hash });
      return {
        key,
        size: bytes.byteLength,
        sha256: hash,
        ...(putOptions.contentType ? { contentType: putOptions.contentType } : {}),
        metadata: { ...(putOptions.metadata ?? {}) },
        lastModified: now(),
      };
    },

    async get(key) {
      const response = await request('storage.get', 'GET', objectUrl(key));
      if (response.status === 404) {
        await response.body?.cancel();
        return undefined;
      }
      const body = response.body;
      return { ...describe(key, response), body: body ?? emptyBody() };
    },

    async head(key) {
      const response = await request('storage.head', 'HEAD', objectUrl(key));
      return response.status === 404 ? undefined : describe(key, response);
    },

    async delete(key) {
      const response = await request('storage.delete', 'DELETE', objectUrl(key));
      await response.body?.cancel();
    },

    presignPut: async (key, presignOptions = {}) =>
      presign('PUT', key, presignOptions.expiresInSeconds, {
        ...(presignOptions.contentType ? { 'content-type': presignOptions.contentType } : {}),
        ...(presignOptions.contentLength !== undefined
          ? { 'content-length': String(exactLength(presignOptions.contentLength)) }
          : {}),
        ...(sse ? { 'x-amz-server-side-encryption': sse } : {}),
      }),

    presignGet: async (key, presignOptions = {}) =>
      presign(
        'GET',
        key,
        presignOptions.expiresInSeconds,
        {},
        presignOptions.downloadName
          ? {
              'response-content-disposition': `attachment; filename="${presignOptions.downloadName.replace(/["\\\r\n]/g, '_')}"`,
            }
          : {},
      ),
  };
}

function exactLength(value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError('contentLength must be a whole number of bytes');
  }
  return value;
}

async function* emptyBody(): AsyncIterable<Uint8Array> {}
