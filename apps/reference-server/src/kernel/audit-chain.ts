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
  const rest = auditContentAfterSeq(row);
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
 * What a row's hash covers after its sequence number:
 * `canonicalJson([seq, ...rest])` is `'[' + seq + ','` followed by this.
 * The database hashes it once it knows the sequence number (see
 * {@link appendAuditRowSql} and {@link appendAuditChainSql}).
 *
 * @example
 * const content = auditContentAfterSeq(row); // '"aud_…","ten_…",…]'
 */
export function auditContentAfterSeq(row: Omit<AuditChainContent, 'chainSeq'>): string {
  return canonicalJson(hashedFields(row)).slice(1);
}

/**
 * Audit metadata as the database will give it back, which is what a row's
 * hash must cover: jsonb drops undefined members and keeps a Date as its
 * JSON text.
 *
 * @example
 * storedMetadata({ at: new Date(0), gone: undefined }); // { at: '1970-01-01T00:00:00.000Z' }
 */
export function storedMetadata(metadata: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(metadata ?? {})) as Record<string, unknown>;
}

/**
 * An audit row as a member of the JSON that {@link appendAuditChainSql}'s
 * source reads (snake_case columns, the hashed `content`, no `ord`).
 *
 * @example
 * JSON.stringify(rows.map((row, ord) => ({ ...auditChainRow(row), ord })));
 */
export function auditChainRow(row: Omit<AuditChainContent, 'chainSeq'>) {
  const metadata = storedMetadata(row.metadata);
  return {
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
    content: auditContentAfterSeq({ ...row, metadata }),
  };
}

/** The columns of {@link auditChainRow}, as `jsonb_to_record(set)` reads them. */
export const AUDIT_CHAIN_ROW_COLUMNS = `id text, tenant_id text, actor_type text, actor_id text,
  action text, entity_type text, entity_id text, request_id text, metadata jsonb,
  occurred_at timestamptz, content text`;

/**
 * Appends `rows`, of any tenants, to their tenants' chains in one statement
 * (see {@link appendAuditChainSql}); each tenant's rows in the order given.
 * Outside a transaction the statement commits on its own.
 *
 * @example
 * await appendAuditRows(db, [{ id, tenantId, actorType: 'system', actorId: 'delivery', action, entityType, entityId, requestId: null, metadata: {}, occurredAt }]);
 */
export async function appendAuditRows(
  db: Kysely<DB>,
  rows: readonly Omit<AuditChainContent, 'chainSeq'>[],
): Promise<void> {
  if (rows.length === 0) return;
  const json = JSON.stringify(rows.map((row, ord) => ({ ...auditChainRow(row), ord })));
  await sql`
    with recursive source as (
      select * from jsonb_to_recordset(${json}::jsonb) as r(${sql.raw(AUDIT_CHAIN_ROW_COLUMNS)}, ord int)
    ), ${sql.raw(appendAuditChainSql('source'))}
    select 1`.execute(db);
}

/**
 * Data-modifying CTEs (for a `WITH RECURSIVE` statement) that append the
 * rows of the CTE or table `source` to their tenants' chains, any number
 * of rows and tenants in one statement. `source` has the columns of an
 * audit row (`id`, `tenant_id`, `actor_type`, `actor_id`, `action`,
 * `entity_type`, `entity_id`, `request_id`, `metadata` jsonb,
 * `occurred_at` timestamptz), `content` ({@link auditContentAfterSeq}) and
 * `ord`, the order of the rows within their tenant's chain.
 * `audit_chain_next` takes each tenant's lock in tenant order, so two such
 * statements never wait on each other in a cycle. Each row's hash is
 * computed in the database from its predecessor's as {@link auditRowHash}
 * does, by a recursive CTE, one step a row. The CTEs are named `audit_*`.
 *
 * @example
 * const text = `with recursive rows as (…), ${appendAuditChainSql('rows')} select 1`;
 */
export function appendAuditChainSql(source: string): string {
  const hash = (previous: string, seq: string, content: string) =>
    `encode(sha256(convert_to(${previous} || '[' || ${seq}::text || ',' || ${content}, 'UTF8')), 'hex')`;
  return `audit_numbered as (
      select s.*, row_number() over (partition by s.tenant_id order by s.ord) as step from ${source} s
    ), audit_heads as (
      select t.tenant_id, head.seq, head.previous_hash
      from (select distinct tenant_id from audit_numbered order by tenant_id) t
      cross join lateral audit_chain_next(t.tenant_id) as head
    ), audit_links (tenant_id, step, seq, hash) as (
      select h.tenant_id, 1::bigint, h.seq, ${hash('h.previous_hash', 'h.seq', 'n.content')}
      from audit_heads h join audit_numbered n on n.tenant_id = h.tenant_id and n.step = 1
      union all
      select l.tenant_id, l.step + 1, l.seq + 1, ${hash('l.hash', '(l.seq + 1)', 'n.content')}
      from audit_links l join audit_numbered n on n.tenant_id = l.tenant_id and n.step = l.step + 1
    ), audit_appended as (
      insert into audit_events (id, tenant_id, actor_type, actor_id, action, entity_type, entity_id,
        request_id, metadata, occurred_at, chain_seq, hash)
      select n.id, n.tenant_id, n.actor_type, n.actor_id, n.action, n.entity_type, n.entity_id,
        n.request_id, n.metadata, n.occurred_at, l.seq, l.hash
      from audit_numbered n join audit_links l on l.tenant_id = n.tenant_id and l.step = n.step
    )`;
}
