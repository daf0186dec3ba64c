/**
 * The interface every signature scheme implements, so a receiver can pick a
 * scheme per provider by name and treat them all alike.
 */
import type { HeadersLike, VerifyOptions, WebhookPayload, WebhookSecret } from './types.ts';

/**
 * What a scheme needs to sign a payload. Schemes without a message id or a
 * timestamp in their signature ignore those fields.
 *
 * @example
 * ```ts
 * const input: SchemeSignInput = { payload: '{"type":"ping"}', secret, timestamp: new Date() };
 * ```
 */
export interface SchemeSignInput {
  payload: WebhookPayload;
  secret: WebhookSecret;
  /** Message id (Standard Webhooks); generated when absent. */
  id?: string;
  /** Signed timestamp as a Date or Unix seconds (Standard Webhooks, Stripe); default now. */
  timestamp?: Date | number;
}

/**
 * A webhook signature scheme: verify what a provider sent, and sign the same
 * way (for tests and for sending).
 *
 * @example
 * ```ts
 * const scheme: WebhookScheme = getScheme('stripe');
 * const event = await scheme.verify(rawBody, request.headers, process.env.STRIPE_WEBHOOK_SECRET!);
 * ```
 */
export interface WebhookScheme {
  /** Registry name, e.g. `standard`, `stripe`. */
  readonly name: string;
  /** Whether signatures carry a timestamp; schemes without one need deduplication against replays. */
  readonly timestamped: boolean;
  /**
   * Verifies the signature over the exact payload bytes and resolves to the
   * parsed JSON body (or, with `parse: false`, the payload unchanged).
   */
  verify(
    payload: WebhookPayload,
    headers: HeadersLike,
    secret: WebhookSecret,
    options?: VerifyOptions,
  ): Promise<unknown>;
  /** Same as {@link WebhookScheme.verify}, synchronously; needs `node:crypto`. */
  verifySync(
    payload: WebhookPayload,
    headers: HeadersLike,
    secret: WebhookSecret,
    options?: VerifyOptions,
  ): unknown;
  /** Produces the headers the provider would send for this payload. */
  sign(input: SchemeSignInput): Promise<Record<string, string>>;
  /** Same as {@link WebhookScheme.sign}, synchronously; needs `node:crypto`. */
  signSync(input: SchemeSignInput): Record<string, string>;
  /**
   * The provider's id for this delivery or event, for deduplication, when the
   * scheme knows where to find it (a header or a field of the verified event).
   */
  eventId(headers: HeadersLike, event: unknown): string | undefined;
}
