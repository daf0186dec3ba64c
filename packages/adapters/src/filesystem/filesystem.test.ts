import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { describeObjectStorageConformance } from '../ports/__fixtures__/object-storage.case.ts';
import { isStorageError } from '../ports/object-storage.ts';
import { createFilesystemStorage, servePresigned } from './index.ts';

let offset = 0;
let root = '';
const now = () => new Date(Date.now() + offset * 1000);
const secret = randomBytes(32);

describeObjectStorageConformance({
  name: 'filesystem',
  setup: async () => {
    root = await mkdtemp(join(tmpdir(), 'cb-fs-storage-'));
    const storage = createFilesystemStorage({
      root,
      baseUrl: 'http://127.0.0.1:1/',
      signingSecret: secret,
      now,
    });
    return {
      storage,
      // What the server's route does: a refused link is a 403 (413 when too large).
      send: (link, body, headers) =>
        servePresigned(
          storage,
          new Request(link.url, {
            method: link.method,
            headers: { ...link.headers, ...headers },
            ...(body ? { body: Buffer.from(body) } : {}),
          }),
        ).catch((error: unknown) => {
          if (!isStorageError(error)) throw error;
          return new Response(null, { status: error.code === 'too_large' ? 413 : 403 });
        }),
      advance: (seconds) => {
        offset += seconds;
      },
    };
  },
});

afterAll(() => rm(root, { recursive: true, force: true }));

test('a presigned PUT over its size limit is refused and leaves no file behind', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cb-fs-limit-'));
  const storage = createFilesystemStorage({
    root: dir,
    baseUrl: 'http://x.test',
    signingSecret: secret,
  });
  const link = await storage.presignPut('up/big.bin', { maxBytes: 1000 });
  // No Content-Length: the limit holds while streaming.
  const body = new ReadableStream({
    start(controller) {
      for (let i = 0; i < 10; i += 1) controller.enqueue(new Uint8Array(500));
      controller.close();
    },
  });
  const refused = await servePresigned(
    storage,
    new Request(link.url, { method: 'PUT', body, duplex: 'half' } as RequestInit),
  ).catch((error: unknown) => error);
  expect(isStorageError(refused) && refused.code).toBe('too_large');
  expect(await storage.head('up/big.bin')).toBeUndefined();
  expect(await readdir(join(dir, 'tmp'))).toEqual([]);
  await rm(dir, { recursive: true, force: true });
});

test('a presigned PUT with another content type than signed is refused', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cb-fs-type-'));
  const storage = createFilesystemStorage({
    root: dir,
    baseUrl: 'http://x.test',
    signingSecret: secret,
  });
  const link = await storage.presignPut('up/a.csv', { contentType: 'text/csv' });
  const wrongType = await servePresigned(
    storage,
    new Request(link.url, { method: 'PUT', headers: { 'content-type': 'text/html' }, body: 'x' }),
  ).catch((error: unknown) => error);
  expect(isStorageError(wrongType) && wrongType.code).toBe('bad_signature');
  // A PUT link cannot be used to read.
  const asGet = await servePresigned(storage, new Request(link.url, { method: 'GET' })).catch(
    (error: unknown) => error,
  );
  expect(isStorageError(asGet) && asGet.code).toBe('bad_signature');
  await rm(dir, { recursive: true, force: true });
});

test('a short signing secret is refused', () => {
  expect(() =>
    createFilesystemStorage({ root: '/tmp/x', baseUrl: 'http://x.test', signingSecret: 'short' }),
  ).toThrow(/32 bytes/);
});
