/**
 * `PaymentGateway` on iyzico: the hosted Checkout Form (pre-authorisation or
 * direct sale) is the intent; post-auth captures in full; v2 refunds;
 * payment detail for status; the reporting API for settlement lines. iyzico
 * requires buyer identity for every checkout: the adapter asks
 * `resolveBuyer` for it and sends only iyzico's mandatory fields.
 */
import { z } from 'zod';
import { type AdapterOptions, pickAdapterOptions } from '../core/adapter-options.ts';
import { callerKeys, correlation } from '../core/call-keys.ts';
import { createProviderClient, type ProviderClient } from '../core/client.ts';
import { ProviderError } from '../core/errors.ts';
import { InMemoryIdempotencyResultStore } from '../core/idempotency.ts';
import { fromMinorUnits, toMinorUnits } from '../core/money.ts';
import {
  CapturePaymentInputSchema,
  CreatePaymentInputSchema,
  type PaymentGateway,
  type PaymentIntent,
  RefundInputSchema,
  type SettlementLine,
  SettlementReportInputSchema,
} from '../ports/payment.ts';
import { createSettlementCollector } from '../ports/settlement-lines.ts';
import { parseInput } from '../ports/validate.ts';
import { iyzicoAuth } from './auth.ts';
import { mapIyzicoError } from './errors.ts';

/**
 * The buyer fields iyzico makes mandatory, resolved per payment reference.
 *
 * @example
 * const buyer: IyzicoBuyer = {
 *   id: 'pat_1', name: 'Ayse', surname: 'Yilmaz', identityNumber: '11111111111', email: 'a@example.com',
 *   registrationAddress: 'Maslak Mah. 1', city: 'Istanbul', country: 'Turkey', ip: '85.34.78.112',
 * };
 */
export interface IyzicoBuyer {
  id: string;
  name: string;
  surname: string;
  identityNumber: string;
  email: string;
  registrationAddress: string;
  city: string;
  country: string;
  ip: string;
}

/**
 * iyzico settings.
 *
 * @example
 * const options: IyzicoOptions = { apiKey, secretKey, resolveBuyer: (ref) => buyers.forPayment(ref) };
 */
export interface IyzicoOptions extends AdapterOptions {
  apiKey: string;
  secretKey: string;
  /** Default `https://sandbox-api.iyzipay.com`; production is `https://api.iyzipay.com`. */
  baseUrl?: string;
  resolveBuyer: (reference: string) => Promise<IyzicoBuyer>;
  /** Basket line shown on iyzico's page; generic on purpose (no clinical detail). */
  itemName?: string;
  /** IP sent on capture and refund (the merchant server). */
  merchantIp?: string;
  locale?: 'tr' | 'en';
  randomKey?: () => string;
}

const Ok = z.looseObject({ status: z.literal('success') });
const CheckoutInit = Ok.extend({
  token: z.string(),
  paymentPageUrl: z.string().optional(),
  conversationId: z.string().optional(),
});
const PaymentDetail = Ok.extend({
  paymentId: z.string(),
  paymentStatus: z.string().optional(),
  phase: z.string().optional(),
  paidPrice: z.union([z.number(), z.string()]),
  currency: z.string(),
});
const RefundReply = Ok.extend({
  paymentId: z.string(),
  price: z.union([z.number(), z.string()]),
  currency: z.string(),
  conversationId: z.string().optional(),
});
const Transactions = Ok.extend({
  currentPage: z.number().int(),
  totalPageCount: z.number().int(),
  transactions: z.array(
    z.looseObject({
      transactionType: z.string(),
      transactionId: z.union([z.string(), z.number()]),
      paymentId: z.union([z.string(), z.number()]).optional(),
      transactionDate: z.string(),
      paidPrice: z.union([z.number(), z.string()]),
      currency: z.string(),
      iyziCommissionFee: z.union([z.number(), z.string()]).optional(),
      iyziCommissionRateAmount: z.union([z.number(), z.string()]).optional(),
      merchantPayoutAmount: z.union([z.number(), z.string()]).optional(),
    }),
  ),
});

const minor = (value: number | string | undefined, currency: string): number => {
  if (value === undefined) return 0;
  // iyzico sends amounts as JSON numbers; round to the currency's decimals before converting.
  const text = typeof value === 'number' ? value.toFixed(currency === 'JPY' ? 0 : 2) : value;
  return (
    toMinorUnits(text.startsWith('-') ? text.slice(1) : text, currency) *
    (text.startsWith('-') ? -1 : 1)
  );
};

/** One reporting transaction as a settlement line; refunds and cancels count negative. */
const toSettlementLine = (
  t: z.infer<typeof Transactions>['transactions'][number],
): SettlementLine => {
  const gross = minor(t.paidPrice, t.currency);
  const fee =
    minor(t.iyziCommissionFee, t.currency) + minor(t.iyziCommissionRateAmount, t.currency);
  const refund = t.transactionType === 'REFUND' || t.transactionType === 'CANCEL';
  return {
    id: String(t.transactionId),
    type: refund ? 'refund' : t.transactionType === 'PAYMENT' ? 'charge' : 'other',
    ...(t.paymentId !== undefined ? { paymentId: String(t.paymentId) } : {}),
    grossMinor: refund ? -gross : gross,
    feeMinor: fee,
    netMinor:
      t.merchantPayoutAmount !== undefined
        ? minor(t.merchantPayoutAmount, t.currency)
        : (refund ? -gross : gross) - fee,
    currency: t.currency,
    occurredAt: new Date(`${t.transactionDate.replace(' ', 'T')}Z`).toISOString(),
  };
};

const DAY_MS = 86_400_000;

/**
 * Creates an iyzico {@link PaymentGateway}.
 *
 * @example
 * const gateway = createIyzicoGateway({ apiKey, secretKey, resolveBuyer });
 * const intent = await gateway.createIntent({ reference: 'pay_1', amountMinor: 125000, currency: 'TRY', method: 'card', returnUrl: 'https://clinic.test/pay/return' });
 * // redirect the payer to intent.redirectUrl
 */
export function createIyzicoGateway(options: IyzicoOptions): PaymentGateway {
  const client: ProviderClient = createProviderClient({
    provider: 'iyzico',
    baseUrl: options.baseUrl ?? 'https://sandbox-api.iyzipay.com',
    auth: iyzicoAuth(options.apiKey, options.secretKey, options.randomKey),
    mapError: mapIyzicoError,
    idempotencyStore: options.idempotencyStore ?? new InMemoryIdempotencyResultStore(),
    ...pickAdapterOptions(options),
  });
  const locale = options.locale ?? 'en';
  const ip = options.merchantIp ?? '127.0.0.1';

  const detail = (paymentId: string, correlationId?: string) =>
    client.json({
      operation: 'payments.status',
      method: 'post',
      path: '/payment/detail',
      json: { locale, conversationId: paymentId, paymentId },
      readOnly: true,
      schema: PaymentDetail,
      ...correlation({ correlationId }),
    });

  const toIntent = (d: z.infer<typeof PaymentDetail>): PaymentIntent => ({
    id: d.paymentId,
    provider: 'iyzico',
    status:
      d.paymentStatus && d.paymentStatus !== 'SUCCESS'
        ? d.paymentStatus === 'FAILURE'
          ? 'failed'
          : 'requires_action'
        : d.phase === 'PRE_AUTH'
          ? 'authorized'
          : 'captured',
    amountMinor: minor(d.paidPrice, d.currency),
    currency: d.currency,
  });

  // Capture and refund must name amount and currency; when the caller leaves
  // either out, iyzico's own record of the payment supplies them.
  const knownAmount = async (input: {
    paymentId: string;
    amountMinor?: number | undefined;
    currency?: string | undefined;
    correlationId?: string | undefined;
  }) =>
    input.amountMinor !== undefined && input.currency !== undefined
      ? { amountMinor: input.amountMinor, currency: input.currency }
      : toIntent(await detail(input.paymentId, input.correlationId));

  return {
    provider: 'iyzico',

    async createIntent(raw) {
      const operation = 'payments.createIntent';
      const input = parseInput(CreatePaymentInputSchema, raw, 'iyzico', operation);
      if (input.method !== 'card') {
        throw new ProviderError({
          code: 'invalid_request',
          provider: 'iyzico',
          operation,
          fields: ['method'],
        });
      }
      if (!input.returnUrl) {
        throw new ProviderError({
          code: 'invalid_request',
          provider: 'iyzico',
          operation,
          fields: ['returnUrl'],
        });
      }
      const buyer = await options.resolveBuyer(input.reference);
      const price = fromMinorUnits(input.amountMinor, input.currency);
      const kind = input.captureMethod === 'manual' ? 'preauth' : 'auth';
      const init = await client.json({
        operation,
        method: 'post',
        path: `/payment/iyzipos/checkoutform/initialize/${kind}/ecom`,
        json: {
          locale,
          conversationId: input.reference,
          price,
          paidPrice: price,
          currency: input.currency,
          basketId: input.reference,
          paymentGroup: 'PRODUCT',
          callbackUrl: input.returnUrl,
          enabledInstallments: [1],
          // iyzico's mandatory buyer fields, and nothing else (no phone, no birth date).
          buyer: {
            id: buyer.id,
            name: buyer.name,
            surname: buyer.surname,
            identityNumber: buyer.identityNumber,
            email: buyer.email,
            registrationAddress: buyer.registrationAddress,
            city: buyer.city,
            country: buyer.country,
            ip: buyer.ip,
          },
          billingAddress: {
            contactName: `${buyer.name} ${buyer.surname}`,
            city: buyer.city,
            country: buyer.country,
            address: buyer.registrationAddress,
          },
          basketItems: [
            {
              id: input.reference,
              name: options.itemName ?? 'Healthcare services',
              category1: 'Health',
              itemType: 'VIRTUAL',
              price,
            },
          ],
        },
        schema: CheckoutInit,
        ...callerKeys(input),
      });
      return {
        id: init.token,
        provider: 'iyzico',
        reference: input.reference,
        status: 'requires_action',
        amountMinor: input.amountMinor,
        currency: input.currency,
        clientSecret: init.token,
        ...(init.paymentPageUrl ? { redirectUrl: init.paymentPageUrl } : {}),
      };
    },

    async capture(raw) {
      const input = parseInput(CapturePaymentInputSchema, raw, 'iyzico', 'payments.capture');
      const known = await knownAmount(input);
      const captured = await client.json({
        operation: 'payments.capture',
        method: 'post',
        path: '/payment/postauth',
        json: {
          locale,
          conversationId: input.paymentId,
          paymentId: input.paymentId,
          paidPrice: fromMinorUnits(known.amountMinor, known.currency),
          currency: known.currency,
          ip,
        },
        schema: PaymentDetail,
        idempotencyKey: input.idempotencyKey ?? `capture:${input.paymentId}`,
        ...correlation(input),
      });
      return { ...toIntent(captured), status: 'captured' };
    },

    async refund(raw) {
      const input = parseInput(RefundInputSchema, raw, 'iyzico', 'payments.refund');
      const known = await knownAmount(input);
      const conversationId = input.idempotencyKey ?? crypto.randomUUID();
      const refund = await client.json({
        operation: 'payments.refund',
        method: 'post',
        path: '/v2/payment/refund',
        json: {
          locale,
          conversationId,
          paymentId: input.paymentId,
          price: fromMinorUnits(input.amountMinor ?? known.amountMinor, known.currency),
          currency: known.currency,
          ip,
        },
        schema: RefundReply,
        ...callerKeys(input),
      });
      return {
        id: `${refund.paymentId}:${conversationId}`,
        provider: 'iyzico',
        paymentId: refund.paymentId,
        amountMinor: minor(refund.price, refund.currency),
        currency: refund.currency,
        status: 'succeeded',
      };
    },

    async status(raw) {
      const input = parseInput(
        z.object({ paymentId: z.string().min(1), correlationId: z.string().optional() }),
        raw,
        'iyzico',
        'payments.status',
      );
      return toIntent(await detail(input.paymentId, input.correlationId));
    },

    async settlementReport(raw) {
      const operation = 'payments.settlementReport';
      const input = parseInput(SettlementReportInputSchema, raw, 'iyzico', operation);
      const from = Date.parse(input.from);
      const to = Date.parse(input.to);
      // The reporting API is per day; bound the number of days asked for.
      if (to - from > 31 * DAY_MS || to <= from) {
        throw new ProviderError({
          code: 'invalid_request',
          provider: 'iyzico',
          operation,
          fields: ['to'],
          message: 'Ask for at most 31 days at a time.',
        });
      }
      const collector = createSettlementCollector(input.maxLines);
      for (
        let day = Math.floor(from / DAY_MS) * DAY_MS;
        day < to && !collector.truncated;
        day += DAY_MS
      ) {
        const date = new Date(day).toISOString().slice(0, 10);
        for (let page = 1; ; page += 1) {
          const reply = await client.json({
            operation,
            path: '/v2/reporting/payment/transactions',
            searchParams: { page, transactionDate: date },
            schema: Transactions,
            ...correlation(input),
          });
          const kept = collector.addAll(reply.transactions, toSettlementLine);
          if (!kept || page >= reply.totalPageCount) break;
        }
      }
      return collector.report('iyzico', input);
    },
  };
}
