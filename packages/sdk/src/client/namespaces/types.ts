/**
 * The typed call signatures derived from the contract. For every operation:
 * path parameters first (when it has any), then the body (writes) or the
 * query (reads), then per-call options. Lists return a `PageIterable`,
 * everything else an `ApiPromise` of the response type.
 */
import type {
  Operation,
  OperationBody,
  OperationParams,
  OperationQuery,
  OperationResponse,
  Schema,
} from '../../contract/operation.ts';
import type { ApiResult, RequestOptions } from '../core/types.ts';
import type { PageIterable } from '../pagination/pages.ts';

/**
 * A promise of a call's data, with `withResponse()` for the status, request
 * id, replay flag, rate-limit state and raw response of the same call.
 *
 * @example
 * const appointment = await client.appointments.get({ appointmentId });
 * const { data, requestId } = await client.appointments.get({ appointmentId }).withResponse();
 */
export type ApiPromise<T> = Promise<T> & { withResponse(): Promise<ApiResult<T>> };

type ParamsArg<O extends Operation> = O['params'] extends Schema
  ? [params: OperationParams<O>]
  : [];

type PayloadArg<O extends Operation> = O['body'] extends Schema
  ? // A body whose every field is optional may be left out.
    Record<never, never> extends OperationBody<O>
    ? [body?: OperationBody<O>]
    : [body: OperationBody<O>]
  : O['query'] extends Schema
    ? [query?: OperationQuery<O>]
    : [];

/**
 * Arguments of the method for operation `O`.
 *
 * @example
 * type A = OperationArgs<typeof operations.appointments.cancel>;
 * // [params: { appointmentId }, body: { reason: string }, options?: RequestOptions]
 */
export type OperationArgs<O extends Operation> = [
  ...ParamsArg<O>,
  ...PayloadArg<O>,
  options?: RequestOptions,
];

/**
 * The item type of a paginated operation.
 *
 * @example
 * type Item = PageItem<typeof operations.appointments.list>; // Appointment
 */
export type PageItem<O extends Operation> =
  OperationResponse<O> extends { data: (infer I)[] } ? I : never;

/**
 * What the method for operation `O` returns.
 *
 * @example
 * type R = OperationReturn<typeof operations.appointments.list>; // PageIterable<Appointment>
 */
export type OperationReturn<O extends Operation> = O['paginated'] extends true
  ? PageIterable<PageItem<O>>
  : ApiPromise<OperationResponse<O>>;

/**
 * The method for one operation.
 *
 * @example
 * const cancel: OperationMethod<typeof operations.appointments.cancel> = client.appointments.cancel;
 */
export type OperationMethod<O extends Operation> = (
  ...args: OperationArgs<O>
) => OperationReturn<O>;

/**
 * One namespace per resource, one method per operation, mirroring `operations`.
 *
 * @example
 * type AppointmentsApi = Namespaces<typeof operations>['appointments'];
 */
export type Namespaces<Ops> = {
  readonly [R in keyof Ops]: {
    readonly [A in keyof Ops[R]]: Ops[R][A] extends Operation ? OperationMethod<Ops[R][A]> : never;
  };
};
