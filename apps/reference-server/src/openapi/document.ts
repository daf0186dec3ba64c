/**
 * The OpenAPI 3.1 document of API v1, generated from the contract: one
 * path item per operation with its bounded parameters, named component
 * schemas for bodies (components.ts), every status the server can answer
 * with its problem+json schema and the headers it really sends
 * (responses.ts), the required scope of each operation, the security
 * schemes, and the token and inbound webhook routes (outside-contract.ts).
 * Nothing here names an operation: a new one in the contract comes out
 * complete.
 */
import {
  errorCodes,
  listOperations,
  OAUTH_TOKEN_PATH,
  type Operation,
} from '@clinicbridge/sdk/contract';
import { inlineJsonSchema, type JsonObject, SchemaComponents } from './components.ts';
import { multipartImportForm, outsideContractPaths } from './outside-contract.ts';
import {
  operationResponses,
  problemResponses,
  requestHeaderParameters,
  responseHeaders,
} from './responses.ts';
import { scopeDescriptions } from './scope-descriptions.ts';

/**
 * The version of the published document: the major moves with a breaking
 * change (docs/versioning.md), the minor with an addition.
 *
 * @example
 * API_VERSION.split('.')[0]; // '1'
 */
export const API_VERSION = '1.0.0';

function parameters(operation: Operation): JsonObject[] {
  const list: JsonObject[] = [];
  for (const [where, schema] of [
    ['path', operation.params],
    ['query', operation.query],
  ] as const) {
    if (!schema) continue;
    // The value after coercion from the query string: `limit` is an integer in 1–100, not any number.
    const object = inlineJsonSchema(schema, 'output') as {
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
  list.push({ $ref: '#/components/parameters/RequestId' });
  if (operation.write) list.push({ $ref: '#/components/parameters/IdempotencyKey' });
  return list;
}

const tagOf = (operation: Operation) => operation.id.split('.')[0] ?? operation.id;

function operationObject(operation: Operation, components: SchemaComponents): JsonObject {
  const body = operation.response
    ? components.response({ ...operation, response: operation.response })
    : undefined;
  return {
    operationId: operation.id,
    summary: operation.summary,
    description: `Needs the \`${operation.scope}\` scope.${operation.write ? ' A write: send an `Idempotency-Key` to retry it safely.' : ''}`,
    tags: [tagOf(operation)],
    security: [{ apiKey: [] }, { oauth2: [operation.scope] }],
    'x-required-scope': operation.scope,
    parameters: parameters(operation),
    ...(operation.body
      ? {
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: components.request({ ...operation, body: operation.body }),
              },
              // The one operation that also takes a file as a form (src/imports/multipart.ts).
              ...(operation.id === 'imports.create'
                ? { 'multipart/form-data': multipartImportForm(components) }
                : {}),
            },
          },
        }
      : {}),
    responses: operationResponses(operation, operation.status === 204 ? undefined : body),
  };
}

// `ledgerAccounts` → `ledger accounts`.
const words = (tag: string) => tag.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();

function tags(operations: Operation[]): JsonObject[] {
  const names = [...new Set(operations.map(tagOf))];
  return [
    ...names.map((name) => ({ name, description: `Operations on ${words(name)}.` })),
    { name: 'oauth', description: 'OAuth 2.0 access tokens for client credentials.' },
    { name: 'webhooks', description: 'Webhooks that providers send to this server.' },
  ];
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
  const components = new SchemaComponents();
  const operations = listOperations();
  const paths: Record<string, JsonObject> = {};
  for (const operation of operations) {
    paths[operation.path] ??= {};
    (paths[operation.path] as JsonObject)[operation.method.toLowerCase()] = operationObject(
      operation,
      components,
    );
  }
  Object.assign(paths, outsideContractPaths(components));
  return {
    openapi: '3.1.0',
    info: {
      title: 'ClinicBridge API',
      version: API_VERSION,
      license: { name: 'MIT', identifier: 'MIT' },
      description:
        'Partner REST API of a ClinicBridge server. Errors are RFC 9457 problem+json with a stable `code`: ' +
        `${Object.keys(errorCodes).join(', ')}. ` +
        'A method a path does not have is answered 405 with `Allow` (components.responses.MethodNotAllowed).',
    },
    servers: [{ url: base || '/' }],
    tags: tags(operations),
    paths,
    components: {
      schemas: components.build(),
      responses: problemResponses(),
      parameters: requestHeaderParameters,
      headers: responseHeaders,
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An integration token (API key, `cbk_live_…` in production, `cbk_test_…` in the sandbox) as a bearer credential; the other environment answers 401 `environment_mismatch`.',
        },
        oauth2: {
          type: 'oauth2',
          description: 'An access token from the token endpoint, as a bearer credential.',
          flows: {
            clientCredentials: {
              tokenUrl: `${base}${OAUTH_TOKEN_PATH}`,
              scopes: { ...scopeDescriptions },
            },
          },
        },
        clientBasic: {
          type: 'http',
          scheme: 'basic',
          description: 'An OAuth client’s id and secret, for the token endpoint only.',
        },
      },
    },
  };
}
