/**
 * A valid call for every operation, used to check that an operation a
 * target declares unsupported really answers 501 `not_implemented` (and is
 * not, say, a 404 from a missing route or a 400 from validation).
 */
import { newId, type Operation } from '../../contract/index.ts';

const paramPrefixes = {
  appointmentId: 'apt',
  patientId: 'pat',
  visitId: 'vis',
  invoiceId: 'inv',
  paymentId: 'pay',
  refundId: 'ref',
  endpointId: 'whep',
  eventId: 'evt',
  deliveryId: 'dlv',
  importId: 'imp',
  exportId: 'exp',
  auditEventId: 'aud',
  integrationId: 'int',
  tokenId: 'tok',
  claimId: 'clm',
  visaApplicationId: 'vsa',
  teleRoomId: 'tlr',
  documentId: 'doc',
  shipmentId: 'shp',
  practitionerId: 'prc',
  serviceId: 'svc',
  slotId: 'slt',
  deviceId: 'pdv',
} as const;

const slot = { startsAt: '2027-05-01T09:00:00.000Z', endsAt: '2027-05-01T09:30:00.000Z' };
const eur = (amount: number) => ({ amount, currency: 'EUR' });

const sampleBodies: Record<string, () => unknown> = {
  'integrationTokens.create': () => ({ name: 'Sample', scopes: ['read:events'] }),
  'patients.create': () => ({ givenName: 'Ada', familyName: 'Sample' }),
  'patientDevices.register': () => ({ token: 'sample-device-token', platform: 'android' }),
  'appointments.create': () => ({ patientId: newId('pat'), service: 'Check-up', ...slot }),
  'appointments.cancel': () => ({ reason: 'Sample' }),
  'appointments.reschedule': () => slot,
  'visits.create': () => ({ patientId: newId('pat') }),
  'invoices.create': () => ({
    patientId: newId('pat'),
    currency: 'EUR',
    lines: [{ description: 'Sample', quantity: 1, unitPrice: eur(100) }],
  }),
  'payments.create': () => ({
    invoiceId: newId('inv'),
    amount: eur(100),
    method: 'card',
    source: 'terminal',
  }),
  'refunds.create': () => ({ paymentId: newId('pay'), amount: eur(100), reason: 'Sample' }),
  'webhookEndpoints.create': () => ({
    url: 'https://partner.example.com/hooks',
    eventTypes: ['*'],
  }),
  'webhookEndpoints.replay': () => ({ since: '2027-01-01T00:00:00.000Z' }),
  'claims.create': () => ({
    invoiceId: newId('inv'),
    payer: { payerRef: 'payer_sample', memberId: 'M-1' },
  }),
  'claims.redeliver': () => ({ endpointId: newId('whep') }),
  'visas.create': () => ({
    patientId: newId('pat'),
    caseRef: 'case_sample',
    destination: 'TR',
    nationality: 'GB',
    visaType: 'medical',
    arrivalDate: '2027-05-01',
    documents: [],
  }),
  'visas.cancel': () => ({}),
  'documents.presign': () => ({
    caseId: 'case_sample',
    fileName: 'scan.pdf',
    contentType: 'application/pdf',
    size: 100,
  }),
  'documents.complete': () => ({}),
  'shipments.create': () => ({
    caseId: 'case_sample',
    contents: 'documents',
    from: { name: 'Clinic', street1: 'Street 1', city: 'Istanbul', zip: '34000', country: 'TR' },
    to: { name: 'Patient', street1: 'Street 2', city: 'London', zip: 'N1 1AA', country: 'GB' },
    parcel: { lengthMm: 100, widthMm: 100, heightMm: 10, weightGrams: 100 },
  }),
  'documents.registerReference': () => ({
    caseId: 'case_sample',
    fileName: 'ct',
    reference: '1.2.3',
    contentType: 'application/dicom',
  }),
  'teleRooms.create': () => ({ appointmentId: newId('apt'), invoiceId: newId('inv') }),
  'teleRooms.join': () => ({ role: 'host' }),
  'teleRooms.complete': () => ({ outcome: 'completed' }),
  'availability.book': () => ({ patientId: newId('pat') }),
  'imports.create': () => ({
    kind: 'patients',
    format: 'ndjson',
    content: '{"givenName":"A","familyName":"B"}',
  }),
  'exports.create': () => ({ kind: 'appointments', format: 'csv' }),
  'importMappings.create': () => ({
    name: 'sample',
    kind: 'patients',
    columns: { Prénom: 'givenName' },
  }),
  'integrations.create': () => ({
    name: 'Sample',
    purpose: 'Sample',
    scopes: [],
    apis: [],
    events: [],
  }),
};

// Lists whose query has required filters.
const sampleQueries: Record<string, () => unknown> = {
  'availability.search': () => ({
    serviceId: newId('svc'),
    from: '2027-05-01T00:00:00.000Z',
    to: '2027-05-08T00:00:00.000Z',
  }),
};

/**
 * Positional arguments of `client.request(op, ...args)` for a valid call of `op`.
 *
 * @example
 * const args = sampleArgs(operations.deliveries.retry); // [{ deliveryId: 'dlv_…' }, {}]
 */
export function sampleArgs(op: Operation): unknown[] {
  const args: unknown[] = [];
  if (op.params) {
    const names = [...op.path.matchAll(/\{(\w+)\}/g)].map(
      (m) => m[1] as keyof typeof paramPrefixes,
    );
    args.push(Object.fromEntries(names.map((n) => [n, newId(paramPrefixes[n])])));
  }
  if (op.body) args.push(sampleBodies[op.id]?.() ?? {});
  else if (op.query) args.push(sampleQueries[op.id]?.() ?? {});
  return args;
}
