/**
 * A tenant populated with one of every resource, and a request for every
 * contract operation that targets those resources: the input of the
 * tenant-isolation and scope matrices.
 */
import { listOperations, type Operation } from '@clinicbridge/sdk/contract';
import type { z } from 'zod';
import { call, json, type Requester } from './app.ts';
import { appointmentBody, invoiceBody, patientBody } from './fixtures.ts';

/** Ids of one populated tenant, by path parameter name. */
export type WorldIds = Record<string, string>;

/**
 * Creates one of every implemented resource with `token`; returns their ids.
 *
 * @example
 * const ids = await populateTenant(app, apiKey);
 */
export async function populateTenant(
  app: Requester,
  token: string,
  clientId = 'cli_aaaaaaaaaaaaaaaaaaaaaaaaaa',
): Promise<WorldIds> {
  const post = async (path: string, body: unknown) => {
    const res = await call(app, 'POST', path, { token, body });
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return json<{ id: string }>(res);
  };
  const patient = await post('/api/v1/patients', patientBody());
  const appointment = await post('/api/v1/appointments', appointmentBody(patient.id));
  const visit = await post('/api/v1/visits', {
    patientId: patient.id,
    appointmentId: appointment.id,
  });
  const invoice = await post('/api/v1/invoices', invoiceBody(patient.id));
  const payment = await post('/api/v1/payments', {
    invoiceId: invoice.id,
    amount: { amount: 1000, currency: 'EUR' },
    method: 'card',
    source: 'terminal',
  });
  const refund = await post('/api/v1/refunds', {
    paymentId: payment.id,
    amount: { amount: 100, currency: 'EUR' },
    reason: 'test',
  });
  const integration = await post('/api/v1/integrations', {
    name: 'Lab',
    purpose: 'Results',
    scopes: ['read:appointments'],
    apis: ['appointments.list'],
    events: ['appointment.created'],
  });
  const token2 = await post('/api/v1/integration-tokens', {
    name: 'spare',
    scopes: ['read:events'],
  });
  const events = await json<{ data: { id: string }[] }>(
    await call(app, 'GET', '/api/v1/events?limit=1', { token }),
  );
  const audit = await json<{ data: { id: string }[] }>(
    await call(app, 'GET', '/api/v1/audit-events?limit=1', { token }),
  );
  return {
    patientId: patient.id,
    appointmentId: appointment.id,
    visitId: visit.id,
    invoiceId: invoice.id,
    paymentId: payment.id,
    refundId: refund.id,
    integrationId: integration.id,
    tokenId: token2.id,
    clientId,
    eventId: events.data[0]?.id ?? '',
    auditEventId: audit.data[0]?.id ?? '',
    webhookEndpointId: 'whep_aaaaaaaaaaaaaaaaaaaaaaaaaa',
    deliveryId: 'dlv_aaaaaaaaaaaaaaaaaaaaaaaaaa',
    importId: 'imp_aaaaaaaaaaaaaaaaaaaaaaaaaa',
    exportId: 'exp_aaaaaaaaaaaaaaaaaaaaaaaaaa',
    // The catalogue is written by imports, not through these resources: ids no tenant holds.
    practitionerId: 'prc_aaaaaaaaaaaaaaaaaaaaaaaaaa',
    serviceId: 'svc_aaaaaaaaaaaaaaaaaaaaaaaaaa',
    slotId: 'slt_aaaaaaaaaaaaaaaaaaaaaaaaaa',
    // Saved mappings and leads are written by imports: ids no tenant holds.
    mappingId: 'imm_aaaaaaaaaaaaaaaaaaaaaaaaaa',
    leadId: 'lea_aaaaaaaaaaaaaaaaaaaaaaaaaa',
    // Subscriptions need a gateway: an id no tenant holds.
    subscriptionId: 'sbs_aaaaaaaaaaaaaaaaaaaaaaaaaa',
    // A device no tenant holds (devices are registered by the patients' apps).
    deviceId: 'pdv_aaaaaaaaaaaaaaaaaaaaaaaaaa',
  };
}

/**
 * A valid body for a write operation against the world's resources (undefined for none).
 *
 * @example
 * bodyFor(operations.appointments.cancel, ids); // { reason: 'matrix' }
 */
export function bodyFor(operation: Operation, ids: WorldIds): unknown {
  const bodies: Record<string, unknown> = {
    'patients.create': patientBody(),
    'patients.update': { email: 'matrix@example.com' },
    'patientDevices.register': { token: 'matrix-device-token', platform: 'android' },
    'appointments.create': appointmentBody(ids.patientId ?? ''),
    'appointments.update': { location: 'Room 9' },
    'appointments.cancel': { reason: 'matrix' },
    'appointments.reschedule': { startsAt: '2026-12-03T09:00:00Z', endsAt: '2026-12-03T09:30:00Z' },
    'appointments.complete': {},
    'visits.create': { patientId: ids.patientId },
    'visits.complete': {},
    'invoices.create': invoiceBody(ids.patientId ?? ''),
    'payments.create': {
      invoiceId: ids.invoiceId,
      amount: { amount: 1, currency: 'EUR' },
      method: 'cash',
      source: 'manual',
    },
    'refunds.create': {
      paymentId: ids.paymentId,
      amount: { amount: 1, currency: 'EUR' },
      reason: 'x',
    },
    'integrations.create': { name: 'X', purpose: 'Y', scopes: [], apis: [], events: [] },
    'integrations.update': { status: 'paused' },
    'integrations.link': { tokenId: ids.tokenId },
    'integrations.unlink': { tokenId: ids.tokenId },
    'integrationTokens.create': { name: 'X', scopes: ['read:events'] },
    'availability.book': { patientId: ids.patientId },
    'importMappings.create': { name: 'matrix', kind: 'leads', columns: { Téléphone: 'phone' } },
    'subscriptions.create': {
      patientId: ids.patientId,
      gateway: 'stripe',
      planId: 'price_world_monthly',
      customerRef: 'cus_world',
      amount: { amount: 2900, currency: 'EUR' },
      interval: 'month',
    },
    'subscriptions.changePlan': {
      planId: 'price_world_yearly',
      amount: { amount: 29000, currency: 'EUR' },
    },
    'subscriptions.cancel': { atPeriodEnd: true },
  };
  return bodies[operation.id] ?? (operation.body ? {} : undefined);
}

/**
 * Values for a search's filters, by query parameter name: the world's ids
 * (a `serviceId` filter takes the world's service) and one bounded period.
 * The one place a search's required filters come from.
 *
 * @example
 * worldFilters(ids).serviceId; // 'svc_…'
 */
export function worldFilters(ids: WorldIds): Record<string, string> {
  return { ...ids, from: '2027-01-04T00:00:00Z', to: '2027-01-11T00:00:00Z' };
}

/** The query parameters an operation cannot be called without. */
function requiredQuery(operation: Operation): string[] {
  const shape = (operation.query as { shape?: Record<string, z.ZodType> } | undefined)?.shape;
  if (!shape) return [];
  return Object.keys(shape).filter((name) => !shape[name]?.safeParse(undefined).success);
}

/**
 * The concrete path of an operation for the world's ids, with its required
 * filters from {@link worldFilters}.
 *
 * @example
 * pathFor(operations.appointments.get, ids); // '/api/v1/appointments/apt_…'
 * pathFor(operations.availability.search, ids); // '/api/v1/availability?serviceId=svc_…&from=…&to=…'
 */
export function pathFor(operation: Operation, ids: WorldIds): string {
  const path = operation.path.replace(/\{(\w+)\}/g, (_, name: string) => ids[name] ?? 'missing');
  const filters = worldFilters(ids);
  const query = new URLSearchParams(
    requiredQuery(operation).map((name) => [name, filters[name] ?? 'missing']),
  ).toString();
  return query ? `${path}?${query}` : path;
}

/** Every operation of the contract. */
export const allOperations: Operation[] = listOperations();
