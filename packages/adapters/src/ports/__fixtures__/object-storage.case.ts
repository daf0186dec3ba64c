/**
 * The conformance suite every `ObjectStorage` implementation must pass: the
 * filesystem store, the S3 adapter against a local S3-compatible server, and
 * the in-memory fake. Presigned links are exercised through `send`, which
 * makes the request the way its holder would (a browser, a partner).
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  isStorageError,
  type ObjectStorage,
  type PresignedRequest,
  StorageError,
} from '../object-storage.ts';

export interface ObjectStorageHarness {
  name: string;
  setup(): Promise<{
    storage: ObjectStorage;
    /** Makes the request a presigned link describes, as its holder would. */
    send(
      link: PresignedRequest,
      body?: Uint8Array,
      headers?: Record<string, string>,
    ): Promise<Response>;
    /** Moves the store's clock forward (links expire). */
    advance(seconds: number): void;
    close?(): Promise<void>;
  }>;
}

const text = (value: string) => new TextEncoder().encode(value);

async function readAll(body: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function* chunked(parts: string[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield text(part);
}

export function describeObjectStorageConformance(harness: ObjectStorageHarness): void {
  describe(`ObjectStorage conformance: ${harness.name}`, () => {
    let env: Awaited<ReturnType<ObjectStorageHarness['setup']>>;
    beforeAll(async () => {
      env = await harness.setup();
    });
    afterAll(async () => {
      await env?.close?.();
    });

    test('put then get returns the bytes, size, type, metadata and SHA-256', async () => {
      const stored = await env.storage.put('conformance/a/hello.txt', text('hello, Ş ₹'), {
        contentType: 'text/plain; charset=utf-8',
        metadata: { tenant: 'ten_1' },
      });
      expect(stored.size).toBe(Buffer.byteLength('hello, Ş ₹'));
      expect(stored.sha256).toBe(createHash('sha256').update('hello, Ş ₹').digest('hex'));
      const read = await env.storage.get('conformance/a/hello.txt');
      expect(read).toBeDefined();
      expect(await readAll(read?.body ?? chunked([]))).toBe('hello, Ş ₹');
      expect(read?.size).toBe(stored.size);
      expect(read?.contentType).toBe('text/plain; charset=utf-8');
      expect(read?.metadata).toMatchObject({ tenant: 'ten_1' });
      expect(read?.sha256).toBe(stored.sha256);
    });

    test('a streamed body is stored whole', async () => {
      const stored = await env.storage.put(
        'conformance/streamed.csv',
        chunked(['a,b\n', '1,2\n', '3,4\n']),
      );
      expect(stored.size).toBe(12);
      const head = await env.storage.head('conformance/streamed.csv');
      expect(head?.size).toBe(12);
    });

    test('an absent key reads as undefined; delete is idempotent', async () => {
      expect(await env.storage.get('conformance/absent.bin')).toBeUndefined();
      expect(await env.storage.head('conformance/absent.bin')).toBeUndefined();
      await env.storage.put('conformance/gone.bin', text('x'));
      await env.storage.delete('conformance/gone.bin');
      await env.storage.delete('conformance/gone.bin');
      expect(await env.storage.head('conformance/gone.bin')).toBeUndefined();
    });

    test('a put over maxBytes is refused while streaming and stores nothing', async () => {
      const error = await env.storage
        .put('conformance/big.bin', chunked(['0123456789', '0123456789']), { maxBytes: 15 })
        .catch((e: unknown) => e);
      expect(isStorageError(error) && error.code).toBe('too_large');
      expect(await env.storage.head('conformance/big.bin')).toBeUndefined();
    });

    test.each([
      '../escape',
      '/absolute',
      'a//b',
      'a/./b',
      'a/../b',
      '',
      'spaces are not allowed',
      'new\nline',
      `${'k'.repeat(1025)}`,
    ])('the key %j is refused', async (key) => {
      const error = await env.storage.put(key, text('x')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(isStorageError(error) && error.code).toBe('invalid_key');
      await expect(env.storage.presignGet(key)).rejects.toThrow(StorageError);
    });

    test('a presigned PUT uploads and a presigned GET downloads', async () => {
      const put = await env.storage.presignPut('conformance/upload.csv', {
        contentType: 'text/csv',
      });
      expect(put.method).toBe('PUT');
      expect(put.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(900_000 + 5_000);
      const uploaded = await env.send(put, text('id,name\n1,x\n'));
      expect(uploaded.status).toBeLessThan(300);
      const head = await env.storage.head('conformance/upload.csv');
      expect(head?.size).toBe(12);
      const get = await env.storage.presignGet('conformance/upload.csv');
      const downloaded = await env.send(get);
      expect(downloaded.status).toBe(200);
      expect(await downloaded.text()).toBe('id,name\n1,x\n');
    });

    test('an altered link is refused', async () => {
      await env.storage.put('conformance/secret.txt', text('s'));
      const get = await env.storage.presignGet('conformance/secret.txt');
      const url = new URL(get.url);
      const signatureName = [...url.searchParams.keys()].find((k) => /signature/i.test(k)) ?? '';
      const value = url.searchParams.get(signatureName) ?? '';
      url.searchParams.set(
        signatureName,
        `${value.slice(0, -1)}${value.endsWith('0') ? '1' : '0'}`,
      );
      const refused = await env.send({ ...get, url: url.toString() });
      expect(refused.status).toBe(403);
      await refused.body?.cancel();
    });

    test('an expired link is refused', async () => {
      await env.storage.put('conformance/late.txt', text('late'));
      const get = await env.storage.presignGet('conformance/late.txt', { expiresInSeconds: 60 });
      env.advance(61);
      const refused = await env.send(get);
      expect(refused.status).toBe(403);
      await refused.body?.cancel();
      env.advance(-61);
    });

    test('link lifetimes outside 1..3600 s are refused', async () => {
      await expect(
        env.storage.presignGet('conformance/x', { expiresInSeconds: 3601 }),
      ).rejects.toThrow(RangeError);
      await expect(
        env.storage.presignPut('conformance/x', { expiresInSeconds: 0 }),
      ).rejects.toThrow(RangeError);
    });
  });
}
