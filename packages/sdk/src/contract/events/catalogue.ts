/**
 * The event catalogue: every event type ClinicBridge emits and the schema of
 * its `data`. Payloads carry ids, statuses and amounts — never clinical text
 * or contact details — so they are safe to fan out to partners and analytics.
 */
import * as z from 'zod/mini';
import { money, timestamp } from '../common.ts';
import { idSchema } from '../ids.ts';
import { appointmentStatus } from '../resources/appointments.ts';
import { encounterClass, encounterLocation, encounterStatus } from '../resources/encounters.ts';
import { disputeReason } from '../resources/escrows.ts';

const appointmentData = z.object({
  appointmentId: idSchema('apt'),
  patientId: idSchema('pat'),
  service: z.string(),
  status: appointmentStatus,
  startsAt: timestamp,
  endsAt: timestamp,
  cancellationReason: z.optional(z.nullable(z.string())),
});

const encounterData = {
  encounterId: idSchema('enc'),
  patientId: idSchema('pat'),
  status: encounterStatus,
  class: encounterClass,
  location: z.nullable(encounterLocation),
  departmentRef: z.nullable(z.string()),
  admittedAt: z.nullable(timestamp),
  dischargedAt: z.nullable(timestamp),
};

const visaData = z.object({
  caseId: z.string(),
  patientId: z.optional(idSchema('pat')),
  country: z.string(),
  status: z.string(),
  previousStatus: z.optional(z.nullable(z.string())),
  /** Set by the server's visa feature (a partner's own webhook may not carry it). */
  applicationId: z.optional(idSchema('vsa')),
  /** The partner's reasons, in the platform's vocabulary (`invalid_passport`, …). */
  reasonCodes: z.optional(z.array(z.string())),
});

const bookingRef = {
  bookingId: z.string(),
  patientId: z.optional(idSchema('pat')),
};

const flightData = z.object({
  ...bookingRef,
  flightNumber: z.string(),
  departAt: z.optional(z.nullable(timestamp)),
  previousDepartAt: z.optional(z.nullable(timestamp)),
  reason: z.optional(z.string()),
});

const stayData = z.object({
  ...bookingRef,
  propertyName: z.string(),
  checkIn: z.iso.date(),
  checkOut: z.iso.date(),
  reason: z.optional(z.string()),
});

const messageData = z.object({
  messageId: z.string(),
  channel: z.enum(['whatsapp', 'sms', 'email']),
  providerMessageId: z.optional(z.string()),
  patientId: z.optional(idSchema('pat')),
  errorCode: z.optional(z.string()),
});

const claimData = z.object({
  claimId: z.string(),
  patientId: z.optional(idSchema('pat')),
  /** The payer (insurer or TPA) id. */
  insurer: z.string(),
  amount: z.optional(money),
  /** Free text from an insurer's own webhook; ClinicBridge's claims send `reasonCodes` only. */
  reason: z.optional(z.string()),
  invoiceId: z.optional(idSchema('inv')),
  status: z.optional(z.string()),
  /** The payer's reason codes (X12 CARC and the like) for a denial or ineligibility. */
  reasonCodes: z.optional(z.array(z.string())),
  approvedAmount: z.optional(money),
  paidAmount: z.optional(money),
  remittanceRef: z.optional(z.string()),
  /** 1 for the first resubmission, 2 for the next. */
  resubmission: z.optional(z.int()),
});

/**
 * `data` schema of each event type.
 *
 * @example
 * const data = eventDataSchemas['payment.received'].parse(envelope.data);
 */
export const eventDataSchemas = {
  'appointment.created': appointmentData,
  'appointment.updated': appointmentData,
  'appointment.cancelled': appointmentData,
  'appointment.completed': appointmentData,
  'visit.completed': z.object({
    visitId: idSchema('vis'),
    patientId: idSchema('pat'),
    appointmentId: z.nullable(idSchema('apt')),
    completedAt: timestamp,
  }),
  'encounter.admitted': z.object(encounterData),
  'encounter.transferred': z.object({
    ...encounterData,
    previousLocation: z.nullable(encounterLocation),
  }),
  'encounter.discharged': z.object({
    ...encounterData,
    dischargeDisposition: z.nullable(z.string()),
    /** The invoice drafted from the encounter's charges, if it had any priced. */
    invoiceId: z.nullable(idSchema('inv')),
  }),
  'encounter.cancelled': z.object({
    ...encounterData,
    /** What the hospital cancelled: the admission (A11) or the discharge (A13, the encounter goes on). */
    cancelled: z.enum(['admission', 'discharge']),
  }),
  'invoice.created': z.object({
    invoiceId: idSchema('inv'),
    patientId: idSchema('pat'),
    total: money,
    balance: money,
    dueDate: z.nullable(z.iso.date()),
  }),
  'payment.received': z.object({
    paymentId: idSchema('pay'),
    invoiceId: idSchema('inv'),
    amount: money,
    method: z.string(),
    invoiceBalance: money,
  }),
  'payment.failed': z.object({
    invoiceId: z.nullable(idSchema('inv')),
    amount: money,
    reason: z.string(),
    externalRef: z.optional(z.string()),
  }),
  'refund.issued': z.object({
    refundId: idSchema('ref'),
    paymentId: idSchema('pay'),
    invoiceId: idSchema('inv'),
    amount: money,
    /** Set when the refund returned escrow money. */
    escrowId: z.optional(idSchema('esc')),
  }),
  'installment.overdue': z.object({
    invoiceId: idSchema('inv'),
    installment: z.int(),
    amountDue: money,
    dueDate: z.iso.date(),
  }),
  'inventory.low_stock': z.object({
    sku: z.string(),
    location: z.optional(z.string()),
    onHand: z.int(),
    threshold: z.int(),
  }),
  'visa.submitted': visaData,
  'visa.status_changed': visaData,
  'visa.granted': visaData,
  'visa.rejected': visaData,
  'booking.confirmed': z.object({
    ...bookingRef,
    kind: z.enum(['flight', 'hotel', 'transfer']),
    reference: z.string(),
  }),
  'flight.changed': flightData,
  'flight.cancelled': flightData,
  'stay.confirmed': stayData,
  'stay.unavailable': stayData,
  'message.delivered': messageData,
  'message.read': messageData,
  'message.failed': messageData,
  'claim.created': claimData,
  'claim.preauthorized': claimData,
  'claim.submitted': claimData,
  'claim.resubmitted': claimData,
  'claim.self_pay': claimData,
  'claim.withdrawn': claimData,
  'claim.approved': claimData,
  'claim.denied': claimData,
  'claim.settled': claimData,
  'escrow.held': z.object({
    escrowId: idSchema('esc'),
    paymentId: idSchema('pay'),
    invoiceId: idSchema('inv'),
    amount: money,
    milestones: z.array(z.object({ code: z.string(), amount: money })),
  }),
  'escrow.released': z.object({
    escrowId: z.string(),
    milestone: z.string(),
    amount: money,
    transferId: z.optional(idSchema('ltr')),
  }),
  'escrow.disputed': z.object({
    escrowId: idSchema('esc'),
    milestone: z.string(),
    amount: money,
    reason: disputeReason,
  }),
  'escrow.voided': z.object({
    escrowId: idSchema('esc'),
    amount: money,
    /** `voided` by a caller, `expired` by the server's job. */
    status: z.enum(['voided', 'expired']),
    milestones: z.array(z.string()),
  }),
  'webhook_endpoint.disabled': z.object({
    endpointId: idSchema('whep'),
    url: z.string(),
    reason: z.string(),
    failingSince: z.nullable(timestamp),
  }),
  'webhook_endpoint.ping': z.object({ endpointId: idSchema('whep'), message: z.string() }),
} as const;

/**
 * Every event type, e.g. `'appointment.created'`.
 *
 * @example
 * const type: EventType = 'appointment.cancelled';
 */
export type EventType = keyof typeof eventDataSchemas;

/**
 * Every event type, in catalogue order.
 *
 * @example
 * await client.webhookEndpoints.create({ url, eventTypes: eventTypes.filter((t) => t.startsWith('payment.')) });
 */
export const eventTypes = Object.keys(eventDataSchemas) as EventType[];

/**
 * Schema of one event type.
 *
 * @example
 * eventType.parse('payment.received');
 */
export const eventType = z.enum(eventTypes as [EventType, ...EventType[]]);

/**
 * The `data` of an event of type `T`.
 *
 * @example
 * function onPayment(data: EventData<'payment.received'>) { console.log(data.amount, data.invoiceBalance); }
 */
export type EventData<T extends EventType> = z.output<(typeof eventDataSchemas)[T]>;
