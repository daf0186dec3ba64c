/**
 * Table type of the checkout feature, added to the server's `DB` by module
 * augmentation (see src/db/schema.ts). Amounts are minor units.
 */

/**
 * One payment attempt at a gateway for an invoice.
 *
 * @example
 * await db.selectFrom('checkouts').select('status').where('provider_ref', '=', 'pi_1').execute();
 */
export interface CheckoutsTable {
  id: string;
  tenant_id: string;
  invoice_id: string;
  gateway: 'stripe' | 'iyzico' | 'razorpay';
  method: 'card' | 'upi';
  amount: number;
  currency: string;
  amount_refunded: number;
  status: 'pending' | 'succeeded' | 'failed' | 'cancelled';
  provider_ref: string | null;
  provider_payment_id: string | null;
  client_secret: string | null;
  redirect_url: string | null;
  payment_id: string | null;
  escrow_id: string | null;
  /** The case's milestones (`{ milestones, expiresAt }`, JSON), held in escrow on success. */
  escrow_plan: string | null;
  failure_code: string | null;
  /** A gateway payment that succeeded after the checkout was closed (alerted, never posted). */
  late_capture_ref: string | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * A refund of a checkout made at its gateway, with the gateway's refund id
 * and how far the gateway has got with it (`id` is the payment refund's).
 *
 * @example
 * await db.selectFrom('checkout_refunds').select('status').where('provider_refund_id', '=', 're_1').execute();
 */
export interface CheckoutRefundsTable {
  id: string;
  tenant_id: string;
  checkout_id: string;
  gateway: 'stripe' | 'iyzico' | 'razorpay';
  provider_refund_id: string;
  amount: number;
  currency: string;
  status: 'pending' | 'succeeded' | 'failed';
  created_at: Date;
  updated_at: Date;
}

declare module '../db/schema.ts' {
  interface DB {
    checkouts: CheckoutsTable;
    checkout_refunds: CheckoutRefundsTable;
  }
}
