/**
 * The one error type every adapter throws. Provider-specific failures are
 * mapped onto a small set of internal codes so callers branch on meaning, not
 * on each provider's vocabulary; the provider's own code is kept for operators.
 * Messages are fixed per code so a provider's text (which may echo a phone
 * number, an email or a card fragment) never leaks through.
 */

/**
 * Internal error codes shared by every provider.
 *
 * @example
 * PROVIDER_ERROR_CODES.includes(error.code); // true for any ProviderError
 */
export const PROVIDER_ERROR_CODES = [
  'provider_unavailable',
  'rate_limited',
  'auth_failed',
  'invalid_request',
  'rejected',
  'conflict',
  'not_found',
  'timeout',
] as const;

/**
 * One of {@link PROVIDER_ERROR_CODES}.
 *
 * @example
 * const code: ProviderErrorCode = 'rate_limited';
 */
export type ProviderErrorCode = (typeof PROVIDER_ERROR_CODES)[number];

const SAFE_MESSAGES: Record<ProviderErrorCode, string> = {
  provider_unavailable: 'The provider is unavailable; retry later or handle the task manually.',
  rate_limited: 'The provider is rate limiting requests; retry after the indicated delay.',
  auth_failed: 'The provider rejected our credentials; check the configured keys.',
  invalid_request: 'The provider rejected the request as invalid; check the input fields.',
  rejected: 'The provider declined the operation; ask for another method or recipient.',
  conflict: 'The provider reports a conflicting operation; fetch the current state first.',
  not_found: 'The provider does not know this resource; check the identifier.',
  timeout: 'The provider did not answer in time; the outcome is unknown, check before retrying.',
};

/** Codes worth another attempt: the provider did not give a final answer. */
const TRANSIENT: ReadonlySet<ProviderErrorCode> = new Set([
  'provider_unavailable',
  'rate_limited',
  'timeout',
]);

/**
 * Fields of a {@link ProviderError}.
 *
 * @example
 * const init: ProviderErrorInit = { code: 'not_found', provider: 'stripe', operation: 'payments.status' };
 */
export interface ProviderErrorInit {
  code: ProviderErrorCode;
  provider: string;
  operation: string;
  /** The provider's own error code (e.g. Stripe `card_declined`, Twilio `21211`). */
  providerCode?: string | undefined;
  /** HTTP status from the provider, when there was a response. */
  status?: number | undefined;
  /** Delay the provider asked for (429 `Retry-After`), in milliseconds. */
  retryAfterMs?: number | undefined;
  /** The provider's request id, for support tickets. */
  providerRequestId?: string | undefined;
  correlationId?: string | undefined;
  /** Attempts made before giving up. */
  attempts?: number | undefined;
  /** True when the call was refused locally because the provider's breaker is open. */
  circuitOpen?: boolean | undefined;
  /** Field paths (never values) that failed validation. */
  fields?: readonly string[] | undefined;
  /** Override of the fixed message; must be free of personal data. */
  message?: string | undefined;
}

/**
 * A failed provider call, whatever the provider. `message` is safe to show
 * and log; `providerCode` and `providerRequestId` are for operators.
 *
 * @example
 * try {
 *   await gateway.capture({ paymentId: 'pi_123' });
 * } catch (error) {
 *   if (isProviderError(error) && error.code === 'rejected') askForAnotherCard();
 * }
 */
export class ProviderError extends Error {
  override readonly name = 'ProviderError' as const;
  readonly code: ProviderErrorCode;
  readonly provider: string;
  readonly operation: string;
  readonly providerCode: string | undefined;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly providerRequestId: string | undefined;
  readonly correlationId: string | undefined;
  readonly attempts: number;
  readonly circuitOpen: boolean;
  readonly fields: readonly string[];

  constructor(init: ProviderErrorInit) {
    super(`${init.provider} ${init.operation}: ${init.message ?? SAFE_MESSAGES[init.code]}`);
    this.code = init.code;
    this.provider = init.provider;
    this.operation = init.operation;
    this.providerCode = init.providerCode;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
    this.providerRequestId = init.providerRequestId;
    this.correlationId = init.correlationId;
    this.attempts = init.attempts ?? 1;
    this.circuitOpen = init.circuitOpen ?? false;
    this.fields = init.fields ?? [];
  }

  /** Whether the provider gave no final answer, so another attempt may succeed. */
  get transient(): boolean {
    return TRANSIENT.has(this.code);
  }

  /** A copy with some fields changed (attempt count, correlation id). */
  with(changes: Partial<ProviderErrorInit>): ProviderError {
    return new ProviderError({ ...this.toInit(), ...changes });
  }

  /** A plain object for logs and problem+json bodies; carries no personal data. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, message: this.message, ...this.toInit() };
  }

  private toInit(): ProviderErrorInit {
    return {
      code: this.code,
      provider: this.provider,
      operation: this.operation,
      providerCode: this.providerCode,
      status: this.status,
      retryAfterMs: this.retryAfterMs,
      providerRequestId: this.providerRequestId,
      correlationId: this.correlationId,
      attempts: this.attempts,
      circuitOpen: this.circuitOpen,
      fields: this.fields,
    };
  }
}

/**
 * True for a {@link ProviderError}, also one thrown by another copy of this
 * package (matches on `name`, not `instanceof`).
 *
 * @example
 * if (isProviderError(error) && error.transient) scheduleRetry();
 */
export function isProviderError(value: unknown): value is ProviderError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { name?: unknown }).name === 'ProviderError' &&
    typeof (value as { code?: unknown }).code === 'string'
  );
}

/**
 * The internal code for an HTTP status when the provider's body says nothing
 * more specific.
 *
 * @example
 * codeForStatus(503); // 'provider_unavailable'
 */
export function codeForStatus(status: number): ProviderErrorCode {
  if (status === 401 || status === 403) return 'auth_failed';
  if (status === 402) return 'rejected';
  if (status === 404 || status === 410) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 408) return 'timeout';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'provider_unavailable';
  return 'invalid_request';
}
