/**
 * `@clinicbridge/webhooks/node`: webhook receivers for plain Node `http`
 * servers and Express-style frameworks. They read the raw body (or take the
 * Buffer `express.raw()` left in `req.body`), verify it, and hand over the
 * typed event; failures get 400/401/413 problem+json with the code.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isWebhookVerificationError, WebhookVerificationError } from '../errors.ts';
import { utf8Encode } from '../internal/encoding.ts';
import { readHeader } from '../internal/headers.ts';
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
 * A Node request, optionally with a `body` a framework already set.
 *
 * @example
 * ```ts
 * const webhook = await verifyNodeRequest(req as NodeWebhookRequest, options);
 * ```
 */
export type NodeWebhookRequest = IncomingMessage & { body?: unknown; webhook?: VerifiedWebhook };

/**
 * Reads the whole request body as bytes, refusing more than `maxBytes`.
 * Uses `req.body` when a raw or text body parser already read it.
 *
 * @example
 * ```ts
 * const raw = await readRawBody(req, 1024 * 1024);
 * ```
 */
export async function readRawBody(req: NodeWebhookRequest, maxBytes: number): Promise<Uint8Array> {
  checkDeclaredLength(readHeader(req.headers, 'content-length'), maxBytes);
  const { body } = req;
  if (body instanceof Uint8Array || typeof body === 'string') {
    const bytes = typeof body === 'string' ? utf8Encode(body) : body;
    if (bytes.byteLength > maxBytes) throw payloadTooLarge(maxBytes);
    return bytes;
  }
  if (req.readableEnded || (req as { _body?: boolean })._body === true) {
    throw new WebhookVerificationError(
      'invalid_payload',
      'The body was already read and parsed by a body parser, so the raw bytes that were signed are gone. Mount the webhook route before express.json(), or give it express.raw({ type: "*/*" }).',
    );
  }
  return readStream(req, maxBytes);
}

function readStream(req: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer | string) => {
      if (tooLarge) return;
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buffer.byteLength;
      if (size > maxBytes) {
        // Answer at once; keep draining (without storing) so the response can be written.
        tooLarge = true;
        chunks.length = 0;
        reject(payloadTooLarge(maxBytes));
        return;
      }
      chunks.push(buffer);
    });
    req.on('end', () => {
      if (!tooLarge) resolve(Buffer.concat(chunks, size));
    });
    req.on('error', reject);
  });
}

/**
 * Reads and verifies a Node request; resolves to the verified delivery or
 * rejects with a `WebhookVerificationError`.
 *
 * @example
 * ```ts
 * const { event } = await verifyNodeRequest<{ type: string }>(req, { scheme: 'github', secret });
 * ```
 */
export async function verifyNodeRequest<T = unknown>(
  req: NodeWebhookRequest,
  options: ReceiverOptions<NodeWebhookRequest>,
): Promise<VerifiedWebhook<T>> {
  const scheme = resolveScheme(options.scheme);
  const rawBody = await readRawBody(req, bodyLimit(options));
  return verifyDelivery<T, NodeWebhookRequest>(scheme, options, req, rawBody, req.headers);
}

/**
 * Writes the problem+json answer for a verification failure.
 *
 * @example
 * ```ts
 * if (isWebhookVerificationError(error)) sendWebhookProblem(res, error);
 * ```
 */
export function sendWebhookProblem(res: ServerResponse, error: WebhookVerificationError): void {
  const problem = webhookProblem(error);
  res.statusCode = problem.status;
  res.setHeader('Content-Type', 'application/problem+json');
  if (error.code === 'payload_too_large') res.setHeader('Connection', 'close');
  res.end(JSON.stringify(problem));
}

/**
 * Options of {@link webhookHandler}.
 *
 * @example
 * ```ts
 * const options: WebhookHandlerOptions<{ type: string }> = { scheme: 'standard', secret, onEvent: async ({ event }) => queue.push(event) };
 * ```
 */
export interface WebhookHandlerOptions<T> extends ReceiverOptions<NodeWebhookRequest> {
  /** Handles a verified delivery. Answers 204 afterwards unless it wrote a response itself. */
  onEvent: (webhook: VerifiedWebhook<T>, req: NodeWebhookRequest, res: ServerResponse) => unknown;
  /** Told about errors thrown by `onEvent` (the sender gets a 500). */
  onError?: (error: unknown, req: NodeWebhookRequest) => void;
}

/**
 * A complete `(req, res)` handler for `http.createServer` or any framework
 * that passes Node's request and response.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { webhookHandler } from '@clinicbridge/webhooks/node';
 *
 * createServer(webhookHandler({
 *   scheme: 'standard',
 *   secret: process.env.WEBHOOK_SECRET!,
 *   onEvent: async ({ event, eventId }) => { await enqueue(eventId, event); },
 * })).listen(3000);
 * ```
 */
export function webhookHandler<T = unknown>(
  options: WebhookHandlerOptions<T>,
): (req: NodeWebhookRequest, res: ServerResponse) => Promise<void> {
  resolveScheme(options.scheme);
  bodyLimit(options);
  return async (req, res) => {
    let webhook: VerifiedWebhook<T>;
    try {
      webhook = await verifyNodeRequest<T>(req, options);
    } catch (error) {
      if (isWebhookVerificationError(error)) return sendWebhookProblem(res, error);
      return failInternally(error, req, res, options);
    }
    try {
      await options.onEvent(webhook, req, res);
    } catch (error) {
      return failInternally(error, req, res, options);
    }
    if (!res.writableEnded && !res.headersSent) {
      res.statusCode = 204;
      res.end();
    }
  };
}

function failInternally(
  error: unknown,
  req: NodeWebhookRequest,
  res: ServerResponse,
  options: { onError?: (error: unknown, req: NodeWebhookRequest) => void },
): void {
  options.onError?.(error, req);
  if (res.headersSent) {
    res.end();
    return;
  }
  res.statusCode = 500;
  res.setHeader('Content-Type', 'application/problem+json');
  // The sender retries on 5xx; the error itself stays in the receiver's logs.
  res.end(
    JSON.stringify({
      type: 'about:blank',
      title: 'Webhook handler failed',
      status: 500,
      code: 'handler_failed',
    }),
  );
}

/**
 * The verified delivery `webhookMiddleware` attached to `req`, typed. Saves a
 * cast in frameworks whose request type does not know `req.webhook`.
 *
 * @example
 * ```ts
 * app.post('/webhooks/github', webhookMiddleware({ scheme: 'github', secret }), (req, res) => {
 *   const { event, eventId } = webhookOf<{ action: string }>(req);
 *   res.sendStatus(204);
 * });
 * ```
 */
export function webhookOf<T = unknown>(req: IncomingMessage): VerifiedWebhook<T> {
  const webhook = (req as NodeWebhookRequest).webhook;
  if (webhook === undefined) {
    throw new Error(
      'No verified webhook on this request: mount webhookMiddleware() before this handler.',
    );
  }
  return webhook as VerifiedWebhook<T>;
}

/**
 * Express-style middleware `(req, res, next)`: sets `req.webhook` and calls
 * `next()`, answers verification failures itself, and passes other errors to
 * `next(error)`.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { webhookMiddleware, webhookOf } from '@clinicbridge/webhooks/node';
 *
 * const app = express();
 * // Before express.json(), so the raw body is still there.
 * app.post('/webhooks/github', webhookMiddleware({ scheme: 'github', secret }), (req, res) => {
 *   console.log(webhookOf(req).event);
 *   res.sendStatus(204);
 * });
 * app.use(express.json());
 * ```
 */
export function webhookMiddleware<T = unknown>(
  options: ReceiverOptions<NodeWebhookRequest>,
): (req: NodeWebhookRequest, res: ServerResponse, next: (error?: unknown) => void) => void {
  resolveScheme(options.scheme);
  bodyLimit(options);
  return (req, res, next) => {
    verifyNodeRequest<T>(req, options).then(
      (webhook) => {
        req.webhook = webhook;
        next();
      },
      (error: unknown) => {
        if (isWebhookVerificationError(error)) sendWebhookProblem(res, error);
        else next(error);
      },
    );
  };
}
