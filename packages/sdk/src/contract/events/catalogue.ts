/**
 * The event catalogue: every event type ClinicBridge emits and the schema of
 * its `data`. Payloads carry ids, codes, states, amounts and timestamps only —
 * never free text (no appointment service, no cancellation reason, no
 * provider messages), clinical detail or contact details — so they are safe
 * to fan out to partners and analytics. Every string field is one of the
 * shapes of `./shapes.ts` or an id, enum, timestamp, date or currency; the
 * server's `test/security/finding-07-event-free-text.test.ts` walks the catalogue to keep it so.
 */
import * as z from 'zod/mini';
import { date, money, timestamp } from '../common.ts';
import { idSchema } from '../ids.ts';
import { appointmentStatus } from '../resources/appointments.ts';
import { checkoutGateway, checkoutMethod, gatewayRefundReason } from '../resources/checkouts.ts';
import { encounterClass, encounterStatus } from '../resources/encounters.ts';
import { disputeReason } from '../resources/escrows.ts';
import { breakKind, settlementProvider } from '../resources/reconciliation.ts';
import { shipmentStatus } from '../resources/shipments.ts';
import { subscriptionGateway, subscriptionInterval } from '../resources/subscriptions.ts';
import { eventCode, externalRef, locationCode, maskedText } from './shapes.ts';

const appointmentData = z.object({
  appointmentId: idSchema('apt'),
  patientId: idSchema('pat'),
  status: appointmentStatus,
  startsAt: timestamp,
  endsAt: timestamp,
});

/** Where a patient is, as the hospital codes it (HL7 PL components); absent parts are null. */
const eventLocation = z.object({
  pointOfCare: z.nullable(locationCode),
  room: z.nullable(locationCode),
  bed: z.nullable(locationCode),
  facility: z.nullable(locationCode),
  building: z.nullable(locationCode),
  floor: z.nullable(locationCode),
});

const encounterData = {
  encounterId: idSchema('enc'),
  patientId: idSchema('pat'),
  status: encounterStatus,
  class: encounterClass,
  location: z.nullable(eventLocation),
  departmentRef: z.nullable(eventCode),
  admittedAt: z.nullable(timestamp),
  dischargedAt: z.nullable(timestamp),
};

const visaData = z.object({
  caseId: externalRef,
  patientId: z.optional(idSchema('pat')),
  /** ISO 3166-1 country code. */
  country: eventCode,
  status: eventCode,
  previousStatus: z.optional(z.nullable(eventCode)),
  /** Set by the server's visa feature (a partner's own webhook may not carry it). */
  applicationId: z.optional(idSchema('vsa')),
  /** The partner's reasons, in the platform's vocabulary (`invalid_passport`, …). */
  reasonCodes: z.optional(z.array(eventCode)),
});

/**
 * GİB's answer about an e-invoice, relayed by the e-Fatura integrator: the
 * invoice, its ETTN (a UUID), `approved` or `rejected`, and for a rejection
 * GİB's or the integrator's code — never its message.
 */
const eInvoiceStatusData = z.object({
  ettn: externalRef,
  /** Set by the server when it queued the invoice (an integrator's webhook may not carry it). */
  invoiceId: z.optional(idSchema('inv')),
  status: z.enum(['approved', 'rejected']),
  reasonCode: z.optional(z.nullable(eventCode)),
});

/** A shipment of a case: ids, kind of contents, carrier, tracking code and status; never an address. */
const shipmentData = z.object({
  shipmentId: idSchema('shp'),
  caseId: externalRef,
  contents: z.enum(['medication', 'documents']),
  status: shipmentStatus,
  /** The status before, on `shipment.status_changed`. */
  previousStatus: z.nullable(shipmentStatus),
  carrier: z.nullable(eventCode),
  trackingCode: z.nullable(externalRef),
});

/**
 * A run of the national catalogue sync (USHAŞ): which schedule slot it served,
 * whether the source had changed, and how many practitioners, services and
 * prices were added, updated, left unchanged or rejected.
 */
const catalogueSyncData = z.object({
  source: eventCode,
  slot: timestamp,
  status: z.enum(['completed', 'unchanged']),
  version: z.nullable(externalRef),
  added: z.int(),
  updated: z.int(),
  unchanged: z.int(),
  rejected: z.int(),
});

/** A telemedicine room's session: ids, provider and status codes, times and the follow-up date. */
const teleData = z.object({
  teleRoomId: idSchema('tlr'),
  appointmentId: idSchema('apt'),
  patientId: idSchema('pat'),
  provider: eventCode,
  status: eventCode,
  startedAt: z.nullable(timestamp),
  endedAt: z.nullable(timestamp),
  /** Set on `tele.session.failed`. */
  failureCode: z.nullable(eventCode),
  /** Set on `tele.session.completed`: when the follow-up is due (YYYY-MM-DD). */
  followUpDue: z.nullable(date),
});

/**
 * A patient's inbound WhatsApp message, for the orchestration that answers
 * it. Recorded only when the sender is a known patient who consented to
 * messaging; never the phone number. `caseId` is the reference of the
 * patient's open case (the newest visa application not yet decided or
 * withdrawn), else the patient id. `message` is the text masked by the
 * server (numbers, email addresses, links and the patient's name replaced
 * by `[number]`, `[email]`, `[link]`, `[name]`), null for a non-text
 * message (`kind`: `image`, `audio`, `location`, …; the media stays at Meta).
 */
const whatsappInboundData = z.object({
  caseId: externalRef,
  patientId: idSchema('pat'),
  /** Meta's message id (`wamid.…`): threads the answer, drops repeats. */
  messageId: externalRef,
  kind: eventCode,
  message: z.nullable(maskedText),
  /** The patient's preferred language (BCP 47), what the answer should be written in. */
  lang: eventCode,
  receivedAt: timestamp,
});

/** An airport and a local time there (Amadeus gives local times without an offset). */
const flightPoint = z.object({ airport: eventCode, at: z.iso.datetime({ local: true }) });

/**
 * Flight options found for a case, normalised whatever the supplier (the
 * `FlightSearch` port's option without its opaque offer token and the
 * airline's display name): at most 20,
 * cheapest first as the supplier ranks them; `total` is how many the search
 * returned.
 */
const travelOfferData = z.object({
  caseId: externalRef,
  provider: eventCode,
  origin: eventCode,
  destination: eventCode,
  departureDate: date,
  returnDate: z.nullable(date),
  adults: z.int(),
  flights: z.array(
    z.object({
      /** The supplier's option id (valid for this search only). */
      id: externalRef,
      /** The carrier's IATA code and the number (`TK1980`); the airline's name stays out (it has spaces). */
      flightNumber: eventCode,
      depart: flightPoint,
      arrive: flightPoint,
      durationMinutes: z.int(),
      stops: z.int(),
      cabin: z.enum(['economy', 'premium_economy', 'business', 'first']),
      fare: money,
      tags: z.array(z.enum(['non_stop', 'refundable', 'checked_bag', 'last_seats'])),
    }),
  ),
  total: z.int(),
});

const bookingRef = {
  bookingId: externalRef,
  patientId: z.optional(idSchema('pat')),
};

/**
 * One leg of a flight booking, for the clinic's transfer planning: the
 * carrier's IATA code (`TK`), the flight number (`TK1980`), the IATA codes
 * of the airports (`LHR`, `IST`) and the times. A passenger's name,
 * passport or seat has no field here.
 */
const flightLeg = z.object({
  airline: eventCode,
  flightNumber: eventCode,
  from: eventCode,
  to: eventCode,
  departAt: timestamp,
  arriveAt: timestamp,
});

const flightData = z.object({
  ...bookingRef,
  flightNumber: eventCode,
  departAt: z.optional(z.nullable(timestamp)),
  /** The new arrival time, when the carrier sent one with a change. */
  arriveAt: z.optional(z.nullable(timestamp)),
  previousDepartAt: z.optional(z.nullable(timestamp)),
  /** The carrier's change or cancellation code, if it sent one. */
  reasonCode: z.optional(eventCode),
});

const stayData = z.object({
  ...bookingRef,
  /** The hotel provider's property id (the name stays with the booking, not in events). */
  propertyId: externalRef,
  checkIn: z.iso.date(),
  checkOut: z.iso.date(),
  /** The provider's unavailability code, if it sent one. */
  reasonCode: z.optional(eventCode),
});

const messageData = z.object({
  messageId: externalRef,
  channel: z.enum(['whatsapp', 'sms', 'email']),
  providerMessageId: z.optional(externalRef),
  patientId: z.optional(idSchema('pat')),
  errorCode: z.optional(eventCode),
});

/** A gateway payment settled for an invoice: succeeded, or paid as a deposit or the balance. */
const gatewayPaymentData = {
  checkoutId: idSchema('chk'),
  paymentId: idSchema('pay'),
  invoiceId: idSchema('inv'),
  gateway: checkoutGateway,
  method: checkoutMethod,
  amount: money,
  /** What is left to pay on the invoice after this payment. */
  invoiceBalance: money,
};

/** Money going back to the payer's original method through the gateway. */
const gatewayRefundData = {
  checkoutId: idSchema('chk'),
  refundId: idSchema('ref'),
  paymentId: idSchema('pay'),
  invoiceId: idSchema('inv'),
  gateway: checkoutGateway,
  amount: money,
  reason: gatewayRefundReason,
};

const gatewayRefundDone = z.object({
  ...gatewayRefundData,
  /** The gateway's refund id. */
  providerRefundId: externalRef,
});

const claimData = z.object({
  claimId: externalRef,
  patientId: z.optional(idSchema('pat')),
  /** The payer (insurer or TPA) id. */
  insurer: externalRef,
  amount: z.optional(money),
  invoiceId: z.optional(idSchema('inv')),
  status: z.optional(eventCode),
  /** The payer's reason codes (X12 CARC and the like) for a denial or ineligibility. */
  reasonCodes: z.optional(z.array(eventCode).check(z.maxLength(20))),
  approvedAmount: z.optional(money),
  paidAmount: z.optional(money),
  remittanceRef: z.optional(externalRef),
  /** 1 for the first resubmission, 2 for the next. */
  resubmission: z.optional(z.int()),
});

/**
 * The fixed `message` of a `webhook_endpoint.ping` event.
 *
 * @example
 * const data: EventData<'webhook_endpoint.ping'> = { endpointId, message: PING_MESSAGE };
 */
export const PING_MESSAGE = 'Test event from ClinicBridge';

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
    previousLocation: z.nullable(eventLocation),
  }),
  'encounter.discharged': z.object({
    ...encounterData,
    /** HL7 table 0112 code. */
    dischargeDisposition: z.nullable(eventCode),
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
    method: eventCode,
    invoiceBalance: money,
  }),
  'payment.failed': z.object({
    invoiceId: z.nullable(idSchema('inv')),
    amount: money,
    /** The gateway's decline code (`card_declined`, `insufficient_funds`), never its message. */
    failureCode: eventCode,
    externalRef: z.optional(externalRef),
    /** Set when the payment was a gateway checkout. */
    checkoutId: z.optional(idSchema('chk')),
    gateway: z.optional(checkoutGateway),
  }),
  'payment.initiated': z.object({
    checkoutId: idSchema('chk'),
    invoiceId: idSchema('inv'),
    gateway: checkoutGateway,
    method: checkoutMethod,
    amount: money,
  }),
  'payment.succeeded': z.object({
    ...gatewayPaymentData,
    /** Set when the payment is held in escrow for the case's milestones. */
    escrowId: z.optional(idSchema('esc')),
  }),
  /** A gateway payment that left part of the invoice to pay. */
  'payment.deposit.paid': z.object(gatewayPaymentData),
  /** A gateway payment that settled the invoice. */
  'payment.balance.paid': z.object(gatewayPaymentData),
  'payment.refund.initiated': z.object(gatewayRefundData),
  'payment.refund.issued': gatewayRefundDone,
  'refund.completed': gatewayRefundDone,
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
    /** The installment plan the part belongs to. */
    planId: z.optional(idSchema('ipl')),
    installment: z.int(),
    amountDue: money,
    dueDate: z.iso.date(),
  }),
  'inventory.low_stock': z.object({
    sku: eventCode,
    location: z.optional(eventCode),
    onHand: z.int(),
    threshold: z.int(),
  }),
  'visa.submitted': visaData,
  'visa.status_changed': visaData,
  'visa.granted': visaData,
  'visa.rejected': visaData,
  'efatura.status.update': eInvoiceStatusData,
  'ushas.sync.completed': catalogueSyncData,
  'tele.room.created': teleData,
  'tele.session.started': teleData,
  'tele.session.completed': teleData,
  'tele.session.failed': teleData,
  'shipment.created': shipmentData,
  'shipment.status_changed': shipmentData,
  'booking.confirmed': z.object({
    ...bookingRef,
    kind: z.enum(['flight', 'hotel', 'transfer']),
    reference: eventCode,
    /** A flight booking's legs in order (at most 8). */
    flights: z.optional(z.array(flightLeg).check(z.maxLength(8))),
  }),
  'flight.changed': flightData,
  'flight.cancelled': flightData,
  'stay.confirmed': stayData,
  'stay.unavailable': stayData,
  'message.delivered': messageData,
  'message.read': messageData,
  'message.failed': messageData,
  'whatsapp.inbound': whatsappInboundData,
  'travel.offer.generated': travelOfferData,
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
    milestones: z.array(z.object({ code: eventCode, amount: money })),
  }),
  'escrow.released': z.object({
    escrowId: externalRef,
    milestone: eventCode,
    amount: money,
    transferId: z.optional(idSchema('ltr')),
  }),
  'escrow.disputed': z.object({
    escrowId: idSchema('esc'),
    milestone: eventCode,
    amount: money,
    reason: disputeReason,
  }),
  'escrow.voided': z.object({
    escrowId: idSchema('esc'),
    amount: money,
    /** `voided` by a caller, `expired` by the server's job. */
    status: z.enum(['voided', 'expired']),
    milestones: z.array(eventCode),
  }),
  'reconciliation.break': z.object({
    breakId: idSchema('rcb'),
    runId: idSchema('rcn'),
    kind: breakKind,
    provider: settlementProvider,
    /** The provider's payment id, when the break is about one payment. */
    paymentRef: z.nullable(externalRef),
    transferId: z.nullable(idSchema('ltr')),
    lineIds: z.array(externalRef),
    expected: z.nullable(money),
    actual: z.nullable(z.object({ amount: z.int(), currency: eventCode })),
  }),
  'webhook_endpoint.disabled': z.object({
    endpointId: idSchema('whep'),
    /** Why it was disabled; the endpoint's URL and details are at `GET /webhook-endpoints/{id}`. */
    reasonCode: z.enum(['failing', 'gone']),
    failingSince: z.nullable(timestamp),
  }),
  'webhook_endpoint.ping': z.object({
    endpointId: idSchema('whep'),
    message: z.literal(PING_MESSAGE),
  }),
  'subscription.created': z.object({
    subscriptionId: idSchema('sbs'),
    patientId: idSchema('pat'),
    gateway: subscriptionGateway,
    planId: externalRef,
    amount: money,
    interval: subscriptionInterval,
  }),
  'subscription.renewed': z.object({
    subscriptionId: idSchema('sbs'),
    gateway: subscriptionGateway,
    amount: money,
    /** The gateway's invoice (Stripe) or payment (Razorpay) that paid the period. */
    providerChargeId: externalRef,
    periodsPaid: z.int(),
    transferId: idSchema('ltr'),
  }),
  'subscription.payment_failed': z.object({
    subscriptionId: idSchema('sbs'),
    gateway: subscriptionGateway,
    /** Absent when the gateway only said the subscription halted. */
    amount: z.nullable(money),
    failureCode: eventCode,
    providerChargeId: externalRef,
  }),
  'subscription.cancelled': z.object({
    subscriptionId: idSchema('sbs'),
    gateway: subscriptionGateway,
    /** `requested` through the API, `gateway` when the gateway ended it. */
    cancelledBy: z.enum(['requested', 'gateway']),
  }),
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
