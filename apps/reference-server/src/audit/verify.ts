/**
 * Walks the audit log's hash chains (issue #10, finding 16) and reports the
 * first row that breaks one: a row whose content or predecessor changed
 * (`hash_mismatch`) or a row missing or inserted out of place
 * (`sequence_gap`). Each tenant's head hash is returned too: kept outside
 * the database (a ticket, a log pipeline), it also reveals a chain rewritten
 * wholesale or cut short, which no walk of the database alone can.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { AUDIT_GENESIS_HASH, auditRowHash } from '../kernel/audit-chain.ts';

/**
 * The first row that breaks a chain.
 *
 * @example
 * const broken: AuditChainBreak = { tenantId, id: 'aud_…', chainSeq: 7, reason: 'hash_mismatch' };
 */
export interface AuditChainBreak {
  tenantId: string;
  id: string;
  chainSeq: number;
  reason: 'hash_mismatch' | 'sequence_gap';
}

/**
 * What a walk found: per tenant its row count and head hash, and the first break (null when intact).
 *
 * @example
 * const report: AuditChainReport = await verifyAuditChain(db);
 * if (report.broken) process.exitCode = 1;
 */
export interface AuditChainReport {
  tenants: { tenantId: string; rows: number; head: string }[];
  broken: AuditChainBreak | null;
}

const BATCH = 1000;

/**
 * Verifies every tenant's chain, or one tenant's; stops at the first break.
 *
 * @example
 * const { broken } = await verifyAuditChain(db, { tenantId: 'ten_…' });
 */
export async function verifyAuditChain(
  db: Kysely<DB>,
  options: { tenantId?: string } = {},
): Promise<AuditChainReport> {
  const tenantIds = options.tenantId
    ? [options.tenantId]
    : (
        await db
          .selectFrom('audit_events')
          .select('tenant_id')
          .distinct()
          .orderBy('tenant_id')
          .execute()
      ).map((r) => r.tenant_id);
  const report: AuditChainReport = { tenants: [], broken: null };
  for (const tenantId of tenantIds) {
    const walked = await walkTenant(db, tenantId);
    report.tenants.push({ tenantId, rows: walked.rows, head: walked.head });
    if (walked.broken) {
      report.broken = walked.broken;
      break;
    }
  }
  return report;
}

async function walkTenant(
  db: Kysely<DB>,
  tenantId: string,
): Promise<{ rows: number; head: string; broken: AuditChainBreak | null }> {
  let previous = AUDIT_GENESIS_HASH;
  let expected = 1;
  for (;;) {
    const rows = await db
      .selectFrom('audit_events')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('chain_seq', '>=', expected)
      .orderBy('chain_seq')
      .limit(BATCH)
      .execute();
    for (const row of rows) {
      const chainSeq = Number(row.chain_seq);
      const at = { tenantId, id: row.id, chainSeq };
      if (chainSeq !== expected) {
        return { rows: expected - 1, head: previous, broken: { ...at, reason: 'sequence_gap' } };
      }
      const hash = auditRowHash(previous, {
        chainSeq,
        id: row.id,
        tenantId: row.tenant_id,
        actorType: row.actor_type,
        actorId: row.actor_id,
        action: row.action,
        entityType: row.entity_type,
        entityId: row.entity_id,
        requestId: row.request_id,
        metadata: row.metadata,
        occurredAt: row.occurred_at,
      });
      if (hash !== row.hash) {
        return { rows: expected - 1, head: previous, broken: { ...at, reason: 'hash_mismatch' } };
      }
      previous = hash;
      expected += 1;
    }
    if (rows.length < BATCH) return { rows: expected - 1, head: previous, broken: null };
  }
}
