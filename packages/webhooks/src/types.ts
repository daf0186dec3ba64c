/** Input and option types shared by every signature scheme. */

/**
 * A request body exactly as received. Node's `Buffer` is a `Uint8Array`.
 * Signatures are checked over these bytes, so never pass a parsed object.
 *
 * @example
 * ```ts
 * const payload: WebhookPayload = await request.arrayBuffer();
 * ```
 */
export type WebhookPayload = string | Uint8Array | ArrayBuffer;

/**
 * Request headers: a Fetch `Headers`, or a plain object such as Node's
 * `IncomingHttpHeaders`. Lookups are case-insensitive.
 *
 * @example
 * ```ts
 * const headers: HeadersLike = { 'Webhook-Id': 'msg_1', 'webhook-timestamp': '1700000000' };
 * ```
 */
export type HeadersLike =
  | Headers
  | Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * One secret, or several during a rotation (any one matching is enough when
 * verifying; each one signs when signing).
 *
 * @example
 * ```ts
 * const secrets: WebhookSecret = [process.env.WEBHOOK_SECRET_NEW!, process.env.WEBHOOK_SECRET_OLD!];
 * ```
 */
export type WebhookSecret = string | readonly string[];

/**
 * Options for every `verify` function.
 *
 * @example
 * ```ts
 * const options: VerifyOptions = { toleranceSeconds: 60, now: () => clock.now() };
 * ```
 */
export interface VerifyOptions {
  /** How far the signed timestamp may be from now, either way. Default 300 (5 minutes). */
  toleranceSeconds?: number;
  /** Clock in milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
  /**
   * `true` (default): return the payload parsed as JSON. `false`: only check
   * the signature and return the payload unchanged (for non-JSON bodies).
   */
  parse?: boolean;
}
