/**
 * Insurance claims: a patient's invoice claimed from an insurer or TPA.
 * A claim is created `draft`; asking to pre-authorise, submit or resubmit
 * queues the request (`pendingAction`) and the server talks to the payer
 * in the background: an ineligible member (or a refused pre-authorisation)
 * falls back to `self_pay` with a claim-ready itemised invoice; a submitted
 * claim is `approved` or `denied` (with reason codes), a denied one may be
 * resubmitted, an approved one is `settled` when the payer pays. Every
 * change is an event (`claim.*`), and the whole history of a claim can be
 * read and re-delivered to a webhook endpoint for a dispute.
 */
import * as z from 'zod/mini';
import { listQuery, money, page, timestamp } from '../common.ts';
import { eventEnvelope } from '../events/envelope.ts';
import { idSchema } from '../ids.ts';
import { defineOperation } from '../operation.ts';

/**
 * Where a claim stands.
 *
 * @example
 * claimStatus.parse('denied');
 */
export const claimStatus = z.enum([
  'draft',
  'preauthorized',
  'submitted',
  'denied',
  'approved',
  'settled',
  'self_pay',
  'withdrawn',
]);

/** @example const status: ClaimStatus = 'submitted'; */
export type ClaimStatus = z.infer<typeof claimStatus>;

/**
 * A change of a claim's status, named after the event it emits.
 *
 * @example
 * const change: ClaimTransition = 'claim.denied';
 */
export type ClaimTransition =
  | 'claim.preauthorized'
  | 'claim.submitted'
  | 'claim.resubmitted'
  | 'claim.denied'
  | 'claim.approved'
  | 'claim.settled'
  | 'claim.self_pay'
  | 'claim.withdrawn';

/**
 * For each transition: the statuses it may start from and the status it leads to.
 *
 * @example
 * claimTransitions['claim.resubmitted']; // { from: ['denied'], to: 'submitted' }
 */
export const claimTransitions: Record<
  ClaimTransition,
  { from: readonly ClaimStatus[]; to: ClaimStatus }
> = {
  'claim.preauthorized': { from: ['draft'], to: 'preauthorized' },
  'claim.submitted': { from: ['draft', 'preauthorized'], to: 'submitted' },
  'claim.resubmitted': { from: ['denied'], to: 'submitted' },
  'claim.denied': { from: ['submitted'], to: 'denied' },
  'claim.approved': { from: ['submitted'], to: 'approved' },
  'claim.settled': { from: ['approved'], to: 'settled' },
  'claim.self_pay': { from: ['draft', 'preauthorized'], to: 'self_pay' },
  'claim.withdrawn': { from: ['draft', 'preauthorized', 'denied'], to: 'withdrawn' },
};

/**
 * The status a transition leads to from `status`, or null when it is illegal.
 *
 * @example
 * nextClaimStatus('denied', 'claim.resubmitted'); // 'submitted'
 * nextClaimStatus('settled', 'claim.denied'); // null
 */
export function nextClaimStatus(
  status: ClaimStatus,
  transition: ClaimTransition,
): ClaimStatus | null {
  const t = claimTransitions[transition];
  return t.from.includes(status) ? t.to : null;
}

/**
 * Requests a partner makes that the server carries out with the payer.
 *
 * @example
 * claimAction.parse('resubmit');
 */
export const claimAction = z.enum(['preauthorize', 'submit', 'resubmit']);

/** @example const action: ClaimAction = 'submit'; */
export type ClaimAction = z.infer<typeof claimAction>;

/**
 * The statuses each request may be made from.
 *
 * @example
 * claimActionsFrom.resubmit; // ['denied']
 */
export const claimActionsFrom: Record<ClaimAction, readonly ClaimStatus[]> = {
  preauthorize: ['draft'],
  submit: ['draft', 'preauthorized'],
  resubmit: ['denied'],
};

/**
 * Resubmissions a claim may have; payers limit appeals, and so does the server.
 *
 * @example
 * if (claim.resubmissions >= MAX_CLAIM_RESUBMISSIONS) showFinalDenial();
 */
export const MAX_CLAIM_RESUBMISSIONS = 5;

const code = z.string().check(z.regex(/^[A-Za-z0-9.\-_]{1,32}$/, 'must be a code'));
const coding = z.strictObject({ system: z.url().check(z.maxLength(200)), code });
const payer = z.strictObject({
  payerRef: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be the payer id')),
  memberId: z.string().check(z.regex(/^[A-Za-z0-9\-_/.]{1,64}$/, 'must be the member id')),
});
const documentKind = z.enum([
  'invoice',
  'discharge_summary',
  'prescription',
  'lab_report',
  'imaging_report',
  'other',
]);
const documentInput = z.strictObject({
  kind: documentKind,
  contentType: z.string().check(z.regex(/^[a-z]+\/[a-z0-9.+-]+$/i), z.maxLength(100)),
  title: z.string().check(z.trim(), z.minLength(1), z.maxLength(200)),
  /** The document's bytes, base64. */
  data: z.base64().check(z.minLength(1), z.maxLength(1_400_000)),
});

/**
 * A reason code a payer gave (X12 CARC and the like).
 *
 * @example
 * reasonCode.parse({ code: '197', system: 'https://x12.org/codes/claim-adjustment-reason-codes' });
 */
export const reasonCode = z.object({ code: z.string(), system: z.nullable(z.string()) });

/**
 * A claim. Documents are listed without their bytes.
 *
 * @example
 * const c = claim.parse(await res.json());
 */
export const claim = z.object({
  id: idSchema('clm'),
  patientId: idSchema('pat'),
  invoiceId: idSchema('inv'),
  payer: z.object({ payerRef: z.string(), memberId: z.string() }),
  status: claimStatus,
  /** A request the server is still carrying out with the payer. */
  pendingAction: z.nullable(claimAction),
  eligibility: z.enum(['unknown', 'eligible', 'ineligible']),
  diagnoses: z.array(z.object({ system: z.string(), code: z.string() })),
  documents: z.array(
    z.object({
      kind: documentKind,
      contentType: z.string(),
      title: z.string(),
      size: z.int(),
      sha256: z.string(),
    }),
  ),
  /** The invoice total claimed. */
  amount: money,
  approvedAmount: z.nullable(money),
  paidAmount: z.nullable(money),
  /** The payer's reasons for the last denial (or ineligibility). */
  reasonCodes: z.array(reasonCode),
  preauthorizationRef: z.nullable(z.string()),
  remittanceRef: z.nullable(z.string()),
  resubmissions: z.int(),
  /** The last failure talking to the payer (the request is retried), as an error code. */
  lastError: z.nullable(z.string()),
  createdAt: timestamp,
  updatedAt: timestamp,
});

const claimParams = z.strictObject({ claimId: idSchema('clm') });

/**
 * Create a draft claim for an invoice (`claims.create`).
 *
 * @example
 * await client.request(claimsCreate, ...args); // same arguments as client.claims.create
 */
export const claimsCreate = defineOperation({
  id: 'claims.create',
  method: 'POST',
  path: '/api/v1/claims',
  summary: 'Create a draft claim for an invoice',
  scope: 'write:claims',
  write: true,
  status: 201,
  body: z.strictObject({
    invoiceId: idSchema('inv'),
    payer,
    diagnoses: z.optional(z.array(coding).check(z.maxLength(25))),
    documents: z.optional(z.array(documentInput).check(z.maxLength(10))),
  }),
  response: claim,
});

/**
 * Get a claim (`claims.get`).
 *
 * @example
 * await client.request(claimsGet, ...args); // same arguments as client.claims.get
 */
export const claimsGet = defineOperation({
  id: 'claims.get',
  method: 'GET',
  path: '/api/v1/claims/{claimId}',
  summary: 'Get a claim',
  scope: 'read:claims',
  write: false,
  status: 200,
  params: claimParams,
  response: claim,
});

/**
 * List claims (`claims.list`).
 *
 * @example
 * await client.request(claimsList, ...args); // same arguments as client.claims.list
 */
export const claimsList = defineOperation({
  id: 'claims.list',
  method: 'GET',
  path: '/api/v1/claims',
  summary: 'List claims',
  scope: 'read:claims',
  write: false,
  status: 200,
  paginated: true,
  query: listQuery({
    patientId: z.optional(idSchema('pat')),
    status: z.optional(claimStatus),
  }),
  response: page(claim),
});

const actionOperation = <const A extends ClaimAction>(action: A, summary: string, path: string) =>
  defineOperation({
    id: `claims.${action}` as `claims.${A}`,
    method: 'POST',
    path: `/api/v1/claims/{claimId}/${path}`,
    summary,
    scope: 'write:claims',
    write: true,
    status: 202,
    params: claimParams,
    body:
      action === 'resubmit'
        ? z.strictObject({
            diagnoses: z.optional(z.array(coding).check(z.maxLength(25))),
            documents: z.optional(z.array(documentInput).check(z.maxLength(10))),
          })
        : z.strictObject({}),
    response: claim,
  });

/**
 * Ask for pre-authorisation (eligibility first); the answer arrives as `claim.preauthorized` or `claim.self_pay` (`claims.preauthorize`).
 *
 * @example
 * await client.request(claimsPreauthorize, ...args); // same arguments as client.claims.preauthorize
 */
export const claimsPreauthorize = actionOperation(
  'preauthorize',
  'Ask the payer for pre-authorisation (eligibility first)',
  'preauthorize',
);

/**
 * Submit the claim with its documents (eligibility first) (`claims.submit`).
 *
 * @example
 * await client.request(claimsSubmit, ...args); // same arguments as client.claims.submit
 */
export const claimsSubmit = actionOperation(
  'submit',
  'Submit the claim with its documents (eligibility first)',
  'submit',
);

/**
 * Resubmit a denied claim, with corrected diagnoses or more documents (`claims.resubmit`).
 *
 * @example
 * await client.request(claimsResubmit, ...args); // same arguments as client.claims.resubmit
 */
export const claimsResubmit = actionOperation(
  'resubmit',
  'Resubmit a denied claim, with corrected diagnoses or more documents',
  'resubmit',
);

/**
 * Withdraw a claim not yet with the payer, or a denied one (`claims.withdraw`).
 *
 * @example
 * await client.request(claimsWithdraw, ...args); // same arguments as client.claims.withdraw
 */
export const claimsWithdraw = defineOperation({
  id: 'claims.withdraw',
  method: 'POST',
  path: '/api/v1/claims/{claimId}/withdraw',
  summary: 'Withdraw a claim not yet with the payer, or a denied one',
  scope: 'write:claims',
  write: true,
  status: 200,
  params: claimParams,
  body: z.strictObject({}),
  response: claim,
});

/**
 * The claim's whole history: every event, oldest first (`claims.events`).
 *
 * @example
 * await client.request(claimsEvents, ...args); // same arguments as client.claims.events
 */
export const claimsEvents = defineOperation({
  id: 'claims.events',
  method: 'GET',
  path: '/api/v1/claims/{claimId}/events',
  summary: "The claim's whole history: every event, oldest first",
  scope: 'read:claims',
  write: false,
  status: 200,
  params: claimParams,
  response: z.object({ data: z.array(eventEnvelope) }),
});

/**
 * Deliver every event of the claim again to one webhook endpoint, whatever its filter, for a dispute (`claims.redeliver`).
 *
 * @example
 * await client.request(claimsRedeliver, ...args); // same arguments as client.claims.redeliver
 */
export const claimsRedeliver = defineOperation({
  id: 'claims.redeliver',
  method: 'POST',
  path: '/api/v1/claims/{claimId}/redeliver',
  summary: 'Deliver every event of the claim again to one webhook endpoint, for a dispute',
  scope: 'write:claims',
  write: true,
  status: 202,
  params: claimParams,
  body: z.strictObject({ endpointId: idSchema('whep') }),
  response: z.object({ scheduled: z.int(), eventIds: z.array(idSchema('evt')) }),
});

/**
 * The claim-ready itemised invoice: a FHIR R4 `Claim` or CSV, for self-pay patients to claim themselves (`claims.itemisedInvoice`).
 *
 * @example
 * await client.request(claimsItemisedInvoice, ...args); // same arguments as client.claims.itemisedInvoice
 */
export const claimsItemisedInvoice = defineOperation({
  id: 'claims.itemisedInvoice',
  method: 'GET',
  path: '/api/v1/claims/{claimId}/itemised-invoice',
  summary: 'The claim-ready itemised invoice as a FHIR R4 Claim or CSV',
  scope: 'read:claims',
  write: false,
  status: 200,
  params: claimParams,
  query: z.strictObject({ format: z.optional(z.enum(['fhir', 'csv'])) }),
  response: z.object({
    format: z.enum(['fhir', 'csv']),
    contentType: z.string(),
    filename: z.string(),
    /** The FHIR Claim JSON text, or the CSV text. */
    content: z.string(),
  }),
});

/**
 * Operations on claims.
 *
 * @example
 * claimOperations.resubmit.path; // '/api/v1/claims/{claimId}/resubmit'
 */
export const claimOperations = {
  create: claimsCreate,
  get: claimsGet,
  list: claimsList,
  preauthorize: claimsPreauthorize,
  submit: claimsSubmit,
  resubmit: claimsResubmit,
  withdraw: claimsWithdraw,
  events: claimsEvents,
  redeliver: claimsRedeliver,
  itemisedInvoice: claimsItemisedInvoice,
} as const;
