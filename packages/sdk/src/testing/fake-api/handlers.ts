/** Every resource handler of the fake API, one list the router checks against the contract. */
import type { BoundHandler } from './context.ts';
import { appointmentHandlers } from './resources/appointments.ts';
import { auditEventHandlers } from './resources/audit-events.ts';
import { catalogueHandlers } from './resources/catalogue.ts';
import { checkoutHandlers } from './resources/checkouts.ts';
import { claimHandlers } from './resources/claims.ts';
import { documentHandlers } from './resources/documents.ts';
import { encounterHandlers } from './resources/encounters.ts';
import { escrowHandlers } from './resources/escrows.ts';
import { eventHandlers } from './resources/events.ts';
import { importMappingHandlers } from './resources/import-mappings.ts';
import { importExportHandlers } from './resources/imports-exports.ts';
import { integrationTokenHandlers } from './resources/integration-tokens.ts';
import { integrationHandlers } from './resources/integrations.ts';
import { invoiceHandlers } from './resources/invoices.ts';
import { moneyOpsHandlers } from './resources/money-ops.ts';
import { oauthClientHandlers } from './resources/oauth-clients.ts';
import { patientDeviceHandlers } from './resources/patient-devices.ts';
import { patientHandlers } from './resources/patients.ts';
import { paymentHandlers } from './resources/payments.ts';
import { shipmentHandlers } from './resources/shipments.ts';
import { subscriptionHandlers } from './resources/subscriptions.ts';
import { teleRoomHandlers } from './resources/tele-rooms.ts';
import { visaHandlers } from './resources/visas.ts';
import { visitHandlers } from './resources/visits.ts';
import { webhookEndpointHandlers } from './resources/webhook-endpoints.ts';

/**
 * Handlers for every operation of the contract.
 *
 * @example
 * const msw = buildHandlers(world, injector, allHandlers);
 */
export const allHandlers: readonly BoundHandler[] = [
  ...integrationTokenHandlers,
  ...oauthClientHandlers,
  ...patientHandlers,
  ...patientDeviceHandlers,
  ...appointmentHandlers,
  ...catalogueHandlers,
  ...visitHandlers,
  ...encounterHandlers,
  ...invoiceHandlers,
  ...paymentHandlers,
  ...escrowHandlers,
  ...checkoutHandlers,
  ...claimHandlers,
  ...visaHandlers,
  ...documentHandlers,
  ...shipmentHandlers,
  ...teleRoomHandlers,
  ...webhookEndpointHandlers,
  ...eventHandlers,
  ...importExportHandlers,
  ...auditEventHandlers,
  ...integrationHandlers,
  ...moneyOpsHandlers,
  ...importMappingHandlers,
  ...subscriptionHandlers,
];
