/**
 * A fake iyzico for tests: verifies IYZWSv2 signatures, serves Checkout Form
 * initialise (pre-auth and sale), payment detail, post-auth, v2 refund and
 * the transactions report, and answers failures the way iyzico does — HTTP
 * 200 with `{ status: 'failure', errorCode, errorMessage, errorGroup }`.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { HttpResponse, http } from 'msw';

/**
 * Base URL the fake answers on (the sandbox).
 *
 * @example
 * server.use(serverErrors({ method: 'all', url: `${IYZICO_API}/*` }).handler);
 */
export const IYZICO_API = 'https://sandbox-api.iyzipay.com';

interface Checkout {
  token: string;
  kind: 'preauth' | 'auth';
  price: string;
  currency: string;
  reference: string;
  buyer: Record<string, unknown>;
}

interface Payment {
  paymentId: string;
  phase: 'PRE_AUTH' | 'POST_AUTH' | 'AUTH';
  paidPrice: number;
  currency: string;
  refunded: number;
}

const now = () => new Date().toISOString().replace('T', ' ').slice(0, 19);

/**
 * State of the fake iyzico merchant.
 *
 * @example
 * const iyzico = new FakeIyzico();
 * server.use(...iyzico.handlers());
 * const paymentId = iyzico.completeCheckout(intent.id);
 */
export class FakeIyzico {
  readonly checkouts = new Map<string, Checkout>();
  readonly payments = new Map<string, Payment>();
  readonly transactions: Array<Record<string, unknown>> = [];
  readonly requests: Array<{ path: string; body: string }> = [];
  /** Card amounts the bank declines (as decimal strings). */
  readonly declinePrices = new Set<string>(['400.02']);
  private seq = 12_000_000;

  readonly apiKey: string;
  readonly secretKey: string;

  constructor(apiKey = 'sandbox-api-key-fake', secretKey = 'sandbox-secret-key-fake') {
    this.apiKey = apiKey;
    this.secretKey = secretKey;
  }

  private static failure(errorCode: string, errorMessage: string, errorGroup?: string) {
    return HttpResponse.json({
      status: 'failure',
      errorCode,
      errorMessage,
      ...(errorGroup ? { errorGroup } : {}),
      locale: 'en',
      systemTime: Date.now(),
    });
  }

  private record(type: 'PAYMENT' | 'REFUND', payment: Payment, amount: number) {
    const fee = 0.25;
    const rate = Number((amount * 0.0299).toFixed(2));
    this.seq += 1;
    this.transactions.push({
      transactionType: type,
      transactionDate: now(),
      transactionId: String(this.seq),
      paymentId: payment.paymentId,
      paidPrice: amount,
      price: amount,
      currency: payment.currency,
      installment: 1,
      iyziCommissionFee: type === 'PAYMENT' ? fee : 0,
      iyziCommissionRateAmount: type === 'PAYMENT' ? rate : 0,
      merchantPayoutAmount: type === 'PAYMENT' ? Number((amount - fee - rate).toFixed(2)) : -amount,
    });
  }

  /** Plays the payer completing the hosted form; returns the payment id. */
  completeCheckout(token: string): string {
    const checkout = this.checkouts.get(token);
    if (!checkout) throw new Error('unknown checkout token');
    this.seq += 1;
    const payment: Payment = {
      paymentId: String(this.seq),
      phase: checkout.kind === 'preauth' ? 'PRE_AUTH' : 'AUTH',
      paidPrice: Number(checkout.price),
      currency: checkout.currency,
      refunded: 0,
    };
    this.payments.set(payment.paymentId, payment);
    if (payment.phase === 'AUTH') this.record('PAYMENT', payment, payment.paidPrice);
    return payment.paymentId;
  }

  private verify(request: Request, body: string): Response | undefined {
    const header = request.headers.get('authorization') ?? '';
    const decoded = Buffer.from(header.replace(/^IYZWSv2 /, ''), 'base64').toString('utf8');
    const fields = Object.fromEntries(
      decoded.split('&').map((part) => {
        const at = part.indexOf(':');
        return [part.slice(0, at), part.slice(at + 1)];
      }),
    );
    if (fields.apiKey !== this.apiKey)
      return FakeIyzico.failure('1001', 'api bilgileri bulunamadı');
    const url = new URL(request.url);
    const expected = createHmac('sha256', this.secretKey)
      .update(`${fields.randomKey}${url.pathname}${url.search}${body}`)
      .digest('hex');
    if (fields.signature !== expected || request.headers.get('x-iyzi-rnd') !== fields.randomKey) {
      return FakeIyzico.failure('1000', 'Geçersiz imza');
    }
    return undefined;
  }

  /** MSW handlers for the fake. */
  handlers() {
    const signed = async (request: Request, run: (body: Record<string, unknown>) => Response) => {
      const text = request.method === 'GET' ? '' : await request.text();
      this.requests.push({ path: new URL(request.url).pathname, body: text });
      const refused = this.verify(request, text);
      if (refused) return refused;
      return run(text ? (JSON.parse(text) as Record<string, unknown>) : {});
    };
    const unknownPayment = () => FakeIyzico.failure('11', 'Geçersiz istek');

    return [
      http.post(
        `${IYZICO_API}/payment/iyzipos/checkoutform/initialize/:kind/ecom`,
        ({ request, params }) =>
          signed(request, (body) => {
            const buyer = body.buyer as Record<string, unknown> | undefined;
            for (const field of ['price', 'paidPrice', 'currency', 'callbackUrl', 'basketItems']) {
              if (body[field] === undefined)
                return FakeIyzico.failure('24', `${field} is mandatory`);
            }
            for (const field of [
              'id',
              'name',
              'surname',
              'identityNumber',
              'email',
              'registrationAddress',
              'city',
              'country',
              'ip',
            ]) {
              if (!buyer?.[field]) return FakeIyzico.failure('24', `buyer.${field} is mandatory`);
            }
            if (this.declinePrices.has(String(body.price)))
              return FakeIyzico.failure('10051', 'Insufficient card limit', 'NOT_SUFFICIENT_FUNDS');
            const token = randomUUID();
            this.checkouts.set(token, {
              token,
              kind: params.kind === 'preauth' ? 'preauth' : 'auth',
              price: String(body.price),
              currency: String(body.currency),
              reference: String(body.conversationId),
              buyer: buyer ?? {},
            });
            return HttpResponse.json({
              status: 'success',
              locale: 'en',
              systemTime: Date.now(),
              conversationId: body.conversationId,
              token,
              checkoutFormContent: '<script type="text/javascript">/* iyzico checkout */</script>',
              tokenExpireTime: 1800,
              paymentPageUrl: `https://sandbox-cpp.iyzipay.com?token=${token}&lang=en`,
            });
          }),
      ),
      http.post(`${IYZICO_API}/payment/detail`, ({ request }) =>
        signed(request, (body) => {
          const payment = this.payments.get(String(body.paymentId));
          if (!payment) return unknownPayment();
          return HttpResponse.json({
            status: 'success',
            locale: 'en',
            systemTime: Date.now(),
            paymentId: payment.paymentId,
            paymentStatus: 'SUCCESS',
            phase: payment.phase,
            price: payment.paidPrice,
            paidPrice: payment.paidPrice,
            currency: payment.currency,
          });
        }),
      ),
      http.post(`${IYZICO_API}/payment/postauth`, ({ request }) =>
        signed(request, (body) => {
          const payment = this.payments.get(String(body.paymentId));
          if (!payment) return unknownPayment();
          if (payment.phase !== 'PRE_AUTH')
            return FakeIyzico.failure('5', 'Payment is not in pre-auth phase');
          if (Number(body.paidPrice) !== payment.paidPrice)
            return FakeIyzico.failure('24', 'paidPrice must equal the authorised amount');
          payment.phase = 'POST_AUTH';
          this.record('PAYMENT', payment, payment.paidPrice);
          return HttpResponse.json({
            status: 'success',
            locale: 'en',
            systemTime: Date.now(),
            paymentId: payment.paymentId,
            phase: 'POST_AUTH',
            price: payment.paidPrice,
            paidPrice: payment.paidPrice,
            currency: payment.currency,
          });
        }),
      ),
      http.post(`${IYZICO_API}/v2/payment/refund`, ({ request }) =>
        signed(request, (body) => {
          const payment = this.payments.get(String(body.paymentId));
          if (!payment) return unknownPayment();
          const price = Number(body.price);
          if (!(price > 0) || price > payment.paidPrice - payment.refunded)
            return FakeIyzico.failure('24', 'price is invalid');
          payment.refunded += price;
          this.record('REFUND', payment, price);
          return HttpResponse.json({
            status: 'success',
            locale: 'en',
            systemTime: Date.now(),
            conversationId: body.conversationId,
            paymentId: payment.paymentId,
            price,
            currency: payment.currency,
          });
        }),
      ),
      http.get(`${IYZICO_API}/v2/reporting/payment/transactions`, ({ request }) =>
        signed(request, () => {
          const q = new URL(request.url).searchParams;
          const date = q.get('transactionDate') ?? '';
          const page = Number(q.get('page') ?? 1);
          const all = this.transactions.filter((t) => String(t.transactionDate).startsWith(date));
          const size = 100;
          return HttpResponse.json({
            status: 'success',
            locale: 'en',
            systemTime: Date.now(),
            currentPage: page,
            totalPageCount: Math.max(1, Math.ceil(all.length / size)),
            transactions: all.slice((page - 1) * size, page * size),
          });
        }),
      ),
    ];
  }
}
