/**
 * The OpenAPI 3.1 document of API v1, generated from the contract: one
 * path item per operation, request and response schemas converted from
 * zod, the problem+json error schema, the required scope of each
 * operation and the security schemes (API key or OAuth bearer).
 */
import {
  errorCodes,
  listOperations,
  OAUTH_TOKEN_PATH,
  type Operation,
  problem,
  type Schema,
} from '@clinicbridge/sdk/contract';
import * as z from 'zod/mini';
import { IDEMPOTENCY_KEY } from '../http/operations.ts';
import { scopeDescriptions } from './scope-descriptions.ts';

type JsonObject = Record<string, unknown>;

function jsonSchema(schema: Schema, io: 'input' | 'output'): JsonObject {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonObject;
  delete out.$schema;
  return out;
}

function parameters(operation: Operation): JsonObject[] {
  const list: JsonObject[] = [];
  for (const [where, schema] of [
    ['path', operation.params],
    ['query', operation.query],
  ] as const) {
    if (!schema) continue;
    // The value after coercion from the query string: `limit` is an integer in 1–100, not any number.
    const object = jsonSchema(schema, 'output') as {
      properties?: Record<string, JsonObject>;
      required?: string[];
    };
    for (const [name, property] of Object.entries(object.properties ?? {})) {
      list.push({
        name,
        in: where,
        required: where === 'path' || (object.required ?? []).includes(name),
        schema: property,
      });
    }
  }
  if (operation.write) {
    // Optional, as the server treats it: a write without a key runs once, but its retry is a new write.
    list.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description:
        'Unique per intended change; a retry with the same key replays the stored response ' +
        '(marked `Idempotency-Replayed: true`). Without it the write still runs, but a retry ' +
        'is a new write: send one with every write you may retry.',
      schema: { type: 'string', pattern: IDEMPOTENCY_KEY.source },
    });
  }
  return list;
}

const errorResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

function operationObject(operation: Operation): JsonObject {
  const responses: JsonObject = {
    [operation.status]:
      operation.status === 204 || !operation.response
        ? { description: 'Done' }
        : {
            description: 'Success',
            content: { 'application/json': { schema: jsonSchema(operation.response, 'output') } },
          },
    '400': errorResponse('Invalid request (see `errors`)'),
    '401': errorResponse('Missing or invalid credential'),
    '403': errorResponse(`Needs scope ${operation.scope}`),
    '404': errorResponse('Not found in this tenant'),
    '429': errorResponse('Rate limited; see Retry-After'),
  };
  if (operation.write) {
    responses['409'] = errorResponse('Conflict or idempotent request in flight');
    responses['422'] = errorResponse('Unprocessable, or Idempotency-Key reused with another body');
  }
  return {
    operationId: operation.id,
    summary: operation.summary,
    tags: [operation.id.split('.')[0]],
    security: [{ apiKey: [] }, { oauth2: [operation.scope] }],
    'x-required-scope': operation.scope,
    parameters: parameters(operation),
    ...(operation.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(operation.body, 'input') } },
          },
        }
      : {}),
    responses,
  };
}

/**
 * Builds the OpenAPI document. `serverUrl` is `PUBLIC_URL`; without one the
 * server is `/`, the origin the document was read from, so a client (or
 * /docs) reached at 127.0.0.1 does not call a `localhost` it never used.
 *
 * @example
 * const doc = buildOpenApiDocument('https://clinic.example');
 * Object.keys(doc.paths).length; // number of distinct paths
 */
export function buildOpenApiDocument(serverUrl?: string): JsonObject & { paths: JsonObject } {
  const base = serverUrl?.replace(/\/+$/, '') ?? '';
  const paths: Record<string, JsonObject> = {};
  for (const operation of listOperations()) {
    paths[operation.path] ??= {};
    (paths[operation.path] as JsonObject)[operation.method.toLowerCase()] =
      operationObject(operation);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'ClinicBridge API',
      version: '1.0.0',
      description:
        'Partner REST API of a ClinicBridge server. Errors are RFC 9457 problem+json with a stable `code`: ' +
        Object.keys(errorCodes).join(', '),
    },
    servers: [{ url: base || '/' }],
    paths,
    components: {
      schemas: { Problem: jsonSchema(problem, 'output') },
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An integration token (API key, `cbk_live_…` in production, `cbk_test_…` in the sandbox) as a bearer credential; the other environment answers 401 `environment_mismatch`.',
        },
        oauth2: {
          type: 'oauth2',
          flows: {
            clientCredentials: {
              tokenUrl: `${base}${OAUTH_TOKEN_PATH}`,
              scopes: { ...scopeDescriptions },
            },
          },
        },
      },
    },
  };
}
