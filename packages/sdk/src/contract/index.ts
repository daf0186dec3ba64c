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
import type { practitioner, service, slot } from './resources/catalogue.ts';
import type { checkout } from './resources/checkouts.ts';
import type { claim } from './resources/claims.ts';
import type { document } from './resources/documents.ts';
import type { encounter } from './resources/encounters.ts';
import type { escrow, ledgerBalance } from './resources/escrows.ts';
import type { delivery, deliveryAttempt } from './resources/events.ts';
import type { importMapping } from './resources/import-mappings.ts';
import type { exportJob, importJob } from './resources/imports-exports.ts';
import type { createdIntegrationToken, integrationToken } from './resources/integration-tokens.ts';
import type { integration } from './resources/integrations.ts';
import type { eInvoice, invoice } from './resources/invoices.ts';
import type { lead } from './resources/leads.ts';
import type { oauthClient, rotatedOAuthClient } from './resources/oauth-clients.ts';
import type { patientDevice } from './resources/patient-devices.ts';
import type { patient } from './resources/patients.ts';
import type { payment, refund } from './resources/payments.ts';
import type { shipment } from './resources/shipments.ts';
import type { subscription } from './resources/subscriptions.ts';
import type { teleJoinLink, teleRoom } from './resources/tele-rooms.ts';
import type { visaApplication } from './resources/visas.ts';
import type { visit } from './resources/visits.ts';
import type { webhookEndpoint, webhookEndpointWithSecret } from './resources/webhook-endpoints.ts';

export * from './audit-actions.ts';
export * from './claim-export.ts';
export * from './common.ts';
export * from './errors.ts';
export * from './events/index.ts';
export * from './ids.ts';
export * from './nul-characters.ts';
export * from './oauth.ts';
export * from './operation.ts';
export * from './operations.ts';
export * from './resources/appointments.ts';
export * from './resources/audit-events.ts';
export * from './resources/catalogue.ts';
export * from './resources/checkouts.ts';
export * from './resources/claims.ts';
export * from './resources/documents.ts';
export * from './resources/encounters.ts';
export * from './resources/escrows.ts';
export * from './resources/events.ts';
export * from './resources/import-mappings.ts';
export * from './resources/imports-exports.ts';
export * from './resources/installments.ts';
export * from './resources/integration-tokens.ts';
export * from './resources/integrations.ts';
export * from './resources/invoices.ts';
export * from './resources/leads.ts';
export * from './resources/oauth-clients.ts';
export * from './resources/patient-devices.ts';
export * from './resources/patients.ts';
export * from './resources/payments.ts';
export * from './resources/reconciliation.ts';
export * from './resources/shipments.ts';
export * from './resources/subscriptions.ts';
export * from './resources/tele-rooms.ts';
export * from './resources/visas.ts';
export * from './resources/visits.ts';
export * from './resources/webhook-endpoints.ts';
export * from './schema-names.ts';
export * from './scopes.ts';

/**
 * An appointment.
 *
 * @example
 * const appointment: Appointment = await client.appointments.get({ appointmentId });
 */
export type Appointment = z.infer<typeof appointment>;
/**
 * A patient (PII fields only with `read:patients:pii`).
 *
 * @example
 * const patient: Patient = await client.patients.get({ patientId });
 */
export type Patient = z.infer<typeof patient>;
/**
 * A patient's push device (never its token).
 *
 * @example
 * const { data }: { data: PatientDevice[] } = await client.patientDevices.list({ patientId });
 */
export type PatientDevice = z.infer<typeof patientDevice>;
/**
 * An encounter (from the hospital's ADT feed).
 *
 * @example
 * const encounter: Encounter = await client.encounters.get({ encounterId });
 */
export type Encounter = z.infer<typeof encounter>;
/**
 * A visit.
 *
 * @example
 * const visit: Visit = await client.visits.complete({ visitId }, { summary: 'Healed well' });
 */
export type Visit = z.infer<typeof visit>;
/**
 * An invoice with totals and balance.
 *
 * @example
 * const invoice: Invoice = await client.invoices.get({ invoiceId }); console.log(invoice.balance);
 */
export type Invoice = z.infer<typeof invoice>;
/**
 * An invoice's Turkish e-Fatura: ETTN, status, reason code, PDF key.
 *
 * @example
 * const e: EInvoice = await client.invoices.getEInvoice({ invoiceId }); console.log(e.status);
 */
export type EInvoice = z.infer<typeof eInvoice>;
/**
 * A payment.
 *
 * @example
 * const payment: Payment = await client.payments.get({ paymentId });
 */
export type Payment = z.infer<typeof payment>;
/**
 * A refund.
 *
 * @example
 * const refund: Refund = await client.refunds.get({ refundId });
 */
export type Refund = z.infer<typeof refund>;
/**
 * An integration token (no secret).
 *
 * @example
 * for await (const token of client.integrationTokens.list()) { const t: IntegrationToken = token; console.log(t.keyPrefix); }
 */
export type IntegrationToken = z.infer<typeof integrationToken>;
/**
 * An integration token with its API key, as created.
 *
 * @example
 * const created: CreatedIntegrationToken = await client.integrationTokens.create({ name: 'CRM', scopes: ['read:appointments'] }); vault.store(created.apiKey);
 */
export type CreatedIntegrationToken = z.infer<typeof createdIntegrationToken>;
/**
 * An OAuth client (never its secret).
 *
 * @example
 * const revoked: OAuthClient = await client.oauthClients.revoke({ clientId: 'cli_…' });
 */
export type OAuthClient = z.infer<typeof oauthClient>;
/**
 * An OAuth client with its new secret, shown once.
 *
 * @example
 * const { clientSecret }: RotatedOAuthClient = await client.oauthClients.rotateSecret({ clientId: 'cli_…' });
 */
export type RotatedOAuthClient = z.infer<typeof rotatedOAuthClient>;
/**
 * A webhook endpoint (no secret).
 *
 * @example
 * const endpoint: WebhookEndpoint = await client.webhookEndpoints.get({ endpointId });
 */
export type WebhookEndpoint = z.infer<typeof webhookEndpoint>;
/**
 * A webhook endpoint with its signing secret.
 *
 * @example
 * const created: WebhookEndpointWithSecret = await client.webhookEndpoints.create({ url, eventTypes: ['*'] }); vault.store(created.secret);
 */
export type WebhookEndpointWithSecret = z.infer<typeof webhookEndpointWithSecret>;
/**
 * A delivery of an event to an endpoint.
 *
 * @example
 * const delivery: Delivery = await client.deliveries.get({ deliveryId }); console.log(delivery.attempts);
 */
export type Delivery = z.infer<typeof delivery>;
/**
 * One attempt of a delivery.
 *
 * @example
 * const attempts: DeliveryAttempt[] = (await client.deliveries.get({ deliveryId })).attempts ?? [];
 */
export type DeliveryAttempt = z.infer<typeof deliveryAttempt>;
/**
 * An import job.
 *
 * @example
 * const job: ImportJob = await client.imports.create({ kind: 'patients', format: 'csv', content });
 */
export type ImportJob = z.infer<typeof importJob>;
/**
 * A saved column mapping for an import kind.
 *
 * @example
 * const saved: ImportMapping = await client.importMappings.create({ name: 'agency-a', kind: 'leads', columns: { Téléphone: 'phone' } });
 */
export type ImportMapping = z.infer<typeof importMapping>;
/**
 * A lead (personal fields only with `read:patients:pii`).
 *
 * @example
 * const found: Lead = await client.leads.get({ leadId });
 */
export type Lead = z.infer<typeof lead>;
/**
 * An export job.
 *
 * @example
 * const job: ExportJob = await client.exports.get({ exportId }); if (job.downloadUrl) download(job.downloadUrl);
 */
export type ExportJob = z.infer<typeof exportJob>;
/**
 * An audit record.
 *
 * @example
 * for await (const record of client.auditEvents.list({ entityId })) { const r: AuditEvent = record; console.log(r.action, r.actor); }
 */
export type AuditEvent = z.infer<typeof auditEvent>;
/**
 * A registered integration.
 *
 * @example
 * const registered: Integration = await client.integrations.get({ integrationId });
 */
export type Integration = z.infer<typeof integration>;

/**
 * An insurance claim.
 *
 * @example
 * const claim: Claim = await client.claims.get({ claimId });
 */
export type Claim = z.infer<typeof claim>;

/**
 * A visa application.
 *
 * @example
 * const application: VisaApplication = await client.visas.get({ visaApplicationId });
 */
export type VisaApplication = z.infer<typeof visaApplication>;

/**
 * A patient document's metadata.
 *
 * @example
 * const doc: Document = await client.documents.get({ documentId });
 */
export type Document = z.infer<typeof document>;

/**
 * A shipment of medication or documents.
 *
 * @example
 * const shipment: Shipment = await client.shipments.get({ shipmentId });
 */
export type Shipment = z.infer<typeof shipment>;

/**
 * An escrow with its tranches.
 *
 * @example
 * const escrow: Escrow = await client.escrows.get({ escrowId });
 */
export type Escrow = z.infer<typeof escrow>;
/**
 * A ledger account's balance.
 *
 * @example
 * const balance: LedgerBalance = await client.ledgerAccounts.balance({ accountId });
 */
export type LedgerBalance = z.infer<typeof ledgerBalance>;

/**
 * A gateway checkout of an invoice.
 *
 * @example
 * const checkout: Checkout = await client.checkouts.get({ checkoutId });
 */
export type Checkout = z.infer<typeof checkout>;

/**
 * A patient's subscription billed by a gateway.
 *
 * @example
 * const sub: Subscription = await client.subscriptions.get({ subscriptionId });
 */
export type Subscription = z.infer<typeof subscription>;

/**
 * A practitioner of the catalogue.
 *
 * @example
 * const doctor: Practitioner = await client.practitioners.get({ practitionerId });
 */
export type Practitioner = z.infer<typeof practitioner>;

/**
 * A service of the catalogue with its prices.
 *
 * @example
 * const consultation: Service = await client.services.get({ serviceId });
 */
export type Service = z.infer<typeof service>;

/**
 * A bookable slot.
 *
 * @example
 * for await (const free of client.availability.search({ serviceId, from, to })) { const s: Slot = free; console.log(s.startsAt); }
 */
export type Slot = z.infer<typeof slot>;

/**
 * A telemedicine room.
 *
 * @example
 * const room: TeleRoom = await client.teleRooms.get({ teleRoomId });
 */
export type TeleRoom = z.infer<typeof teleRoom>;

/**
 * A join link for one participant of a telemedicine room.
 *
 * @example
 * const link: TeleJoinLink = await client.teleRooms.join({ teleRoomId }, { role: 'patient' });
 */
export type TeleJoinLink = z.infer<typeof teleJoinLink>;
