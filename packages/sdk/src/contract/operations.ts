/**
 * Every operation of API v1, grouped by resource. The client's namespaces
 * (`client.appointments.create`) mirror this object key for key.
 */

import type { Operation } from './operation.ts';
import { appointmentOperations } from './resources/appointments.ts';
import { auditEventOperations } from './resources/audit-events.ts';
import {
  availabilityOperations,
  practitionerOperations,
  serviceOperations,
} from './resources/catalogue.ts';
import { checkoutOperations } from './resources/checkouts.ts';
import { claimOperations } from './resources/claims.ts';
import { documentOperations } from './resources/documents.ts';
import { encounterOperations } from './resources/encounters.ts';
import { escrowOperations, ledgerAccountOperations } from './resources/escrows.ts';
import { deadLetterOperations, deliveryOperations, eventOperations } from './resources/events.ts';
import { importMappingOperations } from './resources/import-mappings.ts';
import { exportOperations, importOperations } from './resources/imports-exports.ts';
import { installmentPlanOperations } from './resources/installments.ts';
import { integrationTokenOperations } from './resources/integration-tokens.ts';
import { integrationOperations } from './resources/integrations.ts';
import { invoiceOperations } from './resources/invoices.ts';
import { leadOperations } from './resources/leads.ts';
import { oauthClientOperations } from './resources/oauth-clients.ts';
import { patientDeviceOperations } from './resources/patient-devices.ts';
import { patientOperations } from './resources/patients.ts';
import { paymentOperations, refundOperations } from './resources/payments.ts';
import {
  reconciliationBreakOperations,
  reconciliationRunOperations,
} from './resources/reconciliation.ts';
import { shipmentOperations } from './resources/shipments.ts';
import { subscriptionOperations } from './resources/subscriptions.ts';
import { teleRoomOperations } from './resources/tele-rooms.ts';
import { visaOperations } from './resources/visas.ts';
import { visitOperations } from './resources/visits.ts';
import { webhookEndpointOperations } from './resources/webhook-endpoints.ts';

/**
 * All operations by resource and action.
 *
 * @example
 * operations.appointments.cancel.path; // '/api/v1/appointments/{appointmentId}/cancel'
 */
export const operations = {
  integrationTokens: integrationTokenOperations,
  oauthClients: oauthClientOperations,
  patients: patientOperations,
  patientDevices: patientDeviceOperations,
  appointments: appointmentOperations,
  practitioners: practitionerOperations,
  services: serviceOperations,
  availability: availabilityOperations,
  visits: visitOperations,
  encounters: encounterOperations,
  invoices: invoiceOperations,
  payments: paymentOperations,
  refunds: refundOperations,
  checkouts: checkoutOperations,
  escrows: escrowOperations,
  ledgerAccounts: ledgerAccountOperations,
  claims: claimOperations,
  visas: visaOperations,
  documents: documentOperations,
  shipments: shipmentOperations,
  teleRooms: teleRoomOperations,
  webhookEndpoints: webhookEndpointOperations,
  events: eventOperations,
  deliveries: deliveryOperations,
  deadLetters: deadLetterOperations,
  imports: importOperations,
  exports: exportOperations,
  auditEvents: auditEventOperations,
  integrations: integrationOperations,
  reconciliationRuns: reconciliationRunOperations,
  reconciliationBreaks: reconciliationBreakOperations,
  installmentPlans: installmentPlanOperations,
  importMappings: importMappingOperations,
  leads: leadOperations,
  subscriptions: subscriptionOperations,
} as const;

/**
 * The operations object's type.
 *
 * @example
 * type AppointmentOperations = Operations['appointments']; // create, get, list, update, cancel, reschedule, complete
 */
export type Operations = typeof operations;

/**
 * Every operation as a flat list, in a stable order.
 *
 * @example
 * for (const op of listOperations()) console.log(op.method, op.path, op.scope);
 */
export function listOperations(): Operation[] {
  return Object.values(operations).flatMap((group) => Object.values(group) as Operation[]);
}
