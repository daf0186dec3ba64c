/**
 * Webhook receipt: verify the Standard Webhooks signature over the raw body
 * (via `@clinicbridge/webhooks`), then check the event against the contract's
 * catalogue so the handler gets a union discriminated on `type`.
 */
import {
  type HeadersLike,
  type VerifyOptions,
  verify,
  type WebhookPayload,
  type WebhookSecret,
} from '@clinicbridge/webhooks';
import type { ClinicBridgeEvent } from '../../contract/events/envelope.ts';
import { clinicBridgeEvent } from '../../contract/events/envelope.ts';
import type { Schema } from '../../contract/operation.ts';
import type { ValidationMode } from '../core/types.ts';
import { validateResponse } from '../validation/validate.ts';

/**
 * Options of `client.webhooks.verify`.
 *
 * @example
 * await client.webhooks.verify(rawBody, headers, secret, { toleranceSeconds: 60, validation: 'warn' });
 */
export interface WebhookVerifyOptions extends Omit<VerifyOptions, 'parse'> {
  /** Check the event against the catalogue; defaults to the client's validation mode. */
  validation?: ValidationMode | undefined;
}

/**
 * Verifies a delivery and returns its event. Throws `WebhookVerificationError`
 * (from `@clinicbridge/webhooks`, with a stable `code`) when the signature,
 * timestamp or headers are wrong, and `ResponseValidationError` when a
 * correctly signed event does not match the catalogue in `strict` mode.
 *
 * @example
 * const event = await verifyWebhook(rawBody, request.headers, process.env.CLINICBRIDGE_WEBHOOK_SECRET!);
 * if (event.type === 'payment.received') console.log(event.data.amount);
 */
export async function verifyWebhook(
  rawBody: WebhookPayload,
  headers: HeadersLike,
  secret: WebhookSecret,
  options: WebhookVerifyOptions = {},
  onWarning?: (error: Error) => void,
): Promise<ClinicBridgeEvent> {
  const { validation = 'strict', ...verifyOptions } = options;
  const body = await verify(rawBody, headers, secret, { ...verifyOptions, parse: true });
  return (await validateResponse(clinicBridgeEvent as unknown as Schema, body, validation, {
    operationId: 'webhooks.verify',
    status: 200,
    requestId: undefined,
    onWarning,
  })) as ClinicBridgeEvent;
}

/**
 * The `client.webhooks` namespace.
 *
 * @example
 * const event = await client.webhooks.verify(rawBody, headers, secret);
 */
export interface WebhooksNamespace {
  verify(
    rawBody: WebhookPayload,
    headers: HeadersLike,
    secret: WebhookSecret,
    options?: WebhookVerifyOptions,
  ): Promise<ClinicBridgeEvent>;
}

/**
 * Builds `client.webhooks` with the client's validation mode as default.
 *
 * @example
 * const webhooks = webhooksNamespace('strict', undefined);
 */
export function webhooksNamespace(
  validation: ValidationMode,
  onWarning: ((error: Error) => void) | undefined,
): WebhooksNamespace {
  return {
    verify: (rawBody, headers, secret, options = {}) =>
      verifyWebhook(rawBody, headers, secret, { validation, ...options }, onWarning),
  };
}
