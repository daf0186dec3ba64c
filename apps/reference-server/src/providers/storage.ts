/**
 * Object storage: S3 (or any S3-compatible store) when `S3_BUCKET` and its
 * credentials are set, else the filesystem under the data directory. The
 * store is always present; features keep files through it (exports,
 * e-invoices, patient documents, uploaded imports).
 *
 * Filesystem links are served by this server (`/storage/objects/…`, see
 * src/storage/) and signed with `STORAGE_SIGNING_SECRET`. Without one the
 * process signs with a random key: its links stop working at a restart and
 * other processes refuse them, which the start-up log says once.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { ObjectStorage } from '@clinicbridge/adapters';
import { createFilesystemStorage, servePresigned } from '@clinicbridge/adapters/filesystem';
import { createS3Storage } from '@clinicbridge/adapters/s3';
import * as z from 'zod';
import { optionalUrl, optionalValue } from './config-values.ts';
import type { ProviderGroup } from './group.ts';

/**
 * The storage section of the environment.
 *
 * @example
 * storageConfig.parse({ S3_BUCKET: 'clinic-files', S3_ACCESS_KEY_ID: 'AKIA…', S3_SECRET_ACCESS_KEY: '…' });
 */
export const storageConfig = z.object({
  /** Directory of the filesystem store; default `<DATA_DIR>/objects`. */
  STORAGE_DIR: optionalValue,
  /** HMAC key of filesystem links (at least 32 characters; shared by every process). */
  STORAGE_SIGNING_SECRET: z.string().min(32).optional(),
  /** S3: bucket, region, credentials; `S3_ENDPOINT` for a self-hosted store. */
  S3_BUCKET: optionalValue,
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ENDPOINT: optionalUrl,
  S3_ACCESS_KEY_ID: optionalValue,
  S3_SECRET_ACCESS_KEY: optionalValue,
  /** Path-style URLs (`endpoint/bucket/key`), what most self-hosted stores want. */
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('false'),
  /** `x-amz-server-side-encryption` of every write, or `none`. */
  S3_SERVER_SIDE_ENCRYPTION: z.enum(['AES256', 'aws:kms', 'none']).default('AES256'),
});

/**
 * The object store of a process, and for the filesystem store the handler
 * of its links.
 *
 * @example
 * await providers.storage.put(`exports/${id}.csv`, bytes, { contentType: 'text/csv' });
 */
export interface StorageProviders {
  readonly storage: ObjectStorage;
  /** Serves `/storage/objects/…` links; absent when the links point at S3. */
  readonly serveStorageLink?: (request: Request) => Promise<Response>;
}

/**
 * Builds S3 when configured, else the filesystem store.
 *
 * @example
 * const { built } = storageProviders.build(storageConfig.parse(process.env), shared);
 */
export const storageProviders: ProviderGroup<typeof storageConfig, StorageProviders> = {
  config: storageConfig,
  build(config, shared) {
    if (config.S3_BUCKET && config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY) {
      const sse = config.S3_SERVER_SIDE_ENCRYPTION;
      return {
        built: {
          storage: createS3Storage({
            metrics: shared.metrics,
            audit: shared.audit,
            endpoint: config.S3_ENDPOINT ?? `https://s3.${config.S3_REGION}.amazonaws.com`,
            region: config.S3_REGION,
            bucket: config.S3_BUCKET,
            accessKeyId: config.S3_ACCESS_KEY_ID,
            secretAccessKey: config.S3_SECRET_ACCESS_KEY,
            forcePathStyle: config.S3_FORCE_PATH_STYLE === 'true',
            serverSideEncryption: sse === 'none' ? false : sse,
          }),
        },
        absent: [],
      };
    }
    const storage = createFilesystemStorage({
      root: config.STORAGE_DIR ?? join(shared.server.dataDir, 'objects'),
      baseUrl: shared.server.publicUrl,
      signingSecret: config.STORAGE_SIGNING_SECRET ?? randomBytes(32),
    });
    return {
      built: { storage, serveStorageLink: (request) => servePresigned(storage, request) },
      // Named so the start-up log says the links are per process.
      absent: config.STORAGE_SIGNING_SECRET ? ['s3'] : ['s3', 'storage-signing-secret'],
    };
  },
};
