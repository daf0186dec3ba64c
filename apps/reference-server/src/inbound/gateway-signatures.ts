/**
 * How Razorpay and iyzico sign their payment webhooks, for
 * `/webhooks/razorpay` and `/webhooks/iyzico`. Razorpay signs the raw body
 * (HMAC-SHA256, hex, `X-Razorpay-Signature`, delivery id in
 * `X-Razorpay-Event-Id`); iyzico signs chosen fields of the body with the
 * merchant's secret key (`X-IYZ-Signature-V3`). Neither signs a timestamp:
 * replays are stopped by deduplication on the delivery id and by the
 * checkout's final status.
 */
import { timingSafeEqual } from 'node:crypto';
import { iyzicoWebhookSignature } from '@clinicbridge/adapters/iyzico';
import { WebhookVerificationError } from '@clinicbridge/webhooks';
import { createHmacScheme } from '@clinicbridge/webhooks/hmac';

/**
 * Checks a provider's signature on a raw body against any of `secrets`; throws
 * `WebhookVerificationError` when none matches.
 *
 * @example
 * await verifyRazorpaySignature(raw, request.headers, ['secret']);
 */
export type SignatureCheck = (
  raw: Uint8Array,
  headers: Headers,
  secrets: string[],
  /**
   * The request's method, the URLs it may have been sent to (as received, and
   * as configured behind a proxy) and the server's clock, for schemes that sign them (HubSpot).
   */
  request?: { readonly method: string; readonly urls: readonly string[]; readonly now: Date },
) => Promise<void>;

const razorpayScheme = createHmacScheme({
  name: 'razorpay',
  header: 'x-razorpay-signature',
  eventIdHeader: 'x-razorpay-event-id',
});

/**
 * Razorpay: HMAC-SHA256 of the raw body with the webhook secret, hex.
 *
 * @example
 * await verifyRazorpaySignature(raw, headers, [process.env.INBOUND_RAZORPAY_SECRET!]);
 */
export const verifyRazorpaySignature: SignatureCheck = async (raw, headers, secrets) => {
  await razorpayScheme.verify(raw, headers, secrets, { parse: false });
};

/**
 * iyzico: `X-IYZ-Signature-V3` over the secret key and the body's event
 * type, payment id, token, conversation id and status.
 *
 * @example
 * await verifyIyzicoSignature(raw, headers, [process.env.INBOUND_IYZICO_SECRET!]);
 */
export const verifyIyzicoSignature: SignatureCheck = async (raw, headers, secrets) => {
  const given = headers.get('x-iyz-signature-v3');
  if (!given) {
    throw new WebhookVerificationError(
      'missing_header',
      'The X-IYZ-Signature-V3 header is missing; enable webhook signatures in the iyzico merchant panel.',
    );
  }
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder().decode(raw));
  } catch {
    throw new WebhookVerificationError('payload_not_json', 'An iyzico webhook body is JSON.');
  }
  const presented = Buffer.from(given.trim().toLowerCase(), 'utf8');
  for (const secret of secrets) {
    const expected = iyzicoWebhookSignature(payload, secret);
    if (expected === null) {
      throw new WebhookVerificationError(
        'invalid_payload',
        'The iyzico webhook lacks the signed fields (iyziEventType, iyziPaymentId, token, status).',
      );
    }
    const wanted = Buffer.from(expected, 'utf8');
    if (wanted.length === presented.length && timingSafeEqual(wanted, presented)) return;
  }
  throw new WebhookVerificationError(
    'invalid_signature',
    'The X-IYZ-Signature-V3 signature does not match; check INBOUND_IYZICO_SECRET is the merchant secret key.',
  );
};
