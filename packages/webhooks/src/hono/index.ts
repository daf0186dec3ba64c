/**
 * `@clinicbridge/webhooks/hono`: a Hono middleware that reads the raw body,
 * verifies it with the chosen scheme, and puts the typed event in
 * `c.get('webhook')`; failures get 400/401/413 problem+json with the code.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { isWebhookVerificationError } from '../errors.ts';
import {
  bodyLimit,
  checkDeclaredLength,
  payloadTooLarge,
  type ReceiverOptions,
  resolveScheme,
  type VerifiedWebhook,
  verifyDelivery,
  webhookProblem,
} from '../receiver.ts';

export type { ReceiverOptions, VerifiedWebhook, WebhookProblem } from '../receiver.ts';
export { webhookProblem } from '../receiver.ts';

/**
 * Hono environment the middleware adds: `c.get('webhook')`.
 *
 * @example
 * ```ts
 * const app = new Hono<WebhookEnv<StripeEvent>>();
 * ```
 */
export type WebhookEnv<T = unknown> = { Variables: { webhook: VerifiedWebhook<T> } };

/**
 * Reads the request body, stopping as soon as it passes `limit`: a chunked
 * body without Content-Length must not be buffered whole before it is refused.
 * The request is then rebuilt over the bytes read, so later handlers can still
 * call `c.req.json()` (the same approach as Hono's own `bodyLimit`).
 */
async function readBody(c: Context, limit: number): Promise<Uint8Array> {
  checkDeclaredLength(c.req.header('content-length'), limit);
  const stream = c.req.raw.body;
  if (stream === null || c.req.raw.bodyUsed) {
    // No body, or an earlier middleware read it through Hono's body cache.
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (bytes.byteLength > limit) throw payloadTooLarge(limit);
    return bytes;
  }
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw payloadTooLarge(limit);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  c.req.raw = new Request(c.req.raw, { body: bytes });
  return bytes;
}

/**
 * Verifies inbound webhooks on a Hono route. Mount it before anything that
 * reads the body; later handlers can still call `c.req.json()`.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { webhookVerifier } from '@clinicbridge/webhooks/hono';
 *
 * const app = new Hono();
 * app.post('/webhooks/stripe', webhookVerifier<{ id: string; type: string }>({
 *   scheme: 'stripe',
 *   secret: process.env.STRIPE_WEBHOOK_SECRET!,
 * }), (c) => {
 *   const { event } = c.get('webhook');
 *   return c.body(null, 204);
 * });
 * ```
 */
export function webhookVerifier<T = unknown>(
  options: ReceiverOptions<Context>,
): MiddlewareHandler<WebhookEnv<T>> {
  const scheme = resolveScheme(options.scheme);
  const limit = bodyLimit(options);
  return async (c, next) => {
    let webhook: VerifiedWebhook<T>;
    try {
      const rawBody = await readBody(c, limit);
      webhook = await verifyDelivery<T, Context>(scheme, options, c, rawBody, c.req.raw.headers);
    } catch (error) {
      if (!isWebhookVerificationError(error)) throw error;
      const problem = webhookProblem(error);
      return c.body(JSON.stringify(problem), problem.status, {
        'Content-Type': 'application/problem+json',
      });
    }
    c.set('webhook', webhook);
    await next();
  };
}
