/**
 * How a provider client proves who it is. A strategy writes credentials onto
 * each outgoing request; strategies holding short-lived tokens also get one
 * chance to refresh when the provider answers 401.
 */

/**
 * Writes credentials onto a request. `refresh` is called at most once per
 * call after a 401 and returns whether a retry with new credentials is worth it.
 *
 * @example
 * const auth: AuthStrategy = { authorize: (req) => req.headers.set('X-Api-Key', key) };
 */
export interface AuthStrategy {
  authorize(request: Request): void | Promise<void>;
  /** `rejectedAuthorization` is the Authorization header the provider refused. */
  refresh?(rejectedAuthorization: string | null): boolean | Promise<boolean>;
}

/**
 * `Authorization: Bearer <token>` with a static secret (Stripe, SendGrid,
 * WhatsApp system-user tokens).
 *
 * @example
 * const auth = bearerAuth(process.env.STRIPE_SECRET_KEY!);
 */
export function bearerAuth(token: string): AuthStrategy {
  const value = `Bearer ${token}`;
  return { authorize: (request) => request.headers.set('authorization', value) };
}

/**
 * HTTP Basic authentication (Twilio account SID + auth token, Razorpay key id + secret).
 *
 * @example
 * const auth = basicAuth('AC123', process.env.TWILIO_AUTH_TOKEN!);
 */
export function basicAuth(username: string, password: string): AuthStrategy {
  const value = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
  return { authorize: (request) => request.headers.set('authorization', value) };
}

/**
 * A static API key in a header of the provider's choosing.
 *
 * @example
 * const auth = apiKeyAuth({ header: 'X-Api-Key', value: process.env.KEY! });
 */
export function apiKeyAuth(options: {
  header: string;
  value: string;
  prefix?: string;
}): AuthStrategy {
  const value = options.prefix ? `${options.prefix} ${options.value}` : options.value;
  return { authorize: (request) => request.headers.set(options.header, value) };
}
