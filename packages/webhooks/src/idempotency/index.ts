/**
 * `@clinicbridge/webhooks/idempotency`: idempotency keys, request
 * fingerprints, a storage interface with an in-memory LRU implementation, and
 * `deduplicate` for webhook receivers.
 */
export { canonicalJson } from './canonical-json.ts';
export {
  type DeduplicateOptions,
  type DeduplicateResult,
  deduplicate,
} from './deduplicate.ts';
export { IdempotencyError, type IdempotencyErrorCode, isIdempotencyError } from './errors.ts';
export {
  type FingerprintInput,
  requestFingerprint,
  requestFingerprintSync,
} from './fingerprint.ts';
export { generateIdempotencyKey } from './key.ts';
export { MemoryIdempotencyStore, type MemoryIdempotencyStoreOptions } from './memory-store.ts';
export type {
  CompleteOptions,
  IdempotencyRecord,
  IdempotencyState,
  IdempotencyStore,
  ReserveOptions,
  ReserveResult,
} from './store.ts';
