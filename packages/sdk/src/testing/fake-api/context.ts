/**
 * What a resource handler receives and returns. Inputs are already
 * authenticated, authorised and validated, and typed from the operation's
 * schemas; the result is typed against the operation's response schema, so
 * the fake API cannot drift from the contract without a type error.
 */
import type * as z from 'zod/mini';
import type {
  EventData,
  EventEnvelope,
  EventType,
  Operation,
  Schema,
} from '../../contract/index.ts';
import type { Caller } from './auth.ts';
import type { TenantState } from './tenant-state.ts';
import type { FakeWorld } from './world.ts';

type Out<S> = S extends Schema ? z.output<S> : undefined;

/**
 * The context of one request to one operation.
 *
 * @example
 * defineHandler(operations.visits.get, (ctx: OperationContext<typeof operations.visits.get>) => ({ body: findOr404(ctx.tenant.visits, ctx.params.visitId, 'visit') }));
 */
export interface OperationContext<O extends Operation> {
  readonly op: O;
  readonly params: Out<O['params']>;
  readonly query: Out<O['query']>;
  readonly body: Out<O['body']>;
  readonly tenant: TenantState;
  readonly caller: Caller;
  readonly requestId: string;
  /** The fake clock's time of this request, ISO 8601. */
  readonly now: string;
  readonly world: FakeWorld;
  /** Records a catalogue event (and its deliveries) for this write. */
  emit<T extends EventType>(
    type: T,
    entity: { type: string; id: string },
    data: EventData<T>,
    options?: { endpointId?: string },
  ): EventEnvelope;
}

/**
 * A handler's answer: the body (typed by the contract) and, rarely, a status other than the operation's.
 *
 * @example
 * const result: OperationResult<typeof operations.exports.create> = { body: job, status: 202 };
 */
export interface OperationResult<O extends Operation> {
  readonly body: Out<O['response']>;
  readonly status?: number;
}

/**
 * A handler bound to its operation, as the router stores it.
 *
 * @example
 * const handlers: BoundHandler[] = [defineHandler(operations.visits.get, getVisit)];
 */
export interface BoundHandler {
  readonly op: Operation;
  readonly run: (ctx: OperationContext<Operation>) => OperationResult<Operation>;
}

/**
 * Binds a handler to an operation, typing its context and result from the contract.
 *
 * @example
 * const getPatient = defineHandler(operations.patients.get, (ctx) => ({ body: findPatient(ctx) }));
 */
export function defineHandler<O extends Operation>(
  op: O,
  run: (ctx: OperationContext<O>) => OperationResult<O>,
): BoundHandler {
  return { op, run: run as unknown as BoundHandler['run'] };
}
