/**
 * Table types of the subscriptions feature, added to the server's `DB` by
 * module augmentation (see src/db/schema.ts). Amounts are minor units.
 */

/**
 * A patient's subscription billed by a gateway.
 *
 * @example
 * await db.selectFrom('subscriptions').select('status').where('provider_ref', '=', 'sub_1').execute();
 */
export interface SubscriptionsTable {
  id: string;
  tenant_id: string;
  patient_id: string;
  gateway: 'stripe' | 'razorpay';
  plan_id: string;
  customer_ref: string | null;
  /** What each period bills. */
  amount: number;
  currency: string;
  billing_interval: 'week' | 'month' | 'year';
  status: 'active' | 'past_due' | 'cancelled';
  cancel_at_period_end: boolean;
  provider_ref: string;
  periods_paid: number;
  failure_code: string | null;
  cancelled_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * One charge of a subscription the gateway reported, once per gateway
 * charge and outcome: the paid ones carry their ledger transfer.
 *
 * @example
 * await db.selectFrom('subscription_charges').select('outcome').where('provider_charge_id', '=', 'in_1').execute();
 */
export interface SubscriptionChargesTable {
  id: string;
  tenant_id: string;
  subscription_id: string;
  provider_charge_id: string;
  outcome: 'paid' | 'failed';
  amount: number | null;
  currency: string | null;
  transfer_id: string | null;
  failure_code: string | null;
  created_at: Date;
}

declare module '../db/schema.ts' {
  interface DB {
    subscriptions: SubscriptionsTable;
    subscription_charges: SubscriptionChargesTable;
  }
}
