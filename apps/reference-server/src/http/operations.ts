/**
 * Registers every contract operation on the app with one request pipeline:
 * authenticate → scope → rate limit (`guard.ts`) → (no handler: 501) → read body within
 * the limit → validate params, query and body → for writes: one
 * transaction that looks up and locks the idempotency key, runs the handler
 * and stores the response → respond. An idempotent write may authenticate
 * its API key from the in-process cache (auth/authenticate.ts): its first
 * statement, the key's lookup, confirms the cached key unchanged, and a
 * changed one rolls back and is authenticated afresh. The handler's last
 * audit row and event are written by the statement that stores the response
 * (kernel/held-change.ts): a booking is six round trips (key lookup, BEGIN,
 * idempotency lookup, the insert, the store, COMMIT), five with a cached key.
 * On PostgreSQL an idempotent write whose handler has a plan
 * (kernel/one-statement-write.ts) runs as one prepared statement instead:
 * one round trip with a cached key, two without; what does not fit that
 * statement runs the transaction. Operations without a handler answer 501
 * `not_implemented` after authentication, so the surface is complete from
 * the first day and a feature only adds handlers.
 */
import { listOperations, type Operation } from '@clinicbridge/sdk/contract';
import type { Context, Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { Authenticator } from '../auth/authenticate.ts';
import type { RunPrepared } from '../db/prepared.ts';
import type { DB } from '../db/schema.ts';
import { parseJsonBody, readBodyText } from '../kernel/body.ts';
import type { EventHint } from '../kernel/event-hint.ts';
import type { HandlerMap, OperationHandler } from '../kernel/handlers.ts';
import { holdChanges, writeHeldChange } from '../kernel/held-change.ts';
import {
  type IdempotentRequest,
  type KeyLookup,
  lookUpIdempotencyKey,
  readIdempotencyKey,
  requestFingerprint,
  StaleCachedKey,
  storeIdempotentResponse,
} from '../kernel/idempotency.ts';
import { writeInOneStatement } from '../kernel/one-statement-write.ts';
import { ApiError } from '../kernel/problem.ts';
import { withoutShownOnce } from '../kernel/shown-once.ts';
import type { AppEnv, AuthContext } from './context.ts';
import { guardRequest } from './guard.ts';
import type { RateLimits } from './rate-limit.ts';
import { validate } from './validate.ts';

/**
 * What the pipeline needs.
 *
 * @example
 * registerOperations(app, { db, authenticator, rateLimiter, bodyLimit: 1_048_576, now: () => new Date() }, handlers);
 */
export interface PipelineDeps {
  db: Kysely<DB>;
  authenticator: Authenticator;
  rateLimiter: RateLimits;
  bodyLimit: number;
  now: () => Date;
  /** PostgreSQL's named prepared statements: idempotent writes with a plan run as one. */
  prepared?: RunPrepared | undefined;
  /** The events' wake-up hint of this process's idempotent writes (kernel/event-hint.ts). */
  eventHint: EventHint;
}

/**
 * Header that marks a response replayed from an idempotency key.
 *
 * @example
 * if (res.headers.get(REPLAY_HEADER) === 'true') console.log('replayed');
 */
export const REPLAY_HEADER = 'Idempotency-Replayed';

/**
 * What an `Idempotency-Key` may be: 1–255 printable ASCII characters.
 *
 * @example
 * IDEMPOTENCY_KEY.test('7c1e0d2a-book-ada'); // true
 */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * Hono path of a contract path: `{id}` becomes `:id`.
 *
 * @example
 * honoPath('/api/v1/appointments/{appointmentId}'); // '/api/v1/appointments/:appointmentId'
 */
export function honoPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

/**
 * Registers every operation of the contract; `handlers` maps operation ids to implementations.
 *
 * @example
 * registerOperations(app, deps, { ...appointmentHandlers, ...patientHandlers });
 */
export function registerOperations(app: Hono<AppEnv>, deps: PipelineDeps, handlers: HandlerMap) {
  for (const operation of listOperations()) {
    const path = honoPath(operation.path);
    const handler = handlers[operation.id];
    app.on(operation.method, path, async (c) => {
      c.set('routeTemplate', path);
      return runOperation(c, deps, operation, handler);
    });
  }
}

async function runOperation(
  c: Context<AppEnv>,
  deps: PipelineDeps,
  operation: Operation,
  handler: OperationHandler | undefined,
): Promise<Response> {
  // An idempotent write confirms a cached API key in its first statement (runWrite).
  const cachedKey = operation.write && IDEMPOTENCY_KEY.test(c.req.header('idempotency-key') ?? '');
  const auth = await guardRequest(c, deps, operation.scope, { cachedKey });
  if (!handler) {
    throw new ApiError('not_implemented', `${operation.id} is not available on this server yet.`);
  }

  const text = await readBodyText(c, deps.bodyLimit);
  const json = parseJsonBody(c, text);
  const params = operation.params ? validate(operation.params, 'params', c.req.param()) : undefined;
  const query = operation.query ? validate(operation.query, 'query', queryObject(c)) : undefined;
  let body: unknown;
  if (operation.body) body = validate(operation.body, 'body', json ?? {});
  else if (json !== undefined && !isEmptyObject(json)) {
    throw new ApiError('validation_failed', `${operation.id} takes no request body.`);
  }
  if (!operation.query && new URL(c.req.url).search.length > 1) {
    throw new ApiError('validation_failed', `${operation.id} takes no query parameters.`);
  }

  const base = { params, query, body, auth, requestId: c.get('requestId') };
  if (!operation.write) {
    const result = await handler({ ...base, db: deps.db, now: deps.now() } as never);
    return respond(c, operation, result);
  }
  try {
    return await runWrite(c, deps, operation, handler, base, auth);
  } catch (error) {
    if (!(error instanceof StaleCachedKey)) throw error;
    // The key changed since it was cached: nothing was written; authenticate afresh and run once more.
    deps.authenticator.apiKeys?.delete(error.keyHash);
    const fresh = await guardRequest(c, deps, operation.scope);
    return runWrite(c, deps, operation, handler, { ...base, auth: fresh }, fresh);
  }
}

/**
 * Runs a write the way the pipeline does, for a route that reads its own body (a multipart
 * form): one transaction, and with an `Idempotency-Key` the key's lookup, lock and stored answer.
 *
 * @example
 * return runWrite(c, { db, now, eventHint }, operations.imports.create, handler, { body, auth, requestId }, auth);
 */
export async function runWrite(
  c: Context<AppEnv>,
  deps: Pick<PipelineDeps, 'db' | 'now' | 'prepared' | 'eventHint'>,
  operation: Operation,
  handler: OperationHandler,
  base: Record<string, unknown>,
  auth: AuthContext,
): Promise<Response> {
  const key = c.req.header('idempotency-key');
  const now = deps.now();
  if (key === undefined) {
    // Without a key the write still runs in one transaction, but a retry is a new write.
    const result = await deps.db.transaction().execute(async (trx) => {
      holdChanges(trx);
      const value = await handler({ ...base, db: trx, now } as never);
      await writeHeldChange(trx);
      return value;
    });
    return respond(c, operation, result);
  }
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new ApiError(
      'invalid_request',
      'Idempotency-Key must be 1–255 printable ASCII characters, unique per intended change.',
    );
  }
  const request: IdempotentRequest = {
    tenantId: auth.tenantId,
    credentialId: auth.credentialId,
    key,
    operationId: operation.id,
    fingerprint: requestFingerprint(operation.id, base.params, base.body),
  };
  // Alone, the write NOTIFYs in its own commit; beside others, after it (kernel/event-hint.ts).
  const deferEventHint = deps.eventHint.enter();
  let committed = false;
  try {
    const outcome = await writeIdempotently(deps, operation, handler, base, request, {
      now,
      deferEventHint,
      cachedKey: auth.cachedKey,
    });
    if (outcome.kind !== 'done') return answerKnownKey(c, outcome);
    committed = true;
    return respond(c, operation, outcome.value);
  } finally {
    deps.eventHint.leave(deferEventHint && committed);
  }
}

/**
 * The idempotent write itself. On PostgreSQL, a handler with a plan runs as
 * one statement: the key's lookup, the write, its audit row and event, the
 * stored response. Otherwise, or when that statement does not fit, one
 * transaction looks the key up (and locks it), runs the handler and stores
 * the response; a key that is already answered ends it with nothing written.
 */
async function writeIdempotently(
  deps: Pick<PipelineDeps, 'db' | 'prepared'>,
  operation: Operation,
  handler: OperationHandler,
  base: Record<string, unknown>,
  request: IdempotentRequest,
  options: {
    now: Date;
    deferEventHint: boolean;
    cachedKey: AuthContext['cachedKey'];
  },
): Promise<{ kind: 'done'; value: unknown } | Exclude<KeyLookup, { kind: 'new' }>> {
  const { now } = options;
  const plan = deps.prepared ? handler.plan?.({ ...base, now } as never) : undefined;
  if (deps.prepared && plan) {
    const response = {
      status: operation.status,
      body: withoutShownOnce(plan.result, operation.shownOnce),
    };
    const outcome = await writeInOneStatement(deps.prepared, request, plan, response, now, options);
    if (outcome.kind === 'done') return { kind: 'done', value: plan.result };
    if (outcome.kind !== 'fallback') return outcome;
  }
  return deps.db
    .transaction()
    .execute(async (trx) => {
      const found = await lookUpIdempotencyKey(trx, request, now, options);
      if (found.kind !== 'new') return found;
      // The handler's last change is written with the stored response, in one statement.
      holdChanges(trx);
      const value = await handler({ ...base, db: trx, now } as never);
      // A secret shown once is answered now and never stored: a replay says so instead.
      const stored = withoutShownOnce(value, operation.shownOnce);
      if (!(await storeIdempotentResponse(trx, request, operation.status, stored, now))) {
        throw new LostKeyRace();
      }
      return { kind: 'done' as const, value };
    })
    .catch(async (error: unknown) => {
      // A duplicate committed while this request ran: its work rolled back;
      // answer as the winner's duplicate would be answered.
      if (error instanceof LostKeyRace) return readIdempotencyKey(deps.db, request, now);
      throw error;
    });
}

/** Rolls back a write whose key another transaction stored first. */
class LostKeyRace extends Error {
  override readonly name = 'LostKeyRace';
}

function answerKnownKey(c: Context<AppEnv>, found: Exclude<KeyLookup, { kind: 'new' }>): Response {
  if (found.kind === 'other_credential') {
    throw new ApiError(
      'idempotency_key_credential_mismatch',
      'This Idempotency-Key was used by another credential of the tenant; send your own request with a key of your own.',
    );
  }
  if (found.kind === 'mismatch') {
    throw new ApiError(
      'idempotency_key_reused',
      'This Idempotency-Key was used for a different request; use a new key for a new request.',
    );
  }
  if (found.kind === 'in_flight') {
    throw new ApiError(
      'idempotency_in_flight',
      'A request with this Idempotency-Key is still being processed; retry shortly.',
      { headers: { 'Retry-After': '1' } },
    );
  }
  c.header(REPLAY_HEADER, 'true');
  return found.status === 204
    ? c.body(null, 204)
    : c.json(found.body as object, found.status as 200);
}

function respond(c: Context<AppEnv>, operation: Operation, result: unknown): Response {
  if (operation.status === 204) return c.body(null, 204);
  return c.json(result as object, operation.status);
}

function queryObject(c: Context): Record<string, string> {
  const all = c.req.queries();
  const out: Record<string, string> = {};
  for (const [name, values] of Object.entries(all)) {
    if (values.length > 1) {
      throw new ApiError('validation_failed', `Query parameter "${name}" is given more than once.`);
    }
    const value = values[0];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function isEmptyObject(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.keys(value).length === 0
  );
}
