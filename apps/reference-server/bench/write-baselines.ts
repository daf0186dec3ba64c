/**
 * The same-work baselines of the write benchmark (bench/write.ts): what an
 * authenticated, idempotent `POST /api/v1/appointments` asks of the
 * database — API-key lookup, the idempotency key looked up under its lock,
 * the patient check, the appointment, the audit row extending the tenant's
 * hash chain under the chain lock, the outbox event, the stored response,
 * one durable commit — written by hand against the server's own tables (the
 * schema comes from the server's migrations, so the baselines cannot drift).
 *
 * - `statements`: the same statements one by one over `pg` (or PGlite: the
 *   PGlite ceiling), in one transaction.
 * - `oneStatement`: the whole write as one prepared data-modifying CTE. The
 *   audit chain head is read by a VOLATILE function after it takes the chain
 *   lock, so it sees the last committed row (a CTE's own snapshot predates
 *   the lock); the hash is computed in SQL.
 */
import { createHash } from 'node:crypto';
import { newId } from '@clinicbridge/sdk/contract';
import { AUDIT_GENESIS_HASH, auditRowHash } from '../src/kernel/audit-chain.ts';
import { requestFingerprint } from '../src/kernel/idempotency.ts';

/**
 * Runs one SQL statement; returns its rows.
 *
 * @example
 * const run: Query = (text, values) => pool.query(text, values).then((r) => r.rows);
 */
export type Query = (
  text: string,
  values: unknown[],
  name?: string,
) => Promise<Record<string, unknown>[]>;

/**
 * One write's input as the HTTP route received it.
 *
 * @example
 * const input: WriteInput = { apiKey, idempotencyKey: 'k-1', body: { patientId, service, startsAt, endsAt } };
 */
export interface WriteInput {
  apiKey: string;
  idempotencyKey: string;
  body: { patientId: string; service: string; startsAt: string; endsAt: string };
}

/** Outcome: the 201 body, or the status a known key or a bad input gets. */
export type WriteOutcome = { status: 201; body: unknown } | { status: 401 | 404 | 409 };

function appointmentOf(id: string, input: WriteInput, now: Date) {
  return {
    id,
    patientId: input.body.patientId,
    service: input.body.service,
    clinicianRef: null,
    location: null,
    startsAt: new Date(input.body.startsAt).toISOString(),
    endsAt: new Date(input.body.endsAt).toISOString(),
    status: 'scheduled',
    cancellationReason: null,
    notes: null,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
}

function eventDataOf(id: string, input: WriteInput) {
  return {
    appointmentId: id,
    patientId: input.body.patientId,
    status: 'scheduled',
    startsAt: new Date(input.body.startsAt).toISOString(),
    endsAt: new Date(input.body.endsAt).toISOString(),
  };
}

const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The write as separate statements in one transaction (BEGIN … COMMIT):
 * 11 round trips, 9 of them the work itself.
 *
 * @example
 * const outcome = await writeWithStatements(run, input, new Date());
 */
export async function writeWithStatements(
  run: Query,
  input: WriteInput,
  now: Date,
): Promise<WriteOutcome> {
  const [key] = await run(
    `select id, tenant_id, scopes from api_keys where key_hash = $1 and status = 'active'`,
    [hashKey(input.apiKey)],
  );
  if (!key) return { status: 401 };
  const tenantId = key.tenant_id as string;
  const fingerprint = requestFingerprint('appointments.create', {}, input.body);
  await run('begin', []);
  try {
    const [found] = await run(
      `select l.locked, k.fingerprint from (select pg_try_advisory_xact_lock(hashtextextended($1, 0)) as locked) l
       left join idempotency_keys k on k.tenant_id = $2 and k.key = $3 and k.expires_at > $4`,
      [`${tenantId}\n${input.idempotencyKey}`, tenantId, input.idempotencyKey, now],
    );
    if (!found?.locked || found.fingerprint !== null) {
      await run('rollback', []);
      return { status: 409 };
    }
    const [patient] = await run('select id from patients where tenant_id = $1 and id = $2', [
      tenantId,
      input.body.patientId,
    ]);
    if (!patient) {
      await run('rollback', []);
      return { status: 404 };
    }
    const id = newId('apt');
    await run(
      `insert into appointments (id, tenant_id, patient_id, service, starts_at, ends_at, status, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, 'scheduled', $7, $7)`,
      [
        id,
        tenantId,
        input.body.patientId,
        input.body.service,
        input.body.startsAt,
        input.body.endsAt,
        now,
      ],
    );
    await run('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`audit_chain:${tenantId}`]);
    const [head] = await run(
      'select chain_seq, hash from audit_events where tenant_id = $1 order by chain_seq desc limit 1',
      [tenantId],
    );
    const audit = {
      chainSeq: Number(head?.chain_seq ?? 0) + 1,
      id: newId('aud'),
      tenantId,
      actorType: 'api_key',
      actorId: key.id as string,
      action: 'appointment.created',
      entityType: 'appointment',
      entityId: id,
      requestId: null,
      metadata: { status: 'scheduled' },
      occurredAt: now,
    };
    await run(
      `insert into audit_events (id, tenant_id, actor_type, actor_id, action, entity_type, entity_id, request_id, metadata, occurred_at, chain_seq, hash)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        audit.id,
        tenantId,
        audit.actorType,
        audit.actorId,
        audit.action,
        audit.entityType,
        id,
        null,
        JSON.stringify(audit.metadata),
        now,
        audit.chainSeq,
        auditRowHash((head?.hash as string | undefined) ?? AUDIT_GENESIS_HASH, audit),
      ],
    );
    await run(
      `insert into events (id, tenant_id, type, entity_type, entity_id, data, occurred_at)
       values ($1, $2, 'appointment.created', 'appointment', $3, $4, $5)`,
      [newId('evt'), tenantId, id, JSON.stringify(eventDataOf(id, input)), now],
    );
    const body = appointmentOf(id, input, now);
    await run(
      `insert into idempotency_keys (tenant_id, key, credential_id, fingerprint, operation_id, state, response_status, response_body, created_at, locked_until, expires_at)
       values ($1, $2, $3, $4, 'appointments.create', 'completed', 201, $5, $6, $6, $7)`,
      [
        tenantId,
        input.idempotencyKey,
        key.id,
        fingerprint,
        JSON.stringify(body),
        now,
        new Date(now.getTime() + DAY_MS),
      ],
    );
    await run('commit', []);
    return { status: 201, body };
  } catch (error) {
    await run('rollback', []).catch(() => {});
    throw error;
  }
}

/**
 * The function the one-statement write reads the audit chain's head
 * through; create it once in the bench schema.
 *
 * @example
 * await run(AUDIT_HEAD_FUNCTION, []);
 */
export const AUDIT_HEAD_FUNCTION = `
create or replace function bench_audit_head(tenant text) returns table (chain_seq bigint, hash text)
language plpgsql volatile as $$
begin
  perform pg_advisory_xact_lock(hashtextextended('audit_chain:' || tenant, 0));
  return query select a.chain_seq::bigint, a.hash from audit_events a
    where a.tenant_id = tenant order by a.chain_seq desc limit 1;
  if not found then return query select 0::bigint, '${AUDIT_GENESIS_HASH}'::text; end if;
end $$`;

const ONE_STATEMENT = `
with k as (
  select id, tenant_id from api_keys where key_hash = $1 and status = 'active'
), found as (
  select pg_try_advisory_xact_lock(hashtextextended(k.tenant_id || E'\\n' || $2, 0)) as locked, i.fingerprint
  from k left join idempotency_keys i on i.tenant_id = k.tenant_id and i.key = $2 and i.expires_at > $8
), ok as (
  select k.id as key_id, k.tenant_id from k, found, patients p
  where found.locked and found.fingerprint is null and p.tenant_id = k.tenant_id and p.id = $3
), apt as (
  insert into appointments (id, tenant_id, patient_id, service, starts_at, ends_at, status, created_at, updated_at)
  select $4, ok.tenant_id, $3, $5, $6, $7, 'scheduled', $8, $8 from ok
  returning id, tenant_id
), head as (
  select h.chain_seq, h.hash from apt, lateral bench_audit_head(apt.tenant_id) h
), aud as (
  insert into audit_events (id, tenant_id, actor_type, actor_id, action, entity_type, entity_id, request_id, metadata, occurred_at, chain_seq, hash)
  select $9, ok.tenant_id, 'api_key', ok.key_id, 'appointment.created', 'appointment', $4, null, $10::jsonb, $8, head.chain_seq + 1,
    encode(sha256(convert_to(head.hash || json_build_array(head.chain_seq + 1, $9::text, ok.tenant_id, ok.key_id, $4::text, $8::timestamptz, $10::jsonb)::text, 'UTF8')), 'hex')
  from ok, head
  returning id
), evt as (
  insert into events (id, tenant_id, type, entity_type, entity_id, data, occurred_at)
  select $11, ok.tenant_id, 'appointment.created', 'appointment', $4, $12::jsonb, $8 from ok, apt
  returning id
), stored as (
  insert into idempotency_keys (tenant_id, key, credential_id, fingerprint, operation_id, state, response_status, response_body, created_at, locked_until, expires_at)
  select ok.tenant_id, $2, ok.key_id, $13, 'appointments.create', 'completed', 201, $14::jsonb, $8, $8, $15 from ok, apt
  returning key
)
select (select count(*) from k) as keys, (select count(*) from ok) as ok,
  (select count(*) from aud) + (select count(*) from evt) + (select count(*) from stored) as rows`;

/**
 * The write as one prepared statement (one round trip, one implicit
 * transaction).
 *
 * @example
 * const outcome = await writeWithOneStatement(run, input, new Date());
 */
export async function writeWithOneStatement(
  run: Query,
  input: WriteInput,
  now: Date,
): Promise<WriteOutcome> {
  const id = newId('apt');
  const body = appointmentOf(id, input, now);
  const [row] = await run(
    ONE_STATEMENT,
    [
      hashKey(input.apiKey),
      input.idempotencyKey,
      input.body.patientId,
      id,
      input.body.service,
      input.body.startsAt,
      input.body.endsAt,
      now,
      newId('aud'),
      JSON.stringify({ status: 'scheduled' }),
      newId('evt'),
      JSON.stringify(eventDataOf(id, input)),
      requestFingerprint('appointments.create', {}, input.body),
      JSON.stringify(body),
      new Date(now.getTime() + DAY_MS),
    ],
    'bench_one_statement_write',
  );
  if (Number(row?.keys) === 0) return { status: 401 };
  if (Number(row?.ok) === 0) return { status: 409 };
  return { status: 201, body };
}
