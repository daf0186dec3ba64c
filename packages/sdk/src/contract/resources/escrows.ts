/**
 * Escrow per case and the ledger balances behind it. An escrow holds a
 * captured payment as one pending ledger transfer per milestone (a
 * tranche); releasing a milestone posts its whole tranche exactly once —
 * there is no partial capture of a tranche. Voiding returns the tranches not
 * yet released to the escrow account, from where a refund (never above what
 * was captured) returns money to the payer. A disputed tranche is frozen: it
 * is neither released nor expired until an explicit void.
 */
import * as z from 'zod/mini';
import { currency, money, positiveMoneyInput, timestamp } from '../common.ts';
import { idSchema } from '../ids.ts';
import { defineOperation } from '../operation.ts';

/**
 * A milestone code: lower-case letters, digits and underscores (`admission`, `surgery`).
 *
 * @example
 * milestoneCode.parse('discharge');
 */
export const milestoneCode = z.string().check(z.regex(/^[a-z][a-z0-9_]{0,39}$/));

/**
 * Where a milestone's tranche stands.
 *
 * @example
 * milestoneStatus.parse('released');
 */
export const milestoneStatus = z.enum(['held', 'disputed', 'released', 'voided', 'expired']);

/**
 * Why a tranche is disputed: a code, never free text.
 *
 * @example
 * disputeReason.parse('service_not_rendered');
 */
export const disputeReason = z.enum([
  'service_not_rendered',
  'quality_of_care',
  'billing_error',
  'fraud_suspected',
  'other',
]);

/**
 * A dispute reason code.
 *
 * @example
 * const reason: DisputeReason = 'billing_error';
 */
export type DisputeReason = z.infer<typeof disputeReason>;

/**
 * An escrow: the held payment, its tranches and what became of them.
 *
 * @example
 * const e = escrow.parse(await res.json());
 */
export const escrow = z.object({
  id: idSchema('esc'),
  paymentId: idSchema('pay'),
  invoiceId: idSchema('inv'),
  /** The escrow's ledger account (credit-normal; debits never exceed credits). */
  accountId: idSchema('lac'),
  status: z.enum(['held', 'closed']),
  held: money,
  released: money,
  voided: money,
  refunded: money,
  milestones: z.array(
    z.object({
      code: milestoneCode,
      amount: money,
      status: milestoneStatus,
      transferId: idSchema('ltr'),
      disputeReason: z.nullable(disputeReason),
      releasedAt: z.nullable(timestamp),
    }),
  ),
  refunds: z.array(
    z.object({ refundId: idSchema('ref'), reference: milestoneCode, amount: money }),
  ),
  expiresAt: z.nullable(timestamp),
  createdAt: timestamp,
  updatedAt: timestamp,
});

/**
 * A ledger account's balance in its normal direction, in minor units.
 *
 * @example
 * const b = ledgerBalance.parse(await res.json()); // b.available.amount
 */
export const ledgerBalance = z.object({
  accountId: idSchema('lac'),
  currency,
  /** Digits after the decimal point of the currency (ISO 4217): 2 for EUR, 0 for JPY, 3 for KWD. */
  exponent: z.int(),
  normalBalance: z.enum(['debit', 'credit']),
  posted: z.int(),
  pending: z.int(),
  /** Posted minus what pending transfers would take out. */
  available: z.int(),
  version: z.int(),
});

const escrowParams = z.strictObject({ escrowId: idSchema('esc') });
const milestoneParams = z.strictObject({ escrowId: idSchema('esc'), milestone: milestoneCode });

/**
 * Hold a captured payment in escrow, one tranche per milestone (`escrows.create`).
 *
 * @example
 * await client.escrows.create({ paymentId, milestones: [{ code: 'surgery', amount: { amount: 5000, currency: 'EUR' } }] });
 */
export const escrowsCreate = defineOperation({
  id: 'escrows.create',
  method: 'POST',
  path: '/api/v1/escrows',
  summary: 'Hold a captured payment in escrow, one tranche per milestone',
  scope: 'write:payments',
  write: true,
  status: 201,
  body: z.strictObject({
    paymentId: idSchema('pay'),
    milestones: z.array(z.strictObject({ code: milestoneCode, amount: positiveMoneyInput })).check(
      z.minLength(1),
      z.maxLength(20),
      z.refine(
        (m) => new Set(m.map((x) => x.code)).size === m.length,
        'milestone codes must be unique',
      ),
      z.refine(
        (m) => new Set(m.map((x) => x.amount.currency)).size === 1,
        'one currency per escrow',
      ),
    ),
    /** Tranches still held after this time are voided as expired by the server's job. */
    expiresAt: z.optional(timestamp),
    /**
     * Origin and destination countries of the money (ISO 3166-1 alpha-2, `NG-TR`). On a
     * corridor the server marks enhanced-risk, the payer is screened first; a hit or an
     * unavailable screener parks the funding for review (409 `funding_parked`).
     */
    corridor: z.optional(z.string().check(z.regex(/^[A-Z]{2}-[A-Z]{2}$/))),
  }),
  response: escrow,
});

/**
 * Get an escrow (`escrows.get`).
 *
 * @example
 * await client.escrows.get({ escrowId });
 */
export const escrowsGet = defineOperation({
  id: 'escrows.get',
  method: 'GET',
  path: '/api/v1/escrows/{escrowId}',
  summary: 'Get an escrow',
  scope: 'read:payments',
  write: false,
  status: 200,
  params: escrowParams,
  response: escrow,
});

/**
 * Release a milestone's whole tranche to the clinic, once however often asked (`escrows.release`).
 *
 * @example
 * await client.escrows.release({ escrowId, milestone: 'surgery' }, {});
 */
export const escrowsRelease = defineOperation({
  id: 'escrows.release',
  method: 'POST',
  path: '/api/v1/escrows/{escrowId}/milestones/{milestone}/release',
  summary: "Release a milestone's whole tranche, exactly once",
  scope: 'write:payments',
  write: true,
  status: 200,
  params: milestoneParams,
  body: z.strictObject({}),
  response: escrow,
});

/**
 * Freeze a milestone's tranche until the escrow is voided (`escrows.dispute`).
 *
 * @example
 * await client.escrows.dispute({ escrowId, milestone: 'surgery' }, { reason: 'quality_of_care' });
 */
export const escrowsDispute = defineOperation({
  id: 'escrows.dispute',
  method: 'POST',
  path: '/api/v1/escrows/{escrowId}/milestones/{milestone}/dispute',
  summary: "Freeze a milestone's tranche",
  scope: 'write:payments',
  write: true,
  status: 200,
  params: milestoneParams,
  body: z.strictObject({ reason: disputeReason }),
  response: escrow,
});

/**
 * Void every tranche not yet released (`escrows.void`).
 *
 * @example
 * await client.escrows.void({ escrowId }, {});
 */
export const escrowsVoid = defineOperation({
  id: 'escrows.void',
  method: 'POST',
  path: '/api/v1/escrows/{escrowId}/void',
  summary: 'Void every tranche not yet released',
  scope: 'write:payments',
  write: true,
  status: 200,
  params: escrowParams,
  body: z.strictObject({}),
  response: escrow,
});

/**
 * Refund voided escrow money to the payer, never above what was captured (`escrows.refund`).
 * The `reference` makes the refund idempotent: the same reference refunds once.
 *
 * @example
 * await client.escrows.refund({ escrowId }, { reference: 'visa_rejected', amount: { amount: 5000, currency: 'EUR' } });
 */
export const escrowsRefund = defineOperation({
  id: 'escrows.refund',
  method: 'POST',
  path: '/api/v1/escrows/{escrowId}/refund',
  summary: 'Refund voided escrow money to the payer',
  scope: 'write:payments',
  write: true,
  status: 200,
  params: escrowParams,
  body: z.strictObject({ reference: milestoneCode, amount: positiveMoneyInput }),
  response: escrow,
});

/**
 * Operations on escrows.
 *
 * @example
 * escrowOperations.release.scope; // 'write:payments'
 */
export const escrowOperations = {
  create: escrowsCreate,
  get: escrowsGet,
  release: escrowsRelease,
  dispute: escrowsDispute,
  void: escrowsVoid,
  refund: escrowsRefund,
} as const;

/**
 * A ledger account's posted, pending and available balance (`ledgerAccounts.balance`).
 *
 * @example
 * await client.ledgerAccounts.balance({ accountId: escrow.accountId });
 */
export const ledgerAccountsBalance = defineOperation({
  id: 'ledgerAccounts.balance',
  method: 'GET',
  path: '/api/v1/ledger/accounts/{accountId}/balance',
  summary: "A ledger account's posted, pending and available balance",
  scope: 'read:payments',
  write: false,
  status: 200,
  params: z.strictObject({ accountId: idSchema('lac') }),
  response: ledgerBalance,
});

/**
 * Operations on ledger accounts.
 *
 * @example
 * ledgerAccountOperations.balance.path; // '/api/v1/ledger/accounts/{accountId}/balance'
 */
export const ledgerAccountOperations = { balance: ledgerAccountsBalance } as const;
