/**
 * What every API operation can answer besides its success: one response
 * component per problem status (its `code`s taken from the contract's
 * error table, so a new code shows up by itself), and the response headers
 * the server really sends: the request id everywhere, the RateLimit fields
 * once a caller is authenticated, `Retry-After` when asked to wait, and
 * `Idempotency-Replayed` on a replayed write.
 */
import { type ErrorCode, errorCodes, type Operation } from '@clinicbridge/sdk/contract';
import { IDEMPOTENCY_KEY, REPLAY_HEADER } from '../http/operations.ts';
import { REQUEST_ID_PATTERN } from '../http/request-id.ts';
import { type JsonObject, schemaRef } from './components.ts';

const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` });
const responseRef = (name: string) => ({ $ref: `#/components/responses/${name}` });

/**
 * `components.headers`: the response headers, described once.
 *
 * @example
 * responseHeaders['Retry-After'].schema; // { type: 'integer', minimum: 0, maximum: 86400 }
 */
export const responseHeaders = {
  'X-Request-Id': {
    description:
      'Id of this request (the caller’s own `X-Request-Id` when it was acceptable); quote it when reporting a problem.',
    schema: { type: 'string', pattern: REQUEST_ID_PATTERN.source },
  },
  RateLimit: {
    description:
      'Requests left in the current window and seconds until it resets (IETF RateLimit fields), e.g. `"standard";r=599;t=60`.',
    schema: { type: 'string', maxLength: 200 },
  },
  'RateLimit-Policy': {
    description: 'The quota of the credential’s tier per window, e.g. `"standard";q=600;w=60`.',
    schema: { type: 'string', maxLength: 200 },
  },
  'Retry-After': {
    description: 'Seconds to wait before sending the request again.',
    schema: { type: 'integer', minimum: 0, maximum: 86_400 },
  },
  [REPLAY_HEADER]: {
    description:
      'Present on a write answered from the stored response of an earlier request with the same `Idempotency-Key`.',
    schema: { type: 'string', enum: ['true'] },
  },
  Allow: {
    description: 'The methods this path does accept.',
    schema: { type: 'string', maxLength: 100 },
  },
} as const;

/**
 * `components.parameters`: the request headers every operation (or every write) takes.
 *
 * @example
 * requestHeaderParameters.IdempotencyKey.required; // false
 */
export const requestHeaderParameters = {
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      'Unique per intended change. A retry with the same key and body replays the stored response ' +
      '(marked `Idempotency-Replayed: true`); the same key with another body is refused (422), and ' +
      'while the first request is still running a duplicate gets 409 with `Retry-After`. Without a ' +
      'key the write still runs, but a retry is a new write: send one with every write you may retry.',
    schema: { type: 'string', pattern: IDEMPOTENCY_KEY.source },
  },
  RequestId: {
    name: 'X-Request-Id',
    in: 'header',
    required: false,
    description:
      'Your own id for this request, kept in the server’s logs and echoed back; another is made when it is absent or unacceptable.',
    schema: { type: 'string', maxLength: 1024 },
  },
} as const;

/** Problem responses by status: component name and what they mean. */
const problemStatuses = {
  400: ['BadRequest', 'The request is malformed or fails validation (see `errors`).'],
  401: ['Unauthorized', 'No credential, or one that is invalid, expired or revoked.'],
  403: [
    'Forbidden',
    'The credential lacks the scope, calls from an address it is not allowed, or belongs to a paused or deprecated integration.',
  ],
  404: ['NotFound', 'No such resource in this tenant.'],
  405: ['MethodNotAllowed', 'The path exists, but not with this method; see `Allow`.'],
  409: ['Conflict', 'The resource’s state forbids it, or a request with this key is in flight.'],
  413: ['PayloadTooLarge', 'The request body is over the server’s limit.'],
  415: ['UnsupportedMediaType', 'A request body that is not `application/json`.'],
  422: ['Unprocessable', 'Valid, but refused by a business rule, or an Idempotency-Key reused.'],
  429: ['TooManyRequests', 'Over the credential’s rate limit; wait `Retry-After` seconds.'],
  500: ['InternalError', 'An unexpected failure; quote the request id.'],
  501: ['NotImplemented', 'This server does not run the feature that answers this operation.'],
  503: ['ServiceUnavailable', 'The database is unreachable or the server is shutting down.'],
} as const satisfies Record<number, readonly [string, string]>;

type ProblemStatus = keyof typeof problemStatuses;

const codesOf = (status: number) =>
  (Object.entries(errorCodes) as [ErrorCode, number][])
    .filter(([, s]) => s === status)
    .map(([code]) => code);

const rateLimitHeaders = {
  RateLimit: headerRef('RateLimit'),
  'RateLimit-Policy': headerRef('RateLimit-Policy'),
};

function problemResponse(status: ProblemStatus): JsonObject {
  const [, description] = problemStatuses[status];
  const codes = codesOf(status);
  const headers: JsonObject = { 'X-Request-Id': headerRef('X-Request-Id') };
  if (status === 429) Object.assign(headers, rateLimitHeaders);
  if (status === 409 || status === 429 || status === 503) {
    headers['Retry-After'] = headerRef('Retry-After');
  }
  if (status === 405) headers.Allow = headerRef('Allow');
  return {
    description: `${description} Codes: ${codes.map((c) => `\`${c}\``).join(', ')}.`,
    headers,
    content: {
      'application/problem+json': {
        schema: {
          allOf: [schemaRef('Problem')],
          properties: { status: { const: status }, code: { enum: codes } },
        },
      },
    },
  };
}

/**
 * `components.responses`: one problem response per status the API answers with.
 *
 * @example
 * problemResponses().NotFound.content['application/problem+json'];
 */
export function problemResponses(): Record<string, JsonObject> {
  return Object.fromEntries(
    Object.entries(problemStatuses).map(([status, [name]]) => [
      name,
      problemResponse(Number(status) as ProblemStatus),
    ]),
  );
}

// Every API operation: the pipeline reads and checks a body, authenticates,
// checks scope and rate, and may find its feature absent or its database down.
const everyOperation: ProblemStatus[] = [400, 401, 403, 404, 413, 415, 429, 500, 501, 503];
// Writes also meet state conflicts, idempotency conflicts and business rules.
const writesOnly: ProblemStatus[] = [409, 422];

/**
 * The `responses` of an API operation: its success (with `content` when it
 * has a body) and a `$ref` per problem status it can answer.
 *
 * @example
 * operationResponses(operations.patients.get, { $ref: '#/components/schemas/Patient' });
 */
export function operationResponses(
  operation: Operation,
  body: { $ref: string } | undefined,
): JsonObject {
  const headers: JsonObject = { 'X-Request-Id': headerRef('X-Request-Id'), ...rateLimitHeaders };
  if (operation.write) headers[REPLAY_HEADER] = headerRef(REPLAY_HEADER);
  const success: JsonObject = {
    description: body ? operation.summary : `${operation.summary}: done, no body.`,
    headers,
    ...(body ? { content: { 'application/json': { schema: body } } } : {}),
  };
  const statuses = [...everyOperation, ...(operation.write ? writesOnly : [])].sort();
  return {
    [operation.status]: success,
    ...Object.fromEntries(
      statuses.map((status) => [status, responseRef(problemStatuses[status][0])]),
    ),
  };
}

/**
 * A problem response component's `$ref` by status.
 *
 * @example
 * problemRef(404); // { $ref: '#/components/responses/NotFound' }
 */
export const problemRef = (status: ProblemStatus) => responseRef(problemStatuses[status][0]);

/**
 * A response header's `$ref`.
 *
 * @example
 * responseHeaderRef('X-Request-Id');
 */
export const responseHeaderRef = (name: keyof typeof responseHeaders) => headerRef(name);
