/**
 * `Idempotency-Key` handling for writes: the first request with a key runs
 * and its response is stored with a fingerprint of the request; a retry with
 * the same key and the same request gets the stored response back (marked
 * `Idempotency-Replayed: true`); the same key with a different request is
 * refused with `idempotency_key_reused`; a retry while the first is still
 * running gets `idempotency_in_flight`. A key belongs to the credential
 * that first used it: another credential of the tenant sending it is refused
 * with `idempotency_key_credential_mismatch`, whatever its request, as the
 * server does.
 */
import { canonicalJson } from '@clinicbridge/webhooks/idempotency';
import { ApiProblem } from './problem.ts';

/**
 * A response kept for replay.
 *
 * @example
 * const stored: StoredResponse = { status: 201, headers: [['content-type', 'application/json']], body: '{}' };
 */
export interface StoredResponse {
  readonly status: number;
  readonly headers: readonly [string, string][];
  readonly body: string;
}

type Entry =
  | { state: 'in_flight'; credentialId: string; fingerprint: string }
  | { state: 'done'; credentialId: string; fingerprint: string; response: StoredResponse };

/**
 * Longest accepted key.
 *
 * @example
 * if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) throw new RangeError('key too long');
 */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/**
 * Fingerprint of a write: operation, path and the body with sorted keys, so
 * the same JSON serialised in another key order is the same request.
 *
 * @example
 * requestFingerprint('appointments.cancel', '/api/v1/appointments/apt_x/cancel', { reason: 'ill' });
 */
export function requestFingerprint(operationId: string, path: string, body: unknown): string {
  return `${operationId} ${path} ${canonicalJson(body)}`;
}

/**
 * Stored idempotent responses, per tenant and key.
 *
 * @example
 * const store = new IdempotencyTable();
 * const replay = store.begin('ten_…', 'tok_…', 'key-1', fingerprint);
 */
export class IdempotencyTable {
  readonly #entries = new Map<string, Entry>();

  /**
   * Starts a keyed write. Returns the stored response to replay, or null when
   * the write should run now (the key is then reserved until `complete` or `release`).
   */
  begin(
    tenantId: string,
    credentialId: string,
    key: string,
    fingerprint: string,
  ): StoredResponse | null {
    if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw new ApiProblem(
        'invalid_request',
        `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`,
      );
    }
    const id = `${tenantId}\u0000${key}`;
    const entry = this.#entries.get(id);
    if (!entry) {
      this.#entries.set(id, { state: 'in_flight', credentialId, fingerprint });
      return null;
    }
    if (entry.credentialId !== credentialId) {
      throw new ApiProblem(
        'idempotency_key_credential_mismatch',
        'this Idempotency-Key was used by another credential of the tenant; send your own request with a key of your own',
      );
    }
    if (entry.fingerprint !== fingerprint) {
      throw new ApiProblem(
        'idempotency_key_reused',
        'this Idempotency-Key was already used for a different request; use a new key for a new request',
      );
    }
    if (entry.state === 'in_flight') {
      throw new ApiProblem(
        'idempotency_in_flight',
        'a request with this Idempotency-Key is still being processed; retry shortly',
      );
    }
    return entry.response;
  }

  /** Stores the response of a keyed write for later replays. */
  complete(
    tenantId: string,
    credentialId: string,
    key: string,
    fingerprint: string,
    response: StoredResponse,
  ): void {
    this.#entries.set(`${tenantId}\u0000${key}`, {
      state: 'done',
      credentialId,
      fingerprint,
      response,
    });
  }

  /** Frees a key whose write failed before doing anything, so it may be retried. */
  release(tenantId: string, key: string): void {
    this.#entries.delete(`${tenantId}\u0000${key}`);
  }
}
