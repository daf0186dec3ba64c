/**
 * How a feature implements contract operations: a handler per operation
 * id, typed from the contract. Handlers hold no SQL and no HTTP: they turn
 * validated input into a service call. For writes, `db` is the request's
 * transaction, which also holds the audit row, the outbox event and the
 * stored idempotent response.
 */
import type {
  Operation,
  OperationParams,
  OperationResponse,
  Schema,
} from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type * as z from 'zod/mini';
import type { DB } from '../db/schema.ts';
import type { AuthContext } from './caller.ts';
import type { ChangeContext } from './change.ts';
import type { PlannedWrite } from './one-statement-write.ts';

type Parsed<S> = S extends Schema ? z.output<S> : undefined;

/**
 * Everything a handler gets.
 *
 * @example
 * const get = (ctx: HandlerContext<typeof operations.visits.get>) => requireVisit(ctx.db, ctx.auth.tenantId, ctx.params.visitId);
 */
export interface HandlerContext<O extends Operation = Operation> {
  params: OperationParams<O>;
  query: Parsed<O['query']>;
  body: Parsed<O['body']>;
  auth: AuthContext;
  requestId: string;
  /** The transaction for writes; the database for reads. */
  db: Kysely<DB>;
  now: Date;
}

/**
 * Implements one operation; returns the response body (undefined for 204).
 * A write may also carry a `plan` ({@link withWritePlan}).
 *
 * @example
 * const list: OperationHandler<typeof operations.visits.list> = (ctx) => listVisits(ctx.db, ctx.auth.tenantId, ctx.query);
 */
export type OperationHandler<O extends Operation = Operation> = ((
  ctx: HandlerContext<O>,
) => Promise<OperationResponse<O>>) & { readonly plan?: WritePlanner<O> };

/**
 * Describes a write instead of running it, for the one-statement path of
 * idempotent writes on PostgreSQL (./one-statement-write.ts); undefined
 * when this request does not fit (the handler then runs in a transaction).
 *
 * @example
 * const plan: WritePlanner<typeof operations.appointments.create> = (ctx) => planAppointment(changeOf(ctx), ctx.body);
 */
export type WritePlanner<O extends Operation = Operation> = (
  ctx: Omit<HandlerContext<O>, 'db'>,
) => PlannedWrite | undefined;

/**
 * A write handler with its plan: the same work described as one statement.
 * Both must have the same effect; the plan runs only on PostgreSQL with an
 * `Idempotency-Key`, the handler everywhere else.
 *
 * @example
 * create: withWritePlan<typeof operations.appointments.create>(
 *   (ctx) => createAppointment(ctx.db, changeOf(ctx), ctx.body),
 *   (ctx) => planAppointment(changeOf(ctx), ctx.body),
 * ),
 */
export function withWritePlan<O extends Operation>(
  handler: (ctx: HandlerContext<O>) => Promise<OperationResponse<O>>,
  plan: WritePlanner<O>,
): OperationHandler<O> {
  return Object.assign((ctx: HandlerContext<O>) => handler(ctx), { plan });
}

/**
 * Handlers by operation id (`appointments.cancel`).
 *
 * @example
 * const handlers: HandlerMap = { ...appointmentHandlers, ...visitHandlers };
 */
export type HandlerMap = Record<string, OperationHandler>;

/**
 * Declares handlers for a group of operations, typed per operation.
 *
 * @example
 * export const appointmentHandlers = defineHandlers(operations.appointments, {
 *   get: ({ db, auth, params }) => getAppointment(db, auth.tenantId, params.appointmentId),
 * });
 */
export function defineHandlers<G extends Record<string, Operation>>(
  group: G,
  handlers: { [K in keyof G]?: OperationHandler<G[K]> },
): HandlerMap {
  const map: HandlerMap = {};
  for (const [name, handler] of Object.entries(handlers)) {
    const operation = group[name];
    if (operation && handler) map[operation.id] = handler as unknown as OperationHandler;
  }
  return map;
}

/**
 * The change context of a handler call, for write services.
 *
 * @example
 * create: (ctx) => createAppointment(ctx.db, changeOf(ctx), ctx.body),
 */
export function changeOf(ctx: { auth: AuthContext; requestId: string; now: Date }): ChangeContext {
  return {
    tenantId: ctx.auth.tenantId,
    actor: ctx.auth.actor,
    requestId: ctx.requestId,
    now: ctx.now,
  };
}
