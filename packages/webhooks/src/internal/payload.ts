/**
 * Turns whatever the caller passed as the body into bytes or text to hash, and
 * parses verified bodies as JSON with errors that say what went wrong.
 */
import { WebhookVerificationError } from '../errors.ts';
import type { Body } from './crypto.ts';
import { utf8DecodeStrict } from './encoding.ts';

/**
 * Accepts string, Uint8Array (Buffer), any other ArrayBufferView, or ArrayBuffer.
 *
 * @example
 * ```ts
 * const body = toBody(Buffer.from('{}')); // the same Uint8Array
 * ```
 */
export function toBody(payload: unknown): Body {
  if (typeof payload === 'string' || payload instanceof Uint8Array) return payload;
  if (payload instanceof ArrayBuffer) return new Uint8Array(payload);
  if (ArrayBuffer.isView(payload)) {
    return new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength);
  }
  const looksParsed = payload !== null && typeof payload === 'object';
  throw new WebhookVerificationError(
    'invalid_payload',
    looksParsed
      ? 'The payload is an object: the body was parsed (and would be re-serialised) before verification. Pass the raw body as received: a string, Buffer, Uint8Array or ArrayBuffer.'
      : `The payload must be the raw body (string, Buffer, Uint8Array or ArrayBuffer), not ${payload === null ? 'null' : typeof payload}.`,
  );
}

/**
 * The `empty_payload` error, pointing at a body parser that consumed the body.
 *
 * @example
 * ```ts
 * if (body.length === 0) throw emptyPayloadError();
 * ```
 */
export function emptyPayloadError(): WebhookVerificationError {
  return new WebhookVerificationError(
    'empty_payload',
    'The payload is empty. Read the raw request body before any body parser consumes it, and pass it unchanged.',
  );
}

/**
 * Parses a verified body as JSON.
 *
 * @example
 * ```ts
 * const event = parseJsonBody(body); // payload_not_json when it is not
 * ```
 */
export function parseJsonBody(body: Body): unknown {
  if (body.length === 0) throw emptyPayloadError();
  let text: string;
  if (typeof body === 'string') {
    text = body;
  } else {
    try {
      text = utf8DecodeStrict(body);
    } catch (cause) {
      throw new WebhookVerificationError(
        'payload_not_json',
        'The signature is valid but the payload is not UTF-8 text, so it cannot be JSON. Verify with { parse: false } to receive the raw bytes.',
        { cause },
      );
    }
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new WebhookVerificationError(
      'payload_not_json',
      'The signature is valid but the payload is not JSON. Verify with { parse: false } to receive the raw body.',
      { cause },
    );
  }
}
