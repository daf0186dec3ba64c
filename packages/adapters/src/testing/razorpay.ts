/**
 * A fake Razorpay for tests: Orders, Payments (authorise through
 * `completeOrder`, capture, refund, list), Refunds list, Subscriptions
 * (create, change plan, cancel; plans are `plan_…`), Basic auth with key
 * id and secret, and Razorpay's error envelope
 * (`{ error: { code, description, source, step, reason, metadata, field } }`).
 */
import { HttpResponse, http } from 'msw';

/**
 * Base URL the fake answers on.
 *
 * @example
 * server.use(serverErrors({ method: 'all', url: `${RAZORPAY_API}/*` }).handler);
 */
export const RAZORPAY_API = 'https://api.razorpay.com';

interface Payment {
  id: string;
  entity: 'payment';
  amount: number;
  currency: string;
  status: 'authorized' | 'captured' | 'refunded' | 'failed';
  order_id: string;
  method: string;
  captured: boolean;
  amount_refunded: number;
  refund_status: 'partial' | 'full' | null;
  fee: number | null;
  tax: number | null;
  created_at: number;
}

/**
 * State of the fake Razorpay account.
 *
 * @example
 * const razorpay = new FakeRazorpay();
 * server.use(...razorpay.handlers());
 * const paymentId = razorpay.completeOrder(order.id, 'upi');
 */
export class FakeRazorpay {
  readonly orders = new Map<
    string,
    {
      id: string;
      entity: 'order';
      amount: number;
      currency: string;
      receipt: string;
      status: string;
      notes: unknown;
      /** 1: the payment is captured as soon as the payer completes Checkout. */
      payment_capture: number;
      created_at: number;
    }
  >();
  readonly payments = new Map<string, Payment>();
  readonly refunds = new Map<
    string,
    {
      id: string;
      entity: 'refund';
      amount: number;
      currency: string;
      payment_id: string;
      status: string;
      created_at: number;
    }
  >();
  readonly subscriptions = new Map<
    string,
    {
      id: string;
      entity: 'subscription';
      plan_id: string;
      status: string;
      total_count: number;
      paid_count: number;
      notes: unknown;
      /** The plan the next cycle bills, after a change scheduled at the cycle's end. */
      scheduled_plan_id: string | null;
      cancel_at_cycle_end: boolean;
      created_at: number;
    }
  >();
  readonly requests: Array<{ method: string; path: string; body: string }> = [];
  /** What a new refund answers: `pending` as UPI refunds usually are, until `refund.processed`. */
  refundStatus: 'processed' | 'pending' = 'processed';
  private seq = 0;

  readonly keyId: string;
  readonly keySecret: string;

  constructor(keyId = 'rzp_test_clinicbridge', keySecret = 'razorpay-secret-fake') {
    this.keyId = keyId;
    this.keySecret = keySecret;
  }

  private id(prefix: string): string {
    this.seq += 1;
    return `${prefix}_Fake${String(this.seq).padStart(10, '0')}`;
  }

  private static error(
    status: number,
    description: string,
    extra: { code?: string; reason?: string; field?: string } = {},
  ) {
    return HttpResponse.json(
      {
        error: {
          code: extra.code ?? 'BAD_REQUEST_ERROR',
          description,
          source: 'business',
          step: 'payment_initiation',
          reason: extra.reason ?? 'input_validation_failed',
          metadata: {},
          field: extra.field ?? 'NA',
        },
      },
      { status },
    );
  }

  /**
   * Plays the payer completing Checkout for an order; returns the payment id,
   * authorised (or captured when the order asked for `payment_capture: 1`).
   */
  completeOrder(orderId: string, method: 'card' | 'upi' = 'card'): string {
    const order = this.orders.get(orderId);
    if (!order) throw new Error(`unknown order ${orderId}`);
    const id = this.id('pay');
    const captured = order.payment_capture === 1;
    order.status = captured ? 'paid' : 'attempted';
    this.payments.set(id, {
      id,
      entity: 'payment',
      amount: order.amount,
      currency: order.currency,
      status: captured ? 'captured' : 'authorized',
      order_id: orderId,
      method,
      captured,
      amount_refunded: 0,
      refund_status: null,
      fee: null,
      tax: null,
      created_at: Math.floor(Date.now() / 1000),
    });
    return id;
  }

  /** MSW handlers for the fake. */
  handlers() {
    const expected = `Basic ${Buffer.from(`${this.keyId}:${this.keySecret}`).toString('base64')}`;
    const guard = async (
      request: Request,
      run: (body: Record<string, unknown>) => Response | Promise<Response>,
    ) => {
      const text = request.method === 'GET' ? '' : await request.text();
      this.requests.push({
        method: request.method,
        path: new URL(request.url).pathname,
        body: text,
      });
      if (request.headers.get('authorization') !== expected) {
        return FakeRazorpay.error(401, 'Authentication failed', { reason: 'NA' });
      }
      return run(text ? (JSON.parse(text) as Record<string, unknown>) : {});
    };
    const missing = () => FakeRazorpay.error(400, 'The id provided does not exist');
    const list = <T extends { created_at: number }>(request: Request, items: T[]) => {
      const q = new URL(request.url).searchParams;
      const from = Number(q.get('from') ?? 0);
      const to = Number(q.get('to') ?? Number.MAX_SAFE_INTEGER);
      const count = Math.min(100, Number(q.get('count') ?? 10));
      const skip = Number(q.get('skip') ?? 0);
      const page = items
        .filter((i) => i.created_at >= from && i.created_at <= to)
        .slice(skip, skip + count);
      return HttpResponse.json({ entity: 'collection', count: page.length, items: page });
    };

    return [
      http.post(`${RAZORPAY_API}/v1/orders`, ({ request }) =>
        guard(request, (body) => {
          const amount = body.amount;
          if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 100) {
            return FakeRazorpay.error(400, 'The amount must be atleast INR 1.00', {
              field: 'amount',
            });
          }
          if (typeof body.currency !== 'string' || !/^[A-Z]{3}$/.test(body.currency)) {
            return FakeRazorpay.error(400, 'The currency field is invalid', { field: 'currency' });
          }
          const order = {
            id: this.id('order'),
            entity: 'order' as const,
            amount,
            amount_paid: 0,
            amount_due: amount,
            currency: body.currency,
            receipt: String(body.receipt ?? ''),
            status: 'created',
            notes: body.notes ?? [],
            payment_capture: body.payment_capture === 1 ? 1 : 0,
            created_at: Math.floor(Date.now() / 1000),
          };
          this.orders.set(order.id, order);
          return HttpResponse.json(order);
        }),
      ),
      http.get(`${RAZORPAY_API}/v1/payments/:id`, ({ request, params }) =>
        guard(request, () => {
          const payment = this.payments.get(String(params.id));
          return payment ? HttpResponse.json(payment) : missing();
        }),
      ),
      http.post(`${RAZORPAY_API}/v1/payments/:id/capture`, ({ request, params }) =>
        guard(request, (body) => {
          const payment = this.payments.get(String(params.id));
          if (!payment) return missing();
          if (payment.status !== 'authorized')
            return FakeRazorpay.error(400, 'This payment has already been captured');
          if (body.amount !== payment.amount) {
            return FakeRazorpay.error(
              400,
              'Capture amount must be equal to the amount authorized',
              { field: 'amount' },
            );
          }
          payment.status = 'captured';
          payment.captured = true;
          payment.fee = Math.round(payment.amount * 0.0236);
          payment.tax = Math.round(payment.fee * 0.18);
          const order = this.orders.get(payment.order_id);
          if (order) order.status = 'paid';
          return HttpResponse.json(payment);
        }),
      ),
      http.post(`${RAZORPAY_API}/v1/payments/:id/refund`, ({ request, params }) =>
        guard(request, (body) => {
          const payment = this.payments.get(String(params.id));
          if (!payment) return missing();
          if (payment.status !== 'captured')
            return FakeRazorpay.error(400, 'The payment has not been captured');
          const amount =
            typeof body.amount === 'number'
              ? body.amount
              : payment.amount - payment.amount_refunded;
          if (amount > payment.amount - payment.amount_refunded) {
            return FakeRazorpay.error(
              400,
              'The refund amount provided is greater than amount captured',
              { field: 'amount' },
            );
          }
          payment.amount_refunded += amount;
          payment.refund_status = payment.amount_refunded === payment.amount ? 'full' : 'partial';
          if (payment.refund_status === 'full') payment.status = 'refunded';
          const refund = {
            id: this.id('rfnd'),
            entity: 'refund' as const,
            amount,
            currency: payment.currency,
            payment_id: payment.id,
            status: this.refundStatus,
            speed_processed: 'normal',
            created_at: Math.floor(Date.now() / 1000),
          };
          this.refunds.set(refund.id, refund);
          return HttpResponse.json(refund);
        }),
      ),
      http.post(`${RAZORPAY_API}/v1/subscriptions`, ({ request }) =>
        guard(request, (body) => {
          if (typeof body.plan_id !== 'string' || !body.plan_id.startsWith('plan_'))
            return FakeRazorpay.error(400, 'The id provided does not exist', { field: 'plan_id' });
          const total = body.total_count;
          if (typeof total !== 'number' || !Number.isInteger(total) || total < 1)
            return FakeRazorpay.error(400, 'The total count field is required', {
              field: 'total_count',
            });
          const subscription = {
            id: this.id('sub'),
            entity: 'subscription' as const,
            plan_id: body.plan_id,
            status: 'created',
            total_count: total,
            paid_count: 0,
            notes: body.notes ?? [],
            scheduled_plan_id: null,
            cancel_at_cycle_end: false,
            created_at: Math.floor(Date.now() / 1000),
          };
          this.subscriptions.set(subscription.id, subscription);
          return HttpResponse.json(subscription);
        }),
      ),
      http.patch(`${RAZORPAY_API}/v1/subscriptions/:id`, ({ request, params }) =>
        guard(request, (body) => {
          const subscription = this.subscriptions.get(String(params.id));
          if (!subscription) return missing();
          if (subscription.status === 'cancelled' || subscription.status === 'completed')
            return FakeRazorpay.error(400, 'Subscription is not in a state to be updated');
          if (typeof body.plan_id !== 'string' || !body.plan_id.startsWith('plan_'))
            return FakeRazorpay.error(400, 'The id provided does not exist', { field: 'plan_id' });
          subscription.scheduled_plan_id = body.plan_id;
          return HttpResponse.json(subscription);
        }),
      ),
      http.post(`${RAZORPAY_API}/v1/subscriptions/:id/cancel`, ({ request, params }) =>
        guard(request, (body) => {
          const subscription = this.subscriptions.get(String(params.id));
          if (!subscription) return missing();
          if (subscription.status === 'cancelled')
            return FakeRazorpay.error(400, 'Subscription is not cancellable in cancelled status.');
          if (body.cancel_at_cycle_end === 1) subscription.cancel_at_cycle_end = true;
          else subscription.status = 'cancelled';
          return HttpResponse.json(subscription);
        }),
      ),
      http.get(`${RAZORPAY_API}/v1/payments`, ({ request }) =>
        guard(request, () => list(request, [...this.payments.values()])),
      ),
      http.get(`${RAZORPAY_API}/v1/refunds`, ({ request }) =>
        guard(request, () => list(request, [...this.refunds.values()])),
      ),
    ];
  }
}
