/**
 * The shape of one API operation. The server routes, validates, authorises
 * and documents from it; the client builds its typed methods from it.
 */
import type * as z from 'zod/mini';
import type { Scope } from './scopes.ts';

/**
 * HTTP method of an operation.
 *
 * @example
 * const method: HttpMethod = operations.appointments.cancel.method; // 'POST'
 */
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/**
 * Any zod schema (classic or mini).
 *
 * @example
 * const body: Schema | undefined = appointmentsCreate.body;
 */
export type Schema = z.core.$ZodType;

/**
 * One operation of the API contract.
 *
 * @example
 * const op: Operation = operations.appointments.get; console.log(op.method, op.path, op.scope);
 */
export interface Operation {
  /** Stable id, `<resource>.<action>`, e.g. `appointments.cancel`. */
  readonly id: string;
  readonly method: HttpMethod;
  /** Path under the API root with `{param}` placeholders, e.g. `/api/v1/appointments/{appointmentId}`. */
  readonly path: string;
  readonly summary: string;
  /** The scope a caller must hold. */
  readonly scope: Scope;
  /** Writes carry an `Idempotency-Key` and are replayed from the stored response. */
  readonly write: boolean;
  /** Status of a successful response. */
  readonly status: 200 | 201 | 202 | 204;
  readonly params?: Schema;
  readonly query?: Schema;
  readonly body?: Schema;
  /** Response body schema; absent for 204. */
  readonly response?: Schema;
  /** True when `query` holds `limit`/`cursor` and the response is a page. */
  readonly paginated?: boolean;
  /**
   * Top-level response fields holding a secret shown once (a new API key, a
   * signing secret). The server never stores them: a replay of the stored
   * response (same `Idempotency-Key`) comes without them and with
   * `secretShownOnce: true`.
   */
  readonly shownOnce?: readonly string[];
}

/**
 * Declares an operation, keeping its literal types for inference.
 *
 * @example
 * const getThing = defineOperation({ id: 'things.get', method: 'GET', path: '/api/v1/things/{thingId}', summary: 'Get a thing', scope: 'read:events', write: false, status: 200, response: thing });
 */
export function defineOperation<const O extends Operation>(operation: O): O {
  return operation;
}

type Out<S> = S extends Schema ? z.output<S> : never;
type In<S> = S extends Schema ? z.input<S> : never;

/**
 * Parsed path parameters of an operation.
 *
 * @example
 * type P = OperationParams<typeof appointmentsGet>; // { appointmentId: `apt_${string}` }
 */
export type OperationParams<O extends Operation> = O['params'] extends Schema
  ? Out<O['params']>
  : undefined;
/**
 * Query input (before coercion) of an operation.
 *
 * @example
 * type Q = OperationQuery<typeof appointmentsList>; // { limit?, cursor?, patientId?, status?, startsAfter?, startsBefore? }
 */
export type OperationQuery<O extends Operation> = O['query'] extends Schema
  ? In<O['query']>
  : undefined;
/**
 * Request body input of an operation.
 *
 * @example
 * type B = OperationBody<typeof appointmentsCancel>; // { reason: string }
 */
export type OperationBody<O extends Operation> = O['body'] extends Schema
  ? In<O['body']>
  : undefined;
/**
 * Response body of an operation (`undefined` for 204).
 *
 * @example
 * type R = OperationResponse<typeof appointmentsGet>; // Appointment
 */
export type OperationResponse<O extends Operation> = O['response'] extends Schema
  ? Out<O['response']>
  : undefined;

/**
 * Fills `{param}` placeholders of a path, URI-encoding each value.
 *
 * @example
 * buildPath('/api/v1/appointments/{appointmentId}', { appointmentId: 'apt_x' }); // '/api/v1/appointments/apt_x'
 */
export function buildPath(path: string, params: Record<string, string> | undefined): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined) throw new TypeError(`missing path parameter "${name}"`);
    return encodeURIComponent(value);
  });
}
