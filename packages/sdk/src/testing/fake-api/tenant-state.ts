/**
 * Everything one tenant owns in the fake API. Tenants never see each other's
 * rows because every handler reads only its caller's `TenantState`.
 */
import type {
  Appointment,
  AuditEvent,
  Checkout,
  Claim,
  Delivery,
  Document,
  EInvoice,
  Encounter,
  Escrow,
  EventEnvelope,
  ExportJob,
  ImportJob,
  ImportMapping,
  InstallmentPlan,
  Integration,
  Invoice,
  Lead,
  Patient,
  PatientDevice,
  Payment,
  Practitioner,
  ReconciliationRun,
  Refund,
  Service,
  Shipment,
  Slot,
  Subscription,
  TeleRoom,
  VisaApplication,
  Visit,
  WebhookEndpoint,
} from '../../contract/index.ts';
import { Collection } from './collection.ts';

/**
 * A webhook endpoint as stored: with its current and still-valid previous secrets.
 *
 * @example
 * const [current, previous] = (tenant.webhookEndpoints.get(endpointId) as StoredWebhookEndpoint).secrets;
 */
export interface StoredWebhookEndpoint extends WebhookEndpoint {
  secrets: string[];
}

/**
 * An export job as stored: with the produced file.
 *
 * @example
 * const file = (tenant.exports.get(exportId) as StoredExportJob).content;
 */
export interface StoredExportJob extends ExportJob {
  content: string | null;
}

/**
 * The rows of one tenant. Tests may read them, or seed them directly with
 * values built by the fixture factories.
 *
 * @example
 * const tenant = api.state.tenant(api.state.defaultTenant.tenantId);
 * tenant.patients.insert(fixtures.patient());
 */
export class TenantState {
  readonly id: `ten_${string}`;
  readonly patients = new Collection<Patient>();
  /** Push devices; their tokens are kept only in {@link deviceTokens}. */
  readonly patientDevices = new Collection<PatientDevice>();
  /** Device id by patient id and token (NUL-separated). */
  readonly deviceTokens = new Map<string, string>();
  readonly appointments = new Collection<Appointment>();
  /** The catalogue: seeded by tests (the fake imports patients and appointments only). */
  readonly practitioners = new Collection<Practitioner>();
  readonly services = new Collection<Service>();
  readonly slots = new Collection<Slot>();
  readonly visits = new Collection<Visit>();
  readonly encounters = new Collection<Encounter>();
  /** Patient ids by hospital MRN, as the clinical feed has linked them. */
  readonly patientsByMrn = new Map<string, string>();
  readonly invoices = new Collection<Invoice>();
  /** e-Invoices (the fake has no integrator: they stay `pending`). */
  readonly eInvoices = new Collection<EInvoice>();
  readonly payments = new Collection<Payment>();
  readonly refunds = new Collection<Refund>();
  readonly escrows = new Collection<Escrow>();
  readonly checkouts = new Collection<Checkout>();
  readonly claims = new Collection<Claim>();
  /** Visa applications; the bytes of their documents are not kept. */
  readonly visaApplications = new Collection<VisaApplication>();
  /** Telemedicine rooms (the fake issues opaque links to no video provider). */
  readonly teleRooms = new Collection<TeleRoom>();
  /** Patient documents (metadata only; the fake keeps no bytes). */
  readonly documents = new Collection<Document>();
  /** Shipments (the fake talks to no provider: each is `manual`). */
  readonly shipments = new Collection<Shipment>();
  readonly webhookEndpoints = new Collection<StoredWebhookEndpoint>();
  readonly events = new Collection<EventEnvelope>();
  readonly deliveries = new Collection<Delivery>();
  readonly imports = new Collection<ImportJob>();
  readonly exports = new Collection<StoredExportJob>();
  readonly auditEvents = new Collection<AuditEvent>();
  readonly integrations = new Collection<Integration>();
  readonly reconciliationRuns = new Collection<ReconciliationRun>();
  readonly installmentPlans = new Collection<InstallmentPlan>();
  readonly importMappings = new Collection<ImportMapping>();
  /** Leads: seeded by tests (the fake imports patients and appointments only). */
  readonly leads = new Collection<Lead>();
  readonly subscriptions = new Collection<Subscription>();

  constructor(id: `ten_${string}`) {
    this.id = id;
  }
}
