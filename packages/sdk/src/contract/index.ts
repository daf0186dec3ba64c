/**
 * The ClinicBridge API v1 contract: zod schemas for every resource, every
 * operation (method, path, params, query, body, response, scope, write), the
 * event catalogue and envelope, problem+json errors, and OAuth. Defined once;
 * the client infers its types from it and the server validates against it.
 *
 * @example
 * import { operations, appointment } from '@clinicbridge/sdk/contract';
 */
import type * as z from 'zod/mini';
import type { appointment } from './resources/appointments.ts';
import type { auditEvent } from './resources/audit-events.ts';
import type { delivery, deliveryAttempt } from './resources/events.ts';
import type { exportJob, importJob } from './resources/imports-exports.ts';
import type { createdIntegrationToken, integrationToken } from './resources/integration-tokens.ts';
import type { integration } from './resources/integrations.ts';
import type { invoice } from './resources/invoices.ts';
import type { patient } from './resources/patients.ts';
import type { payment, refund } from './resources/payments.ts';
import type { visit } from './resources/visits.ts';
import type { webhookEndpoint, webhookEndpointWithSecret } from './resources/webhook-endpoints.ts';

export * from './common.ts';
export * from './errors.ts';
export * from './events/index.ts';
export * from './ids.ts';
export * from './oauth.ts';
export * from './operation.ts';
export * from './operations.ts';
export * from './resources/appointments.ts';
export * from './resources/audit-events.ts';
export * from './resources/events.ts';
export * from './resources/imports-exports.ts';
export * from './resources/integration-tokens.ts';
export * from './resources/integrations.ts';
export * from './resources/invoices.ts';
export * from './resources/patients.ts';
export * from './resources/payments.ts';
export * from './resources/visits.ts';
export * from './resources/webhook-endpoints.ts';
export * from './scopes.ts';

/** An appointment. */
export type Appointment = z.infer<typeof appointment>;
/** A patient (PII fields only with `read:patients:pii`). */
export type Patient = z.infer<typeof patient>;
/** A visit. */
export type Visit = z.infer<typeof visit>;
/** An invoice with totals and balance. */
export type Invoice = z.infer<typeof invoice>;
/** A payment. */
export type Payment = z.infer<typeof payment>;
/** A refund. */
export type Refund = z.infer<typeof refund>;
/** An integration token (no secret). */
export type IntegrationToken = z.infer<typeof integrationToken>;
/** An integration token with its API key, as created. */
export type CreatedIntegrationToken = z.infer<typeof createdIntegrationToken>;
/** A webhook endpoint (no secret). */
export type WebhookEndpoint = z.infer<typeof webhookEndpoint>;
/** A webhook endpoint with its signing secret. */
export type WebhookEndpointWithSecret = z.infer<typeof webhookEndpointWithSecret>;
/** A delivery of an event to an endpoint. */
export type Delivery = z.infer<typeof delivery>;
/** One attempt of a delivery. */
export type DeliveryAttempt = z.infer<typeof deliveryAttempt>;
/** An import job. */
export type ImportJob = z.infer<typeof importJob>;
/** An export job. */
export type ExportJob = z.infer<typeof exportJob>;
/** An audit record. */
export type AuditEvent = z.infer<typeof auditEvent>;
/** A registered integration. */
export type Integration = z.infer<typeof integration>;
