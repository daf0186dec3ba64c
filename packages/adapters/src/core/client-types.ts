/**
 * The shapes of the provider client: its options, one call, one response,
 * and what an adapter's error mapper receives and returns.
 */
import type { Tracer } from '@opentelemetry/api';
import type { z } from 'zod';
import type { AuthStrategy } from './auth.ts';
import type { ProviderErrorCode } from './errors.ts';
import type { IdempotencyResultStore } from './idempotency.ts';
import type { AdapterLogger, AuditHook, IntegrationMetrics } from './observability.ts';
import type { PolicySettings, ProviderPolicies } from './policies.ts';

/**
 * A provider response as the error mapper sees it.
 *
 * @example
 * const seen: ProviderReply = { status: 402, body: { error: { code: 'card_declined' } }, headers: new Headers() };
 */
export interface ProviderReply {
  status: number;
  body: unknown;
  headers: Headers;
}

/**
 * What a provider's error body means. Returned by an adapter's `mapError`.
 *
 * @example
 * const failure: ProviderFailure = { code: 'rejected', providerCode: 'card_declined' };
 */
export interface ProviderFailure {
  code?: ProviderErrorCode;
  providerCode?: string | undefined;
  /** Paths (never values) the provider named as wrong, such as FHIR issue expressions. */
  fields?: readonly string[] | undefined;
}

/**
 * Settings of {@link createProviderClient}.
 *
 * @example
 * const options: ProviderClientOptions = {
 *   provider: 'stripe',
 *   baseUrl: 'https://api.stripe.com',
 *   auth: bearerAuth(key),
 *   idempotencyHeader: 'Idempotency-Key',
 * };
 */
export interface ProviderClientOptions {
  /** Label used in errors, metrics, spans and manual tasks. */
  provider: string;
  baseUrl: string;
  auth?: AuthStrategy;
  /** Per-attempt timeout. Default 10 s. */
  timeoutMs?: number;
  policies?: PolicySettings;
  /**
   * Header the provider reads idempotency keys from. When set, writes carry a
   * key and may be retried on any transient failure; when absent, writes are
   * retried only after a 429 (the provider refused before doing anything).
   */
  idempotencyHeader?: string;
  /** Remembers completed writes by caller-supplied key, so a repeated call is answered locally. */
  idempotencyStore?: IdempotencyResultStore;
  /**
   * Reads the provider's error shape. Called for every response; for 2xx
   * responses returning a failure turns them into errors (providers that
   * answer 200 with `status: failure`).
   */
  mapError?: (reply: ProviderReply) => ProviderFailure | undefined;
  /** Response header holding the provider's request id (e.g. Stripe `request-id`). */
  requestIdHeader?: string;
  metrics?: IntegrationMetrics;
  logger?: AdapterLogger;
  /** One event per call for the audit log. */
  audit?: AuditHook;
  tracer?: Tracer;
  fetch?: typeof fetch;
  /** Default headers on every request (API version pins and the like). */
  headers?: Record<string, string>;
}

/**
 * A query or form value; `undefined` entries are left out.
 *
 * @example
 * const value: Scalar = 42;
 */
export type Scalar = string | number | boolean | undefined;

/**
 * One call to a provider.
 *
 * @example
 * const call: ProviderCall<{ id: string }> = {
 *   operation: 'payments.status',
 *   path: '/v1/payment_intents/pi_123',
 *   schema: z.object({ id: z.string() }),
 * };
 */
export interface ProviderCall<T> {
  /** Stable label such as `payments.createIntent`; goes into metrics, so never an id. */
  operation: string;
  method?: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  searchParams?: Record<string, Scalar>;
  json?: unknown;
  /** `application/x-www-form-urlencoded` body (Stripe, Twilio). */
  form?: Record<string, Scalar>;
  /** A plain-text body sent as is (Orthanc's `/tools/lookup` takes a bare identifier). */
  text?: string;
  headers?: Record<string, string>;
  /** Key for writes; one is generated when absent and reused by every retry. */
  idempotencyKey?: string;
  /** Validates the success body; failing it is `provider_unavailable` (unexpected shape). */
  schema?: z.ZodType<T>;
  correlationId?: string;
  /** The call has no side effect although it is not a GET (searches done with POST). */
  readOnly?: boolean;
  /**
   * The write is idempotent by itself (a PUT of a whole resource, a FHIR
   * conditional create), so retrying it after a lost answer cannot act twice
   * even without an idempotency key.
   */
  idempotent?: boolean;
  /** Per-attempt timeout of this call, overriding the client's (a slow report, a quick status check). */
  timeoutMs?: number;
}

/**
 * A successful call.
 *
 * @example
 * const { data, headers } = await client.send(call);
 */
export interface ProviderResponse<T> {
  data: T;
  status: number;
  headers: Headers;
  idempotencyKey: string | undefined;
  /** True when answered from the idempotency store without calling the provider. */
  replayed: boolean;
}

/**
 * A configured client for one provider.
 *
 * @example
 * const intent = await client.json({ operation: 'payments.status', path: '/v1/payment_intents/pi_1' });
 */
export interface ProviderClient {
  readonly provider: string;
  readonly policies: ProviderPolicies;
  send<T = unknown>(call: ProviderCall<T>): Promise<ProviderResponse<T>>;
  json<T = unknown>(call: ProviderCall<T>): Promise<T>;
}
