/**
 * What the Hono middleware and the Node helper share: options, the verified
 * event they hand over, and the problem+json answer for a failure.
 */
import {
  statusForWebhookError,
  type WebhookErrorCode,
  type WebhookErrorStatus,
  WebhookVerificationError,
} from './errors.ts';
import { getScheme } from './registry.ts';
import type { WebhookScheme } from './scheme.ts';
import type { HeadersLike, WebhookSecret } from './types.ts';

/**
 * Bodies above this are refused unless `maxBodyBytes` says otherwise.
 *
 * @example
 * ```ts
 * const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
 * ```
 */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * Options shared by the receiver middleware.
 *
 * @example
 * ```ts
 * const options: ReceiverOptions = { scheme: 'stripe', secret: process.env.STRIPE_WEBHOOK_SECRET! };
 * ```
 */
export interface ReceiverOptions<Ctx = unknown> {
  /** A registry name (`standard`, `stripe`, `meta`, `github`, `hmac`) or a scheme object. */
  scheme: string | WebhookScheme;
  /** The secret(s), or a function of the request context returning them (per tenant, rotation). */
  secret: WebhookSecret | ((context: Ctx) => WebhookSecret | Promise<WebhookSecret>);
  /** Timestamp tolerance in seconds, either way. Default 300. */
  toleranceSeconds?: number;
  /** Clock in ms since the epoch. Default `Date.now`. */
  now?: () => number;
  /** Largest body accepted, in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
}

/**
 * A delivery whose signature holds.
 *
 * @example
 * ```ts
 * const { event, eventId, rawBody } = c.get('webhook');
 * ```
 */
export interface VerifiedWebhook<T = unknown> {
  /** The parsed JSON body. */
  event: T;
  /** The provider's delivery or event id when the scheme knows it; use it to deduplicate. */
  eventId: string | undefined;
  /** The exact bytes that were verified. */
  rawBody: Uint8Array;
  /** Name of the scheme that verified it. */
  scheme: string;
}

/**
 * RFC 9457 problem details sent back to the sender for a rejected delivery.
 *
 * @example
 * ```ts
 * const problem: WebhookProblem = { type: 'about:blank', title: 'Webhook rejected', status: 401, code: 'invalid_signature', detail: '…' };
 * ```
 */
export interface WebhookProblem {
  type: 'about:blank';
  title: string;
  status: WebhookErrorStatus;
  code: WebhookErrorCode;
  detail: string;
}

/**
 * Maps a verification failure to its status and problem body.
 *
 * @example
 * ```ts
 * const problem = webhookProblem(error);
 * return new Response(JSON.stringify(problem), { status: problem.status });
 * ```
 */
export function webhookProblem(error: WebhookVerificationError): WebhookProblem {
  return {
    type: 'about:blank',
    title: 'Webhook rejected',
    status: statusForWebhookError(error.code),
    code: error.code,
    detail: error.message,
  };
}

/**
 * The scheme object for a registry name, or the object itself;
 * `unknown_scheme` for an unknown name.
 *
 * @example
 * ```ts
 * const scheme = resolveScheme(options.scheme);
 * ```
 */
export function resolveScheme(scheme: string | WebhookScheme): WebhookScheme {
  return typeof scheme === 'string' ? getScheme(scheme) : scheme;
}

/**
 * The body limit a receiver enforces; a `RangeError` for a nonsensical
 * `maxBodyBytes`, raised when the receiver is built.
 *
 * @example
 * ```ts
 * const limit = bodyLimit(options); // 1 MiB by default
 * ```
 */
export function bodyLimit(options: ReceiverOptions<never>): number {
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new RangeError('maxBodyBytes must be a whole number of bytes >= 0.');
  }
  return limit;
}

/**
 * The `payload_too_large` error (413) for a body over `limit` bytes.
 *
 * @example
 * ```ts
 * if (size > limit) throw payloadTooLarge(limit);
 * ```
 */
export function payloadTooLarge(limit: number): WebhookVerificationError {
  return new WebhookVerificationError(
    'payload_too_large',
    `The body is larger than ${limit} bytes. Raise maxBodyBytes if this provider legitimately sends more.`,
  );
}

/**
 * Raises `payload_too_large` early when a declared Content-Length is over the limit.
 *
 * @example
 * ```ts
 * checkDeclaredLength(c.req.header('content-length'), limit);
 * ```
 */
export function checkDeclaredLength(value: string | undefined, limit: number): void {
  if (value !== undefined && /^\d+$/.test(value) && Number(value) > limit) {
    throw payloadTooLarge(limit);
  }
}

/**
 * Resolves the secret for this request, verifies the raw body with the scheme,
 * and packages the result with the provider's event id.
 *
 * @example
 * ```ts
 * const webhook = await verifyDelivery(scheme, options, c, rawBody, c.req.raw.headers);
 * ```
 */
export async function verifyDelivery<T, Ctx>(
  scheme: WebhookScheme,
  options: ReceiverOptions<Ctx>,
  context: Ctx,
  rawBody: Uint8Array,
  headers: HeadersLike,
): Promise<VerifiedWebhook<T>> {
  const secret =
    typeof options.secret === 'function' ? await options.secret(context) : options.secret;
  const verifyOptions = {
    ...(options.toleranceSeconds === undefined
      ? {}
      : { toleranceSeconds: options.toleranceSeconds }),
    ...(options.now === undefined ? {} : { now: options.now }),
  };
  const event = (await scheme.verify(rawBody, headers, secret, verifyOptions)) as T;
  return { event, eventId: scheme.eventId(headers, event), rawBody, scheme: scheme.name };
}
