/**
 * The same-work baseline of the delivery benchmark (bench/delivery-throughput.ts):
 * the bus's backlog drain written by hand, doing the durable work the bus
 * does for each recorded event — the fan-out of the queued event into a
 * pending delivery, a leasing claim (`FOR UPDATE SKIP LOCKED`), a signed
 * POST, and, per batch of 100 finished attempts, one transaction that moves
 * the deliveries on, inserts the attempt rows and appends an audit row per
 * succeeded delivery to the tenant's hash chain — over plain `pg` and
 * undici, with no project code on its hot path but the audit row hash (so
 * the chain verifies). The bus's backlog rate as a ratio of this drain's is
 * what the bus's own code costs; its ratio to the bare POST loop also counts
 * the database work every delivery needs. Run live (`until`), the drain
 * starts before the events are recorded and delivers them as they commit,
 * woken by the producer after each commit or by a poll, as the bus's live case.
 */
import { createHmac, randomUUID } from 'node:crypto';
import pg from 'pg';
import { Agent, request } from 'undici';
import { auditRowHash } from '../src/kernel/audit-chain.ts';
import {
  BENCH_APPLICATION,
  backendCpuMicros,
  backendCpuSince,
  postgresUrl,
} from './delivery-lib.ts';

/** Deliveries held (claimed, not yet recorded) at most, as the bus holds 4 × its concurrency. */
const HELD_MAX = 200;
/** Claim again once this much room opened (a quarter of HELD_MAX, as the bus). */
const CLAIM_ROOM_MIN = 50;
const IN_FLIGHT_MAX = 50;
const RECORD_BATCH = 100;
const LEASE_MS = 60_000;
const TIMEOUT_MS = 15_000;
/** A failed attempt is due again after this long (the bench's receiver never fails). */
const RETRY_AFTER_MS = 60_000;
const WORKER = 'same-work-by-hand';
/** Connections the drain uses at once: the claim loop and the recording. */
const CONNECTIONS_USED = 2;
/** A live drain with nothing queued or due looks again after this long unless woken (the bench's WEBHOOK_POLL_INTERVAL). */
const POLL_MS = 100;

/**
 * Options of {@link sameWorkDrain}.
 *
 * @example
 * const options: SameWorkOptions = { schema: database.schema as string, arrivals };
 */
export interface SameWorkOptions {
  /** Schema of the migrated database whose recorded events are drained. */
  readonly schema: string;
  /** What the receiver saw: webhook-id → arrival time (ms); empty when the drain starts. */
  readonly arrivals: ReadonlyMap<string, number>;
  /** PostgreSQL URL; default {@link postgresUrl}. */
  readonly url?: string;
  /**
   * Live: deliveries to make before stopping, events recorded while the
   * drain runs; without it the drain stops once nothing is queued or due.
   */
  readonly until?: number;
}

/**
 * What one drain measured: deliveries per second up to the last arrival,
 * CPU µs per delivery of this process and of the drain's PostgreSQL
 * backends, and deliveries that arrived.
 *
 * @example
 * const { perSecond, nodeMicros, pgMicros, delivered }: SameWorkResult = await sameWorkDrain(options);
 */
export interface SameWorkResult {
  perSecond: number;
  nodeMicros: number;
  pgMicros: number;
  delivered: number;
}

interface Claimed {
  id: string;
  tenant_id: string;
  event_id: string;
  endpoint_id: string;
  schedule_step: number;
  type: string;
  entity_type: string;
  entity_id: string;
  occurred_at: Date;
  data: unknown;
  url: string;
  secret: string;
}

interface Attempt {
  attemptId: string;
  delivery: Claimed;
  attemptedAt: Date;
  responseStatus: number | null;
  latencyMs: number;
  error: string | null;
  snippet: string | null;
}

const FAN_OUT = `
  with taken as (
    delete from event_queue where event_id in (
      select event_id from event_queue order by sequence limit $1 for update skip locked)
    returning event_id
  ), created as (
    insert into deliveries (id, tenant_id, event_id, endpoint_id, event_type, status,
      attempt_count, schedule_step, next_attempt_at, created_at, updated_at)
    select 'dlv_' || replace(gen_random_uuid()::text, '-', ''), e.tenant_id, e.id, w.id, e.type,
      'pending', 0, 0, $2, $2, $2
    from taken t
    join events e on e.id = t.event_id
    join webhook_endpoints w on w.tenant_id = e.tenant_id and w.enabled
      and (w.event_types ? '*' or w.event_types ? e.type)
    on conflict (endpoint_id, event_id) do nothing
  )
  select count(*)::int as taken from taken`;

const CLAIM = `
  with due as (
    select d.id from deliveries d
    join webhook_endpoints w on w.id = d.endpoint_id and w.enabled
    left join integrations i on i.id = w.integration_id
    where (i.id is null or i.status = 'active') and d.status in ('pending', 'failed')
      and d.next_attempt_at <= $1 and (d.lease_expires_at is null or d.lease_expires_at < $1)
    order by d.next_attempt_at
    limit $2
    for update of d skip locked
  ), claimed as (
    update deliveries d set lease_owner = $3, lease_expires_at = $4
    from due where d.id = due.id
    returning d.id, d.tenant_id, d.event_id, d.endpoint_id, d.schedule_step
  )
  select c.*, e.type, e.entity_type, e.entity_id, e.occurred_at, e.data, w.url, w.secret
  from claimed c
  join webhook_endpoints w on w.id = c.endpoint_id
  join events e on e.id = c.event_id`;

const RECORD = `
  with v as (
    select * from jsonb_to_recordset($1::jsonb) as v(attempt_id text, id text, tenant_id text,
      status text, next_attempt_at timestamptz, attempted_at timestamptz, response_status int,
      latency_ms int, error text, snippet text)
  ), moved as (
    update deliveries d set status = v.status, next_attempt_at = v.next_attempt_at,
      attempt_count = d.attempt_count + 1, last_attempt_at = v.attempted_at,
      updated_at = v.attempted_at, lease_owner = null, lease_expires_at = null
    from v where d.id = v.id and d.lease_owner = $2
    returning d.id
  ), attempts as (
    insert into delivery_attempts (id, delivery_id, tenant_id, attempted_at, response_status,
      latency_ms, error, response_snippet, worker)
    select v.attempt_id, v.id, v.tenant_id, v.attempted_at, v.response_status, v.latency_ms,
      v.error, v.snippet, $2
    from v join moved on moved.id = v.id
  )
  select id from moved`;

const AUDIT_HEAD = 'select seq, previous_hash from audit_chain_next($1)';

const AUDIT_INSERT = `
  insert into audit_events (id, tenant_id, actor_type, actor_id, action, entity_type, entity_id,
    request_id, metadata, occurred_at, chain_seq, hash)
  select r.id, r.tenant_id, 'system', 'delivery', 'delivery.succeeded', 'delivery', r.entity_id,
    null, r.metadata, r.occurred_at, r.chain_seq, r.hash
  from jsonb_to_recordset($1::jsonb) as r(id text, tenant_id text, entity_id text, metadata jsonb,
    occurred_at timestamptz, chain_seq bigint, hash text)`;

const succeeded = (attempt: Attempt) =>
  attempt.responseStatus !== null && attempt.responseStatus >= 200 && attempt.responseStatus < 300;

/** Moves up to `limit` queued events into pending deliveries; resolves to the events taken. */
async function fanOut(pool: pg.Pool, limit: number): Promise<number> {
  const { rows } = await pool.query<{ taken: number }>({
    name: 'same_work_fan_out',
    text: FAN_OUT,
    values: [limit, new Date()],
  });
  return rows[0]?.taken ?? 0;
}

async function claim(pool: pg.Pool, limit: number): Promise<Claimed[]> {
  const now = new Date();
  const { rows } = await pool.query<Claimed>({
    name: 'same_work_claim',
    text: CLAIM,
    values: [now, limit, WORKER, new Date(now.getTime() + LEASE_MS)],
  });
  return rows;
}

const keys = new Map<string, Buffer>();

/** Standard Webhooks `v1` signature: base64 HMAC-SHA256 keyed by the secret after `whsec_`. */
function signature(secret: string, id: string, timestampSeconds: number, body: string): string {
  let key = keys.get(secret);
  if (!key) {
    key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    keys.set(secret, key);
  }
  const mac = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`);
  return `v1,${mac.digest('base64')}`;
}

async function send(agent: Agent, delivery: Claimed): Promise<Attempt> {
  const startedMs = Date.now();
  const body = JSON.stringify({
    id: delivery.event_id,
    type: delivery.type,
    occurredAt: delivery.occurred_at.toISOString(),
    entityType: delivery.entity_type,
    entityId: delivery.entity_id,
    tenantId: delivery.tenant_id,
    data: delivery.data,
  });
  const timestampSeconds = Math.floor(startedMs / 1_000);
  const attempt = {
    attemptId: `att_${randomUUID().replaceAll('-', '')}`,
    delivery,
    attemptedAt: new Date(startedMs),
  };
  try {
    const response = await request(delivery.url, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'webhook-id': delivery.event_id,
        'webhook-timestamp': String(timestampSeconds),
        'webhook-signature': signature(delivery.secret, delivery.event_id, timestampSeconds, body),
      },
      dispatcher: agent,
    });
    const text = await response.body.text();
    const status = response.statusCode;
    return {
      ...attempt,
      responseStatus: status,
      latencyMs: Date.now() - startedMs,
      error: status >= 200 && status < 300 ? null : `HTTP ${status}`,
      snippet: text === '' ? null : text.slice(0, 4_096),
    };
  } catch {
    return {
      ...attempt,
      responseStatus: null,
      latencyMs: Date.now() - startedMs,
      error: 'network error',
      snippet: null,
    };
  }
}

function attemptsJson(batch: readonly Attempt[]): string {
  return JSON.stringify(
    batch.map((a) => ({
      attempt_id: a.attemptId,
      id: a.delivery.id,
      tenant_id: a.delivery.tenant_id,
      status: succeeded(a) ? 'succeeded' : 'failed',
      next_attempt_at: succeeded(a) ? null : new Date(Date.now() + RETRY_AFTER_MS).toISOString(),
      attempted_at: a.attemptedAt.toISOString(),
      response_status: a.responseStatus,
      latency_ms: a.latencyMs,
      error: a.error,
      snippet: a.snippet,
    })),
  );
}

/** Appends one `delivery.succeeded` row per attempt to the tenant's chain (its lock held to COMMIT). */
async function appendAudit(
  client: pg.PoolClient,
  tenantId: string,
  attempts: readonly Attempt[],
): Promise<void> {
  const { rows: heads } = await client.query<{ seq: string; previous_hash: string }>({
    name: 'same_work_audit_head',
    text: AUDIT_HEAD,
    values: [tenantId],
  });
  const head = heads[0];
  if (!head) throw new Error('audit_chain_next returned no row');
  let chainSeq = Number(head.seq);
  let previous = head.previous_hash;
  const rows = attempts.map((a) => {
    const content = {
      chainSeq,
      id: `aud_${randomUUID().replaceAll('-', '')}`,
      tenantId,
      actorType: 'system',
      actorId: 'delivery',
      action: 'delivery.succeeded',
      entityType: 'delivery',
      entityId: a.delivery.id,
      requestId: null,
      metadata: {
        endpointId: a.delivery.endpoint_id,
        attemptId: a.attemptId,
        responseStatus: a.responseStatus,
        scheduleStep: a.delivery.schedule_step,
      },
      occurredAt: a.attemptedAt,
    };
    previous = auditRowHash(previous, content);
    chainSeq++;
    return {
      id: content.id,
      tenant_id: tenantId,
      entity_id: content.entityId,
      metadata: content.metadata,
      occurred_at: content.occurredAt.toISOString(),
      chain_seq: content.chainSeq,
      hash: previous,
    };
  });
  await client.query({
    name: 'same_work_audit_insert',
    text: AUDIT_INSERT,
    values: [JSON.stringify(rows)],
  });
}

/**
 * Records a batch in one transaction: deliveries moved on, attempt rows,
 * audit rows; resolves to the deliveries recorded as succeeded.
 */
async function record(pool: pg.Pool, batch: readonly Attempt[]): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const { rows } = await client.query<{ id: string }>({
      name: 'same_work_record',
      text: RECORD,
      values: [attemptsJson(batch), WORKER],
    });
    const moved = new Set(rows.map((r) => r.id));
    const byTenant = new Map<string, Attempt[]>();
    for (const attempt of batch) {
      if (!succeeded(attempt) || !moved.has(attempt.delivery.id)) continue;
      const list = byTenant.get(attempt.delivery.tenant_id) ?? [];
      list.push(attempt);
      byTenant.set(attempt.delivery.tenant_id, list);
    }
    // Tenant locks in one fixed order, so two batches never wait on each other in a cycle.
    let succeededCount = 0;
    for (const tenantId of [...byTenant.keys()].sort()) {
      const attempts = byTenant.get(tenantId) ?? [];
      await appendAudit(client, tenantId, attempts);
      succeededCount += attempts.length;
    }
    await client.query('commit');
    return succeededCount;
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** A running drain: `wake` hints that events were queued; `done` settles when it stops. */
interface Drain {
  wake: () => void;
  done: Promise<void>;
}

/**
 * Fans out, claims, sends and records, claims flowing while sends run,
 * until no event is queued and no delivery is due or, live (`until`), until
 * `until` deliveries succeeded — waiting meanwhile for a wake-up, a recorded
 * batch or the poll; `done` rejects on a database error.
 */
function drain(pool: pg.Pool, agent: Agent, until?: number): Drain {
  let held = 0;
  let inFlight = 0;
  let delivered = 0;
  let woken = false;
  const toSend: Claimed[] = [];
  const finished: Attempt[] = [];
  let recording = Promise.resolve();
  let flushQueued = false;
  let failure: unknown;
  let nudge = () => {};
  /** Resolves on the next recorded batch or wake-up, or after `timeoutMs` if given. */
  const nudged = (timeoutMs?: number) =>
    new Promise<void>((resolve) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(resolve, timeoutMs);
      nudge = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const flush = async () => {
    while (finished.length > 0) {
      const batch = finished.splice(0, RECORD_BATCH);
      delivered += await record(pool, batch);
      held -= batch.length;
      nudge();
    }
  };
  const queueFlush = (now: boolean) => {
    const run = () => {
      recording = recording.then(flush).catch((error: unknown) => {
        failure ??= error;
        nudge();
      });
    };
    if (now) {
      run();
      return;
    }
    if (flushQueued) return;
    flushQueued = true;
    // Let the attempts finishing in this tick join one batch.
    setImmediate(() => {
      flushQueued = false;
      run();
    });
  };
  const pump = () => {
    while (inFlight < IN_FLIGHT_MAX && toSend.length > 0) {
      const delivery = toSend.shift() as Claimed;
      inFlight++;
      void send(agent, delivery).then((attempt) => {
        inFlight--;
        finished.push(attempt);
        queueFlush(finished.length >= RECORD_BATCH);
        pump();
      });
    }
  };

  const run = async () => {
    let queued = true;
    for (;;) {
      if (failure) throw failure;
      if (HELD_MAX - held < CLAIM_ROOM_MIN) {
        await nudged();
        continue;
      }
      // A wake-up since the last fan-out means events may have been queued since.
      if (queued || woken) {
        woken = false;
        queued = (await fanOut(pool, HELD_MAX)) > 0;
      }
      const rows = await claim(pool, HELD_MAX - held);
      held += rows.length;
      toSend.push(...rows);
      pump();
      if (rows.length > 0 || queued) continue;
      if (until === undefined || delivered >= until) break;
      if (!woken) await nudged(POLL_MS);
      queued = true;
    }
    while (held > 0 && !failure) await nudged();
    if (failure) throw failure;
  };
  return {
    wake: () => {
      woken = true;
      nudge();
    },
    done: run(),
  };
}

/**
 * A hand drain started by {@link startSameWorkDrain}: `wake` tells it that a
 * transaction with events committed (a live drain polls without it, only
 * later); `result` is its measurement once it stopped.
 *
 * @example
 * const { wake, result }: SameWorkDrain = await startSameWorkDrain({ schema, arrivals, until: 30 });
 */
export interface SameWorkDrain {
  wake: () => void;
  result: Promise<SameWorkResult>;
}

/**
 * Starts draining the events of `schema` by hand (see the file header) once
 * its connections are open, and measures the drain from then: rate up to
 * the last arrival at the receiver, and CPU per delivery of this process and
 * of the PostgreSQL backends named {@link BENCH_APPLICATION} (the drain's,
 * and the recording's when it records meanwhile), both up to the last commit.
 * With `until`, events recorded after it started are delivered as they come.
 *
 * @example
 * const drain = await startSameWorkDrain({ schema: database.schema as string, arrivals, until: 30 });
 * await recordEvents(db, tenantId, 30, 5, drain.wake);
 * const { perSecond } = await drain.result;
 */
export async function startSameWorkDrain(options: SameWorkOptions): Promise<SameWorkDrain> {
  const pool = new pg.Pool({
    connectionString: options.url ?? postgresUrl,
    max: 10,
    application_name: BENCH_APPLICATION,
    options: `-c search_path=${options.schema}`,
  });
  const agent = new Agent({
    connections: IN_FLIGHT_MAX,
    keepAliveTimeout: 30_000,
    headersTimeout: TIMEOUT_MS,
    bodyTimeout: TIMEOUT_MS,
  });
  const close = async () => {
    await agent.close();
    await pool.end();
  };
  // Connect first: a backend's start-up is not the drain's work.
  await Promise.all(Array.from({ length: CONNECTIONS_USED }, () => pool.query('select 1'))).catch(
    async (error: unknown) => {
      await close();
      throw error;
    },
  );
  const pgBefore = await backendCpuMicros();
  const nodeBefore = process.cpuUsage();
  const startedMs = Date.now();
  const { wake, done } = drain(pool, agent, options.until);
  const measured = async (): Promise<SameWorkResult> => {
    const node = process.cpuUsage(nodeBefore);
    const pgUsed = backendCpuSince(pgBefore, await backendCpuMicros());
    const delivered = options.arrivals.size;
    const lastArrivalMs = Math.max(...options.arrivals.values());
    return {
      perSecond: (delivered / (lastArrivalMs - startedMs)) * 1_000,
      nodeMicros: (node.user + node.system) / delivered,
      pgMicros: pgUsed / delivered,
      delivered,
    };
  };
  return { wake, result: done.then(measured).finally(close) };
}

/**
 * Drains the recorded events of `schema` by hand and measures the drain, as
 * {@link startSameWorkDrain} (the backlog case: no `until`, nothing to wake).
 *
 * @example
 * arrivals.clear();
 * const { perSecond, pgMicros } = await sameWorkDrain({ schema: database.schema as string, arrivals });
 */
export async function sameWorkDrain(options: SameWorkOptions): Promise<SameWorkResult> {
  return (await startSameWorkDrain(options)).result;
}
