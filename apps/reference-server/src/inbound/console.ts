/**
 * What an operator needs about inbound webhooks: the ones that did not go
 * through (unparseable or failed, with their reasons), the open alerts, and
 * a way to run a failed webhook again once its cause is fixed (a missing
 * tenant created, an invoice corrected). Used by the ops pages and the CLI.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { type Actor, PLATFORM_AUDIT_TENANT, recordAudit } from '../kernel/change.ts';
import type { InboundStatus } from './schema.ts';

/**
 * An inbound webhook as an operator sees it (without its raw body).
 *
 * @example
 * const [first]: InboundWebhookSummary[] = await listInboundWebhooks(db);
 */
export interface InboundWebhookSummary {
  id: string;
  provider: string;
  providerEventId: string;
  eventType: string | null;
  status: InboundStatus;
  reason: string | null;
  attempts: number;
  receivedAt: string;
  processedAt: string | null;
}

/**
 * Inbound webhooks in a state, newest first (default: those needing attention).
 *
 * @example
 * const stuck = await listInboundWebhooks(db, { statuses: ['unparseable', 'failed'] });
 */
export async function listInboundWebhooks(
  db: Kysely<DB>,
  options: { statuses?: readonly InboundStatus[]; limit?: number } = {},
): Promise<InboundWebhookSummary[]> {
  const rows = await db
    .selectFrom('inbound_webhooks')
    .select([
      'id',
      'provider',
      'provider_event_id',
      'event_type',
      'status',
      'reason',
      'attempts',
      'received_at',
      'processed_at',
    ])
    .where('status', 'in', [...(options.statuses ?? ['unparseable', 'failed'])])
    .orderBy('received_at', 'desc')
    .limit(Math.min(options.limit ?? 100, 1_000))
    .execute();
  return rows.map((r) => ({
    id: r.id,
    provider: r.provider,
    providerEventId: r.provider_event_id,
    eventType: r.event_type,
    status: r.status,
    reason: r.reason,
    attempts: r.attempts,
    receivedAt: r.received_at.toISOString(),
    processedAt: r.processed_at?.toISOString() ?? null,
  }));
}

/**
 * Puts a failed inbound webhook back in the processing queue; false when it
 * is not failed (an unparseable body cannot be processed, whatever is retried).
 *
 * @example
 * if (await retryInboundWebhook(db, 'inb_…', new Date())) bus.wakeup.wake();
 */
export async function retryInboundWebhook(db: Kysely<DB>, id: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('inbound_webhooks')
    .set({ status: 'received', attempts: 0, next_attempt_at: now })
    .where('id', '=', id)
    .where('status', '=', 'failed')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Open operator alerts, newest first.
 *
 * @example
 * for (const alert of await listOpenAlerts(db)) console.log(alert.kind, alert.message);
 */
export async function listOpenAlerts(
  db: Kysely<DB>,
  limit = 100,
): Promise<
  { id: string; tenantId: string | null; kind: string; message: string; createdAt: string }[]
> {
  const rows = await db
    .selectFrom('operator_alerts')
    .select(['id', 'tenant_id', 'kind', 'message', 'created_at'])
    .where('resolved_at', 'is', null)
    .orderBy('created_at', 'desc')
    .limit(Math.min(limit, 1_000))
    .execute();
  return rows.map((r) => ({
    id: r.id,
    tenantId: r.tenant_id,
    kind: r.kind,
    message: r.message,
    createdAt: r.created_at.toISOString(),
  }));
}

/**
 * Marks an alert resolved and audits it (`operator_alert.resolved`, in the
 * alert's tenant or the platform's); false when it was not open.
 *
 * @example
 * await resolveAlert(db, 'alr_…', new Date(), { type: 'operator', id: 'ops' });
 */
export function resolveAlert(
  db: Kysely<DB>,
  id: string,
  now: Date,
  actor: Actor = { type: 'operator', id: 'operator' },
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const resolved = await trx
      .updateTable('operator_alerts')
      .set({ resolved_at: now })
      .where('id', '=', id)
      .where('resolved_at', 'is', null)
      .returning(['tenant_id', 'kind'])
      .executeTakeFirst();
    if (!resolved) return false;
    await recordAudit(trx, {
      tenantId: resolved.tenant_id ?? PLATFORM_AUDIT_TENANT,
      actor,
      action: 'operator_alert.resolved',
      entityType: 'operator_alert',
      entityId: id,
      metadata: { kind: resolved.kind },
      occurredAt: now,
    });
    return true;
  });
}
