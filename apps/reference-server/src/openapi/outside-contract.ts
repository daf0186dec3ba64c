/**
 * The two public routes that are not contract operations but that partners
 * call: the OAuth client-credentials token endpoint and the inbound
 * provider webhooks. Their path items are written here, from the same
 * schemas the routes use. Also the multipart form a contract operation
 * takes beside its JSON body (`imports.create`, src/imports/multipart.ts).
 */
import {
  idSchema,
  importFormat,
  importKind,
  OAUTH_TOKEN_PATH,
  oauthError,
  tokenRequest,
} from '@clinicbridge/sdk/contract';
import * as z from 'zod/mini';
import { providerNames } from '../inbound/providers.ts';
import type { JsonObject, SchemaComponents } from './components.ts';
import { problemRef, responseHeaderRef } from './responses.ts';

const inboundReceipt = z.object({
  received: z.literal(true),
  id: idSchema('inb'),
  duplicate: z.boolean(),
});

const withRequestId = { 'X-Request-Id': responseHeaderRef('X-Request-Id') };

function tokenPath(components: SchemaComponents): JsonObject {
  const oauthFailure = (description: string) => ({
    description,
    headers: withRequestId,
    content: {
      'application/json': { schema: components.responseSchema(oauthError, 'OAuthError') },
    },
  });
  return {
    post: {
      operationId: 'oauth.token',
      summary: 'Get an access token (client credentials)',
      description:
        'RFC 6749 client-credentials grant. Send the client id and secret as HTTP Basic ' +
        'credentials or in the form; ask for a subset of the client’s scopes with `scope`, or ' +
        'get them all. Use the `access_token` as a bearer credential until `expires_in` passes.',
      tags: ['oauth'],
      security: [{ clientBasic: [] }, {}],
      requestBody: {
        required: true,
        content: {
          'application/x-www-form-urlencoded': {
            schema: components.requestSchema(tokenRequest, 'TokenRequest'),
          },
        },
      },
      responses: {
        '200': {
          description: 'The access token.',
          headers: withRequestId,
          content: {
            'application/json': { schema: { $ref: '#/components/schemas/TokenResponse' } },
          },
        },
        '400': oauthFailure('`invalid_request`, `invalid_scope` or `unsupported_grant_type`.'),
        '401': oauthFailure(
          '`invalid_client`: unknown client, wrong secret, or not allowed from this address.',
        ),
        '413': problemRef(413),
        '500': problemRef(500),
        '503': problemRef(503),
      },
    },
  };
}

function inboundPath(components: SchemaComponents): JsonObject {
  const receipt = components.responseSchema(inboundReceipt, 'InboundWebhookReceipt');
  const signatureHeader = (name: string, description: string) => ({
    name,
    in: 'header',
    required: false,
    description,
    schema: { type: 'string', maxLength: 4096 },
  });
  return {
    post: {
      operationId: 'webhooks.receive',
      summary: 'Receive a provider’s webhook',
      description:
        'For the configured providers only. The signature is verified on the raw body with the ' +
        'provider’s scheme (Stripe for `payments`, Meta for `whatsapp`, Standard Webhooks for the ' +
        'others), except `abdm`, whose callbacks carry the ABDM gateway’s RS256 token ' +
        '(`Authorization: Bearer …`), checked against its published keys, and `hubspot`, signed ' +
        'with HubSpot’s signature v3 over method, URL, body and timestamp (its body is a JSON ' +
        'array of events); the webhook is stored, deduplicated on the provider’s event id, acknowledged at ' +
        'once and processed afterwards.',
      tags: ['webhooks'],
      security: [{}],
      parameters: [
        {
          name: 'provider',
          in: 'path',
          required: true,
          schema: { type: 'string', enum: [...providerNames] },
        },
        signatureHeader('Stripe-Signature', 'The `payments` provider’s signature.'),
        signatureHeader('X-Hub-Signature-256', 'The `whatsapp` provider’s signature.'),
        signatureHeader('webhook-id', 'Standard Webhooks message id.'),
        signatureHeader('webhook-timestamp', 'Standard Webhooks timestamp (Unix seconds).'),
        signatureHeader('webhook-signature', 'Standard Webhooks signatures.'),
        signatureHeader('REQUEST-ID', 'The `abdm` gateway’s id of the callback.'),
        signatureHeader('X-HubSpot-Signature-v3', 'The `hubspot` provider’s signature (base64).'),
        signatureHeader(
          'X-HubSpot-Request-Timestamp',
          'The `hubspot` request’s time (milliseconds since the epoch); older than five minutes is refused.',
        ),
      ],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: { oneOf: [{ type: 'object' }, { type: 'array', items: { type: 'object' } }] },
          },
        },
      },
      responses: {
        '200': {
          description: 'Received before: acknowledged again, not processed twice.',
          headers: withRequestId,
          content: { 'application/json': { schema: receipt } },
        },
        '202': {
          description: 'Verified and stored; it is processed shortly.',
          headers: withRequestId,
          content: { 'application/json': { schema: receipt } },
        },
        '400': problemRef(400),
        '401': problemRef(401),
        '404': problemRef(404),
        '413': problemRef(413),
        '500': problemRef(500),
        '503': problemRef(503),
      },
    },
  };
}

/**
 * The `multipart/form-data` media type of `POST /api/v1/imports`: the file
 * as a part named `file`, the other fields of `imports.create` as text parts.
 *
 * @example
 * requestBody.content['multipart/form-data'] = multipartImportForm();
 */
const importForm = z.strictObject({
  kind: importKind,
  format: importFormat,
  dryRun: z.optional(z.enum(['true', 'false'])),
  fileName: z.optional(z.string().check(z.maxLength(255))),
  mappingId: z.optional(idSchema('imm')),
  /** A JSON object: source header → field. */
  mapping: z.optional(z.string().check(z.maxLength(16_384))),
  /** The file itself (XLSX as its bytes, not base64), at most `IMPORT_MAX_BYTES`. */
  file: z.file(),
});

export function multipartImportForm(components: SchemaComponents): JsonObject {
  return { schema: components.requestSchema(importForm, 'ImportsCreateForm') };
}

/**
 * The path items of `/oauth/token` and `/webhooks/{provider}`.
 *
 * @example
 * const paths = { ...contractPaths, ...outsideContractPaths(components) };
 */
export function outsideContractPaths(components: SchemaComponents): Record<string, JsonObject> {
  return {
    [OAUTH_TOKEN_PATH]: tokenPath(components),
    '/webhooks/{provider}': inboundPath(components),
  };
}
