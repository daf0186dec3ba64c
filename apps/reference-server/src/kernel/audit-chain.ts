/**
 * The audit log's hash chain (issue #10, finding 16). Each tenant's audit
 * rows form one chain: row n carries `chain_seq = n` and
 * `hash = sha256(hash of row n-1 + canonical content of row n)`, the first
 * row chaining from {@link AUDIT_GENESIS_HASH}. Whoever rewrites, removes or
 * inserts a row in the middle of the chain breaks every hash after it
 * unless they recompute them all, which a head hash kept elsewhere (printed
 * by `audit verify`) reveals. `recordAudit` appends under a per-tenant
 * transaction lock, so concurrent writers keep a single chain.
 */
import { createHash } from 'node:crypto';
import { CompiledQuery, type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';

/**
 * The predecessor hash of each tenant's first audit row.
 *
 * @example
 * auditRowHash(AUDIT_GENESIS_HASH, firstRow);
 */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

/**
 * The fields of an audit row that its hash covers.
 *
 * @example
 * const content: AuditChainContent = { chainSeq: 1, id: 'aud_…', tenantId, actorType: 'system', actorId: 'delivery', action: 'delivery.succeeded', entityType: 'delivery', entityId: 'dlv_…', requestId: null, metadata: {}, occurredAt: new Date() };
 */
export interface AuditChainContent {
  chainSeq: number;
  id: string;
  tenantId: string;
  actorType: string;
  actorId: string;
  action: string;
  entityType: string;
  entityId: string | null;
  requestId: string | null;
  metadata: unknown;
  occurredAt: Date;
}

/**
 * JSON with object keys sorted at every level: one text for one value,
 * whatever order jsonb or the writer kept the keys in.
 *
 * @example
 * canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }); // '{"a":[2,{"c":4,"d":3}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A row's hashed content after its sequence number, in the order the hash fixes. */
function hashedFields(row: Omit<AuditChainContent, 'chainSeq'>): unknown[] {
  return [
    row.id,
    row.tenantId,
    row.actorType,
    row.actorId,
    row.action,
    row.entityType,
    row.entityId,
    row.requestId,
    row.occurredAt.toISOString(),
    row.metadata,
  ];
}

/**
 * The hash of a row given its predecessor's: hex SHA-256 of the previous
 * hash followed by the row's canonical content.
 *
 * @example
 * const hash = auditRowHash(AUDIT_GENESIS_HASH, content);
 */
export function auditRowHash(previousHash: string, row: AuditChainContent): string {
  const content = canonicalJson([row.chainSeq, ...hashedFields(row)]);
  return createHash('sha256').update(previousHash).update(content).digest('hex');
}

/**
 * Takes the tenant's audit-chain lock for the rest of `trx` and returns the
 * chain's head: the last `chain_seq` (0 when empty) and its hash. Must run
 * in a transaction, or the lock ends before the row is written.
 *
 * @example
 * const head = await lockAuditChainHead(trx, tenantId);
 */
export async function lockAuditChainHead(
  trx: Kysely<DB>,
  tenantId: string,
): Promise<{ chainSeq: number; hash: string }> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`audit_chain:${tenantId}`}, 0))`.execute(
    trx,
  );
  const head = await trx
    .selectFrom('audit_events')
    .select(['chain_seq', 'hash'])
    .where('tenant_id', '=', tenantId)
    .orderBy('chain_seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return head
    ? { chainSeq: Number(head.chain_seq), hash: head.hash }
    : { chainSeq: 0, hash: AUDIT_GENESIS_HASH };
}

/**
 * Appends `row` as the next row of its tenant's chain in one statement:
 * `audit_chain_next` (migration `0102-core-audit-chain-next`) takes the
 * tenant's chain lock for the rest of `trx` and reads the head after the
 * lock is held; the statement computes the same hash as
 * {@link auditRowHash} in the database (the canonical content is
 * `[chain_seq,` followed by the rest, which is known here). One round trip
 * instead of a lock, a head read and an insert. Must run in a transaction.
 *
 * @example
 * await appendAuditRow(trx, { id, tenantId, actorType: 'system', actorId: 'delivery', action, entityType, entityId, requestId: null, metadata: {}, occurredAt });
 */
export async function appendAuditRow(
  trx: Kysely<DB>,
  row: Omit<AuditChainContent, 'chainSeq'>,
): Promise<void> {
  await trx.executeQuery(CompiledQuery.raw(APPEND_AUDIT_ROW, appendAuditRowParameters(row)));
}

/**
 * The audit append as SQL text whose 11 parameters start at `$first`
 * (see {@link appendAuditRowParameters}), for a statement that does more
 * than append: ./record-change.ts puts it in a data-modifying CTE beside the
 * outbox event and the stored idempotent response. With `gate` (an SQL
 * condition free of the row's columns) the row is appended only when it
 * holds, and the chain lock is not taken otherwise: PostgreSQL checks such
 * a condition once, before it calls `audit_chain_next`.
 *
 * @example
 * const text = appendAuditRowSql(1);
 */
export function appendAuditRowSql(first: number, gate?: string): string {
  const p = (n: number) => `$${first + n}`;
  return `insert into audit_events
      (id, tenant_id, actor_type, actor_id, action, entity_type, entity_id, request_id, metadata, occurred_at, chain_seq, hash)
    select ${p(0)}, ${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)}, ${p(8)}::jsonb, ${p(9)}::timestamptz,
      next.seq, encode(sha256(convert_to(next.previous_hash || '[' || next.seq::text || ',' || ${p(10)}::text, 'UTF8')), 'hex')
    from audit_chain_next(${p(1)}::text) as next${gate ? ` where ${gate}` : ''}`;
}

const APPEND_AUDIT_ROW = appendAuditRowSql(1);

/**
 * The 11 parameters of {@link appendAuditRowSql} for `row`.
 *
 * @example
 * const values = appendAuditRowParameters(row);
 */
export function appendAuditRowParameters(row: Omit<AuditChainContent, 'chainSeq'>): unknown[] {
  // canonicalJson([seq, ...rest]) is '[' + seq + ',' + canonicalJson(rest) without its '['.
  const rest = canonicalJson(hashedFields(row)).slice(1);
  return [
    row.id,
    row.tenantId,
    row.actorType,
    row.actorId,
    row.action,
    row.entityType,
    row.entityId,
    row.requestId,
    JSON.stringify(row.metadata),
    row.occurredAt,
    rest,
  ];
}

/**
 * Appends `rows` (all of one tenant, in order) as the next rows of that
 * tenant's chain in two statements whatever their number: `audit_chain_next`
 * takes the chain lock for the rest of `trx` and gives the head, the hashes
 * are chained here ({@link auditRowHash}, as the verifier computes them),
 * and one multi-row insert writes them. For writers that append many rows
 * at once (the delivery worker's batches). Must run in a transaction.
 *
 * @example
 * await appendAuditRows(trx, tenantId, [{ id, tenantId, actorType: 'system', actorId: 'delivery', action, entityType, entityId, requestId: null, metadata: {}, occurredAt }]);
 */
export async function appendAuditRows(
  trx: Kysely<DB>,
  tenantId: string,
  rows: readonly Omit<AuditChainContent, 'chainSeq'>[],
): Promise<void> {
  if (rows.length === 0) return;
  if (rows.some((row) => row.tenantId !== tenantId)) {
    throw new TypeError(
      'appendAuditRows: every row must belong to the tenant whose chain it extends',
    );
  }
  const { rows: heads } = await sql<{ seq: string | number; previous_hash: string }>`
    select seq, previous_hash from audit_chain_next(${tenantId})`.execute(trx);
  const head = heads[0];
  if (!head) throw new Error('audit_chain_next returned no row');
  let seq = Number(head.seq);
  let previous = head.previous_hash;
  const values = rows.map((row) => {
    // Hash what the database will give back: jsonb drops undefined members.
    const metadata = JSON.parse(JSON.stringify(row.metadata ?? {})) as unknown;
    const hash = auditRowHash(previous, { ...row, metadata, chainSeq: seq });
    const value = {
      id: row.id,
      tenant_id: row.tenantId,
      actor_type: row.actorType,
      actor_id: row.actorId,
      action: row.action,
      entity_type: row.entityType,
      entity_id: row.entityId,
      request_id: row.requestId,
      metadata,
      occurred_at: row.occurredAt.toISOString(),
      chain_seq: seq,
      hash,
    };
    previous = hash;
    seq++;
    return value;
  });
  // One jsonb parameter for the whole batch, not twelve bind values a row.
  await sql`
    insert into audit_events (id, tenant_id, actor_type, actor_id, action, entity_type, entity_id,
      request_id, metadata, occurred_at, chain_seq, hash)
    select v.id, v.tenant_id, v.actor_type, v.actor_id, v.action, v.entity_type, v.entity_id,
      v.request_id, v.metadata, v.occurred_at, v.chain_seq, v.hash
    from jsonb_to_recordset(${JSON.stringify(values)}::jsonb) as v(id text, tenant_id text,
      actor_type text, actor_id text, action text, entity_type text, entity_id text,
      request_id text, metadata jsonb, occurred_at timestamptz, chain_seq bigint, hash text)`.execute(
    trx,
  );
}
