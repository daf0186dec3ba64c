/**
 * Endpoint health after a batch of attempts: an unbroken run of failures is
 * tracked in `failing_since`; an endpoint failing for longer than
 * `WEBHOOK_DISABLE_AFTER`, or answering 410 Gone, is disabled, and that
 * emits a `webhook_endpoint.disabled` event and an operator alert in the
 * same transaction. Its pending deliveries wait (not lost) until it is
 * enabled again.
 */
import type { Kysely } from 'kysely';
import { raiseAlert } from '../alerts/raise.ts';
import type { DB } from '../db/schema.ts';
import { recordEvent } from '../kernel/outbox.ts';

/**
 * Disables an enabled endpoint; no-op (false) when it already is disabled.
 *
 * @example
 * await disableEndpoint(trx, 'whep_…', 'the receiver answered 410 Gone', new Date());
 */
export async function disableEndpoint(
  trx: Kysely<DB>,
  endpointId: string,
  reason: string,
  now: Date,
  reasonCode: 'failing' | 'gone' = 'failing',
): Promise<boolean> {
  const endpoint = await trx
    .updateTable('webhook_endpoints')
    .set({ enabled: false, disabled_reason: reason, updated_at: now })
    .where('id', '=', endpointId)
    .where('enabled', '=', true)
    .returning(['id', 'tenant_id', 'url', 'failing_since'])
    .executeTakeFirst();
  if (!endpoint) return false;
  await recordEvent(trx, {
    tenantId: endpoint.tenant_id,
    type: 'webhook_endpoint.disabled',
    entityType: 'webhook_endpoint',
    entityId: endpoint.id,
    data: {
      endpointId: endpoint.id as `whep_${string}`,
      // The reason text and URL stay in the endpoint row and the alert; events carry codes only.
      reasonCode,
      failingSince: endpoint.failing_since?.toISOString() ?? null,
    },
    occurredAt: now,
  });
  await raiseAlert(trx, {
    tenantId: endpoint.tenant_id,
    kind: 'webhook_endpoint_disabled',
    message: `webhook endpoint ${endpoint.id} was disabled: ${reason}`,
    details: { endpointId: endpoint.id, reason },
    now,
  });
  return true;
}

/**
 * Endpoint outcomes of one batch of attempts.
 *
 * @example
 * await updateEndpointHealth(trx, { succeeded: new Set(), failed: new Set(['whep_…']), disable: new Map(), now, disableAfterMs });
 */
export interface EndpointHealthUpdate {
  readonly succeeded: ReadonlySet<string>;
  readonly failed: ReadonlySet<string>;
  /** Endpoints to disable now, with the reason (410 Gone). */
  readonly disable: ReadonlyMap<string, string>;
  readonly now: Date;
  readonly disableAfterMs: number;
  /** The successes' endpoints are already cleared of `failing_since` (recordAttempts does it). */
  readonly successesCleared?: boolean;
}

/**
 * Applies a batch's outcomes to its endpoints; resolves to the ids disabled.
 *
 * @example
 * await updateEndpointHealth(trx, { succeeded, failed, disable, now, disableAfterMs: 5 * 86_400_000 });
 */
export async function updateEndpointHealth(
  trx: Kysely<DB>,
  update: EndpointHealthUpdate,
): Promise<string[]> {
  const { now } = update;
  if (update.succeeded.size > 0 && update.successesCleared !== true) {
    await trx
      .updateTable('webhook_endpoints')
      .set({ failing_since: null })
      .where('id', 'in', [...update.succeeded])
      .where('failing_since', 'is not', null)
      .execute();
  }
  // An endpoint with any success in the batch is not failing every attempt.
  const failed = [...update.failed].filter((id) => !update.succeeded.has(id));
  const toDisable = new Map(update.disable);
  if (failed.length > 0) {
    await trx
      .updateTable('webhook_endpoints')
      .set({ failing_since: now })
      .where('id', 'in', failed)
      .where('failing_since', 'is', null)
      .execute();
    const stale = await trx
      .selectFrom('webhook_endpoints')
      .select(['id', 'failing_since'])
      .where('id', 'in', failed)
      .where('enabled', '=', true)
      .where('failing_since', '<=', new Date(now.getTime() - update.disableAfterMs))
      .execute();
    for (const endpoint of stale) {
      if (!toDisable.has(endpoint.id)) {
        toDisable.set(
          endpoint.id,
          `every delivery attempt has failed since ${endpoint.failing_since?.toISOString() ?? 'an unknown time'}`,
        );
      }
    }
  }
  const disabled: string[] = [];
  for (const [id, reason] of toDisable) {
    const code = update.disable.has(id) ? 'gone' : 'failing';
    if (await disableEndpoint(trx, id, reason, now, code)) disabled.push(id);
  }
  return disabled;
}
