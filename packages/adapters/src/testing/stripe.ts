/**
 * A fake Stripe for tests: PaymentIntents, capture, Refunds, Transfers,
 * balance transactions and Subscriptions over MSW, with Stripe's auth, idempotency and error
 * shapes (`{ error: { type, code, message } }`, 401/402/404/400).
 */
import { HttpResponse, http } from 'msw';
import { ReplayCache } from './shared.ts';

/**
 * Base URL the fake answers on.
 *
 * @example
 * server.use(serverErrors({ method: 'all', url: `${STRIPE_API}/*` }).handler);
 */
export const STRIPE_API = 'https://api.stripe.com';

interface Intent {
  id: string;
  object: 'payment_intent';
  amount: number;
  currency: string;
  status: string;
  capture_method: string;
  client_secret: string;
  metadata: Record<string, string>;
  transfer_group: string | null;
}

interface Subscription {
  id: string;
  object: 'subscription';
  customer: string;
  status: string;
  cancel_at_period_end: boolean;
  metadata: Record<string, string>;
  items: { object: 'list'; data: Array<{ id: string; price: { id: string } }> };
}

/**
 * State of the fake Stripe account, readable by tests.
 *
 * @example
 * const stripe = new FakeStripe();
 * server.use(...stripe.handlers());
 * stripe.intents.size; // payments created
 */
export class FakeStripe {
  readonly intents = new Map<string, Intent>();
  readonly refunds = new Map<
    string,
    { id: string; amount: number; payment_intent: string; currency: string; status: string }
  >();
  readonly transfers = new Map<
    string,
    { id: string; amount: number; destination: string; transfer_group: string }
  >();
  readonly balanceTransactions: Array<Record<string, unknown>> = [];
  /** Subscriptions by id; a customer must be `cus_…` and a price `price_…`. */
  readonly subscriptions = new Map<string, Subscription>();
  /** Charge id → PaymentIntent id. */
  private readonly charges = new Map<string, string>();
  /** Every request received, with the headers tests care about. */
  readonly requests: Array<{
    method: string;
    path: string;
    /** The query string, without `?`. */
    query: string;
    idempotencyKey: string | null;
    body: string;
  }> = [];
  /** What a new refund answers: `pending` as Stripe does for methods that settle refunds later. */
  refundStatus: 'succeeded' | 'pending' = 'succeeded';
  /** Card amounts (minor units) that Stripe declines, like its test cards. */
  readonly declineAmounts = new Set<number>([40002]);
  private readonly replay = new ReplayCache();
  private seq = 0;

  readonly secretKey: string;

  constructor(secretKey = 'sk_test_clinicbridge') {
    this.secretKey = secretKey;
  }

  /** The Charge a captured PaymentIntent produced (Stripe: `latest_charge`). */
  private chargeFor(intentId: string): string {
    const id = `ch_${intentId.slice(3)}`;
    this.charges.set(id, intentId);
    return id;
  }

  /**
   * A balance transaction's `source` as `expand[]=data.source` returns it:
   * the Charge or Refund object, both naming their PaymentIntent (and a
   * charge carries the payer's billing details, which the adapter must drop).
   */
  private expandSource(source: unknown): unknown {
    if (typeof source !== 'string') return source;
    const charged = this.charges.get(source);
    if (charged) {
      return {
        id: source,
        object: 'charge',
        payment_intent: charged,
        billing_details: { name: 'Ada Payer', email: 'ada.payer@example.com', phone: null },
      };
    }
    const refund = this.refunds.get(source);
    return refund ?? source;
  }

  private nextId(prefix: string): string {
    this.seq += 1;
    return `${prefix}_${String(this.seq).padStart(6, '0')}`;
  }

  private static error(
    status: number,
    type: string,
    code?: string,
    extra: Record<string, unknown> = {},
  ) {
    return HttpResponse.json(
      {
        error: {
          type,
          ...(code ? { code, doc_url: `https://docs.stripe.com/error-codes/${code}` } : {}),
          message: 'See the error code.',
          request_log_url: 'https://dashboard.stripe.com/test/logs/req_fake',
          ...extra,
        },
      },
      { status, headers: { 'request-id': 'req_fake' } },
    );
  }

  /** MSW handlers for the fake. */
  handlers() {
    const guard = async (
      request: Request,
      write: boolean,
      run: (form: Record<string, string>) => Response | Promise<Response>,
    ) => {
      const body = write ? await request.clone().text() : '';
      const url = new URL(request.url);
      const key = request.headers.get('idempotency-key');
      this.requests.push({
        method: request.method,
        path: url.pathname,
        query: url.search.slice(1),
        idempotencyKey: key,
        body,
      });
      if (request.headers.get('authorization') !== `Bearer ${this.secretKey}`) {
        return FakeStripe.error(401, 'invalid_request_error', undefined, {
          message: 'Invalid API Key provided.',
        });
      }
      if (!write) return run({});
      const fingerprint = `${url.pathname}?${body}`;
      const hit = this.replay.lookup(key, fingerprint);
      if (hit === 'mismatch') return FakeStripe.error(400, 'idempotency_error');
      if (hit)
        return HttpResponse.json(hit.body as Record<string, unknown>, {
          status: hit.status,
          headers: { 'idempotent-replayed': 'true' },
        });
      const response = await run(Object.fromEntries(new URLSearchParams(body)));
      this.replay.store(key, fingerprint, response.status, await response.clone().json());
      return response;
    };

    return [
      http.post(`${STRIPE_API}/v1/payment_intents`, ({ request }) =>
        guard(request, true, (form) => {
          const amount = Number(form.amount);
          if (!Number.isInteger(amount) || amount < 1)
            return FakeStripe.error(400, 'invalid_request_error', 'parameter_invalid_integer', {
              param: 'amount',
            });
          if (!/^[a-z]{3}$/.test(form.currency ?? ''))
            return FakeStripe.error(400, 'invalid_request_error', 'parameter_missing', {
              param: 'currency',
            });
          if (this.declineAmounts.has(amount))
            return FakeStripe.error(402, 'card_error', 'card_declined', {
              decline_code: 'insufficient_funds',
            });
          const id = this.nextId('pi');
          const metadata: Record<string, string> = {};
          for (const [k, v] of Object.entries(form)) {
            const m = /^metadata\[(.+)\]$/.exec(k);
            if (m?.[1]) metadata[m[1]] = v;
          }
          const intent: Intent = {
            id,
            object: 'payment_intent',
            amount,
            currency: form.currency!,
            // Tests skip the browser step: the card is confirmed at creation.
            status:
              (form.capture_method ?? 'automatic') === 'manual' ? 'requires_capture' : 'succeeded',
            capture_method: form.capture_method ?? 'automatic',
            client_secret: `${id}_secret_fake`,
            metadata,
            transfer_group: form.transfer_group ?? null,
          };
          this.intents.set(id, intent);
          return HttpResponse.json(intent);
        }),
      ),
      http.post(`${STRIPE_API}/v1/payment_intents/:id/capture`, ({ request, params }) =>
        guard(request, true, () => {
          const intent = this.intents.get(String(params.id));
          if (!intent)
            return FakeStripe.error(404, 'invalid_request_error', 'resource_missing', {
              param: 'intent',
            });
          if (intent.status !== 'requires_capture')
            return FakeStripe.error(
              400,
              'invalid_request_error',
              'payment_intent_unexpected_state',
            );
          intent.status = 'succeeded';
          this.balanceTransactions.push({
            id: this.nextId('txn'),
            object: 'balance_transaction',
            amount: intent.amount,
            fee: Math.round(intent.amount * 0.029) + 30,
            net: intent.amount - (Math.round(intent.amount * 0.029) + 30),
            currency: intent.currency,
            type: 'charge',
            source: this.chargeFor(intent.id),
            created: Math.floor(Date.now() / 1000),
            status: 'pending',
          });
          return HttpResponse.json(intent);
        }),
      ),
      http.get(`${STRIPE_API}/v1/payment_intents/:id`, ({ request, params }) =>
        guard(request, false, () => {
          const intent = this.intents.get(String(params.id));
          return intent
            ? HttpResponse.json(intent)
            : FakeStripe.error(404, 'invalid_request_error', 'resource_missing', {
                param: 'intent',
              });
        }),
      ),
      http.post(`${STRIPE_API}/v1/refunds`, ({ request }) =>
        guard(request, true, (form) => {
          const intent = this.intents.get(form.payment_intent ?? '');
          if (!intent)
            return FakeStripe.error(404, 'invalid_request_error', 'resource_missing', {
              param: 'payment_intent',
            });
          if (intent.status !== 'succeeded')
            return FakeStripe.error(400, 'invalid_request_error', 'charge_not_refundable');
          const amount = form.amount ? Number(form.amount) : intent.amount;
          if (amount > intent.amount)
            return FakeStripe.error(400, 'invalid_request_error', 'amount_too_large', {
              param: 'amount',
            });
          const refund = {
            id: this.nextId('re'),
            object: 'refund',
            amount,
            currency: intent.currency,
            payment_intent: intent.id,
            status: this.refundStatus,
          };
          this.refunds.set(refund.id, refund);
          this.balanceTransactions.push({
            id: this.nextId('txn'),
            object: 'balance_transaction',
            amount: -amount,
            fee: 0,
            net: -amount,
            currency: intent.currency,
            type: 'refund',
            source: refund.id,
            created: Math.floor(Date.now() / 1000),
            status: 'pending',
          });
          return HttpResponse.json(refund);
        }),
      ),
      http.post(`${STRIPE_API}/v1/transfers`, ({ request }) =>
        guard(request, true, (form) => {
          if (!form.destination?.startsWith('acct_'))
            return FakeStripe.error(400, 'invalid_request_error', 'resource_missing', {
              param: 'destination',
            });
          const transfer = {
            id: this.nextId('tr'),
            object: 'transfer',
            amount: Number(form.amount),
            currency: form.currency ?? '',
            destination: form.destination,
            transfer_group: form.transfer_group ?? '',
          };
          this.transfers.set(transfer.id, transfer);
          return HttpResponse.json(transfer);
        }),
      ),
      http.post(`${STRIPE_API}/v1/subscriptions`, ({ request }) =>
        guard(request, true, (form) => {
          if (!form.customer?.startsWith('cus_'))
            return FakeStripe.error(400, 'invalid_request_error', 'resource_missing', {
              param: 'customer',
            });
          const price = form['items[0][price]'];
          if (!price?.startsWith('price_'))
            return FakeStripe.error(400, 'invalid_request_error', 'resource_missing', {
              param: 'items[0][price]',
            });
          const id = this.nextId('sub');
          const subscription: Subscription = {
            id,
            object: 'subscription',
            customer: form.customer,
            status: 'active',
            cancel_at_period_end: false,
            metadata: form['metadata[reference]'] ? { reference: form['metadata[reference]'] } : {},
            items: { object: 'list', data: [{ id: this.nextId('si'), price: { id: price } }] },
          };
          this.subscriptions.set(id, subscription);
          return HttpResponse.json(subscription);
        }),
      ),
      http.get(`${STRIPE_API}/v1/subscriptions/:id`, ({ request, params }) =>
        guard(request, false, () => {
          const subscription = this.subscriptions.get(String(params.id));
          return subscription
            ? HttpResponse.json(subscription)
            : FakeStripe.error(404, 'invalid_request_error', 'resource_missing', { param: 'id' });
        }),
      ),
      http.post(`${STRIPE_API}/v1/subscriptions/:id`, ({ request, params }) =>
        guard(request, true, (form) => {
          const subscription = this.subscriptions.get(String(params.id));
          if (!subscription)
            return FakeStripe.error(404, 'invalid_request_error', 'resource_missing', {
              param: 'id',
            });
          if (subscription.status === 'canceled')
            return FakeStripe.error(400, 'invalid_request_error', 'resource_missing', {
              message: 'A canceled subscription can only update its cancellation_details.',
            });
          const price = form['items[0][price]'];
          if (price !== undefined) {
            const item = subscription.items.data.find((i) => i.id === form['items[0][id]']);
            if (!item || !price.startsWith('price_'))
              return FakeStripe.error(400, 'invalid_request_error', 'resource_missing', {
                param: 'items[0]',
              });
            item.price = { id: price };
          }
          if (form.cancel_at_period_end !== undefined)
            subscription.cancel_at_period_end = form.cancel_at_period_end === 'true';
          return HttpResponse.json(subscription);
        }),
      ),
      http.delete(`${STRIPE_API}/v1/subscriptions/:id`, ({ request, params }) =>
        guard(request, true, () => {
          const subscription = this.subscriptions.get(String(params.id));
          if (!subscription)
            return FakeStripe.error(404, 'invalid_request_error', 'resource_missing', {
              param: 'id',
            });
          subscription.status = 'canceled';
          return HttpResponse.json(subscription);
        }),
      ),
      http.get(`${STRIPE_API}/v1/balance_transactions`, ({ request }) =>
        guard(request, false, () => {
          const url = new URL(request.url);
          const limit = Number(url.searchParams.get('limit') ?? 10);
          const after = url.searchParams.get('starting_after');
          const start = after ? this.balanceTransactions.findIndex((t) => t.id === after) + 1 : 0;
          const expandSource = url.searchParams.getAll('expand[]').includes('data.source');
          const data = this.balanceTransactions
            .slice(start, start + limit)
            .map((txn) => (expandSource ? { ...txn, source: this.expandSource(txn.source) } : txn));
          return HttpResponse.json({
            object: 'list',
            url: '/v1/balance_transactions',
            data,
            has_more: start + limit < this.balanceTransactions.length,
          });
        }),
      ),
    ];
  }
}
