/**
 * @clinicbridge/adapters — the resilience core every provider adapter is
 * built on (client factory, auth, policies, errors, manual-task fallback,
 * observability hooks) and the domain ports adapters implement.
 * Adapters live in subpaths: `@clinicbridge/adapters/stripe`, `/whatsapp`, …
 */

export type { AdapterOptions } from './core/adapter-options.ts';
export {
  type AuthStrategy,
  apiKeyAuth,
  basicAuth,
  bearerAuth,
} from './core/auth.ts';
export {
  createProviderClient,
  type ProviderCall,
  type ProviderClient,
  type ProviderClientOptions,
  type ProviderFailure,
  type ProviderReply,
  type ProviderResponse,
} from './core/client.ts';
export {
  codeForStatus,
  isProviderError,
  PROVIDER_ERROR_CODES,
  ProviderError,
  type ProviderErrorCode,
  type ProviderErrorInit,
} from './core/errors.ts';
export { parseRetryAfter, readBody } from './core/http.ts';
export {
  type IdempotencyResultStore,
  InMemoryIdempotencyResultStore,
} from './core/idempotency.ts';
export {
  InMemoryManualTaskSink,
  type ManualFallbackOptions,
  type ManualTask,
  type ManualTaskDraft,
  ManualTaskSchema,
  type ManualTaskSink,
  withManualFallback,
} from './core/manual-tasks.ts';
export { currencyExponent, fromMinorUnits, toMinorUnits } from './core/money.ts';
export {
  type OAuth2ClientCredentials,
  type OAuth2ClientCredentialsOptions,
  type OAuth2JwtBearerOptions,
  oauth2ClientCredentials,
  oauth2JwtBearer,
} from './core/oauth2.ts';
export {
  type AdapterLogger,
  type AuditEvent,
  type AuditHook,
  type BreakerState,
  type IntegrationMetrics,
  type LogFields,
  noopMetrics,
  type RequestOutcome,
  silentLogger,
} from './core/observability.ts';
export {
  type BreakerSettings,
  type BulkheadSettings,
  createProviderPolicies,
  type ExecuteOptions,
  type PolicySettings,
  type ProviderPolicies,
  type RetrySettings,
  retryDelayMs,
} from './core/policies.ts';
export {
  type AssertionAlgorithm,
  type OAuth2PrivateKeyJwtOptions,
  oauth2PrivateKeyJwt,
} from './core/private-key-jwt.ts';
export { type CachedToken, InMemoryTokenCache, type TokenCache } from './core/token-cache.ts';
export * from './ports/analytics.ts';
export * from './ports/catalogue-source.ts';
export * from './ports/clinic-software.ts';
export * from './ports/common.ts';
export * from './ports/crm.ts';
export * from './ports/einvoicing.ts';
export * from './ports/escrow.ts';
export * from './ports/fhir.ts';
export * from './ports/health-id.ts';
export * from './ports/imaging.ts';
export * from './ports/insurance.ts';
export * from './ports/messaging.ts';
export * from './ports/object-storage.ts';
export * from './ports/payment.ts';
export * from './ports/push.ts';
export * from './ports/screening.ts';
export * from './ports/shipping.ts';
export * from './ports/subscriptions.ts';
export * from './ports/tele-rooms.ts';
export * from './ports/translation.ts';
export * from './ports/travel.ts';
export { parseInput } from './ports/validate.ts';
export * from './ports/visa.ts';
