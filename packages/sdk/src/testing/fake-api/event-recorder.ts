/**
 * Records catalogue events for writes, the way the real server's outbox
 * does, and a pending delivery for every enabled endpoint subscribed to the
 * type, so partners can see what a webhook would carry (`events.list`,
 * `events.deliveries`). The fake API never sends the HTTP requests itself.
 */
import { type EventData, type EventEnvelope, type EventType, newId } from '../../contract/index.ts';
import type { StoredWebhookEndpoint, TenantState } from './tenant-state.ts';

/**
 * True when an endpoint receives events of `type`.
 *
 * @example
 * if (endpointWants(endpoint, 'payment.received')) scheduleDelivery(tenant, event, endpoint, now);
 */
export function endpointWants(endpoint: StoredWebhookEndpoint, type: string): boolean {
  return (
    endpoint.enabled && (endpoint.eventTypes.includes('*') || endpoint.eventTypes.includes(type))
  );
}

/**
 * Adds a pending delivery of `event` to `endpoint`.
 *
 * @example
 * scheduleDelivery(tenant, event, endpoint, new Date().toISOString());
 */
export function scheduleDelivery(
  tenant: TenantState,
  event: EventEnvelope,
  endpoint: StoredWebhookEndpoint,
  now: string,
): void {
  tenant.deliveries.insert({
    id: newId('dlv'),
    eventId: event.id,
    eventType: event.type,
    endpointId: endpoint.id,
    status: 'pending',
    attemptCount: 0,
    nextAttemptAt: now,
    lastAttemptAt: null,
    createdAt: now,
    attempts: [],
  });
}

/**
 * Records one event and schedules its deliveries (to one endpoint only when
 * `endpointId` is given, as for a ping).
 *
 * @example
 * recordEvent(tenant, now, { type: 'appointment.cancelled', entityType: 'appointment', entityId: apt.id, data });
 */
export function recordEvent<T extends EventType>(
  tenant: TenantState,
  now: string,
  input: { type: T; entityType: string; entityId: string; data: EventData<T>; endpointId?: string },
): EventEnvelope {
  const event: EventEnvelope = {
    id: newId('evt'),
    type: input.type,
    occurredAt: now,
    entityType: input.entityType,
    entityId: input.entityId,
    tenantId: tenant.id,
    data: input.data as Record<string, unknown>,
  };
  tenant.events.insert(event);
  for (const endpoint of tenant.webhookEndpoints.values()) {
    if (input.endpointId !== undefined && endpoint.id !== input.endpointId) continue;
    if (input.endpointId !== undefined || endpointWants(endpoint, input.type)) {
      scheduleDelivery(tenant, event, endpoint, now);
    }
  }
  return event;
}
