/**
 * The names of the contract's response models, as they appear in the
 * OpenAPI document (`components.schemas`) and so in clients generated from
 * it (`Patient`, `Appointment`, …). A response model not named here still
 * gets a component, named after its operation (`ThingsGetResponse`); name
 * it here to give generated clients a better one. Names are part of the
 * published document: renaming one is a breaking change for generated
 * clients.
 */
import { problem } from './errors.ts';
import { eventEnvelope } from './events/envelope.ts';
import { tokenResponse } from './oauth.ts';
import { appointment, appointmentStatus } from './resources/appointments.ts';
import { auditEvent } from './resources/audit-events.ts';
import { claim, claimStatus } from './resources/claims.ts';
import { document, documentStatus, presignedLink } from './resources/documents.ts';
import { encounter, encounterStatus } from './resources/encounters.ts';
import { escrow, ledgerBalance, milestoneStatus } from './resources/escrows.ts';
import { delivery, deliveryAttempt, deliveryStatus } from './resources/events.ts';
import { importMapping } from './resources/import-mappings.ts';
import { exportJob, importJob, jobStatus } from './resources/imports-exports.ts';
import {
  createdIntegrationToken,
  integrationToken,
  tokenTier,
} from './resources/integration-tokens.ts';
import { integration, integrationStatus } from './resources/integrations.ts';
import {
  eInvoice,
  eInvoiceStatus,
  invoice,
  invoiceLine,
  invoiceStatus,
} from './resources/invoices.ts';
import { lead } from './resources/leads.ts';
import { oauthClient, rotatedOAuthClient } from './resources/oauth-clients.ts';
import { patientDevice } from './resources/patient-devices.ts';
import { consent, patient } from './resources/patients.ts';
import { payment, paymentMethod, paymentSource, refund } from './resources/payments.ts';
import { shipment, shipmentStatus } from './resources/shipments.ts';
import { teleJoinLink, teleRoom, teleRoomStatus } from './resources/tele-rooms.ts';
import { visaApplication, visaApplicationStatus } from './resources/visas.ts';
import { visit } from './resources/visits.ts';
import { webhookEndpoint, webhookEndpointWithSecret } from './resources/webhook-endpoints.ts';

/**
 * Component name → response-side schema. Each schema appears under one name;
 * where it is nested in another named schema the document refers to it.
 *
 * @example
 * namedSchemas.Patient === patient; // true
 */
export const namedSchemas = {
  Problem: problem,
  Patient: patient,
  PatientDevice: patientDevice,
  Consent: consent,
  Appointment: appointment,
  AppointmentStatus: appointmentStatus,
  Visit: visit,
  Encounter: encounter,
  EncounterStatus: encounterStatus,
  EInvoice: eInvoice,
  EInvoiceStatus: eInvoiceStatus,
  Invoice: invoice,
  InvoiceLine: invoiceLine,
  InvoiceStatus: invoiceStatus,
  Payment: payment,
  PaymentMethod: paymentMethod,
  PaymentSource: paymentSource,
  Refund: refund,
  Escrow: escrow,
  MilestoneStatus: milestoneStatus,
  LedgerBalance: ledgerBalance,
  Claim: claim,
  ClaimStatus: claimStatus,
  VisaApplication: visaApplication,
  VisaApplicationStatus: visaApplicationStatus,
  Document: document,
  DocumentStatus: documentStatus,
  PresignedLink: presignedLink,
  Shipment: shipment,
  ShipmentStatus: shipmentStatus,
  TeleRoom: teleRoom,
  TeleRoomStatus: teleRoomStatus,
  TeleJoinLink: teleJoinLink,
  WebhookEndpoint: webhookEndpoint,
  WebhookEndpointWithSecret: webhookEndpointWithSecret,
  Event: eventEnvelope,
  Delivery: delivery,
  DeliveryAttempt: deliveryAttempt,
  DeliveryStatus: deliveryStatus,
  ImportJob: importJob,
  ExportJob: exportJob,
  JobStatus: jobStatus,
  IntegrationToken: integrationToken,
  CreatedIntegrationToken: createdIntegrationToken,
  TokenTier: tokenTier,
  Integration: integration,
  IntegrationStatus: integrationStatus,
  OAuthClient: oauthClient,
  RotatedOAuthClient: rotatedOAuthClient,
  AuditEvent: auditEvent,
  TokenResponse: tokenResponse,
  ImportMapping: importMapping,
  Lead: lead,
} as const;
