/**
 * Webhook endpoints in the fake API. The secret is returned at creation and
 * rotation only; after a rotation the previous secret is kept alongside the
 * new one, as the server keeps signing with both for 24 hours.
 */
import {
  newId,
  PING_MESSAGE,
  type WebhookEndpoint,
  webhookEndpointOperations,
} from '../../../contract/index.ts';
import { type BoundHandler, defineHandler } from '../context.ts';
import { endpointWants, scheduleDelivery } from '../event-recorder.ts';
import { findOr404 } from '../lookup.ts';
import { paginate } from '../pagination.ts';
import { webhookSecret } from '../random.ts';
import type { StoredWebhookEndpoint, TenantState } from '../tenant-state.ts';
import { linkableIntegration } from './integrations.ts';

function present(endpoint: StoredWebhookEndpoint): WebhookEndpoint {
  const { secrets: _secrets, ...visible } = endpoint;
  return visible;
}

/** The caller's endpoint named in the path, or the 404 every handler answers. */
function endpointOf(ctx: { tenant: TenantState; params: { endpointId: string } }) {
  return findOr404(ctx.tenant.webhookEndpoints, ctx.params.endpointId, 'webhook endpoint');
}

function withSecret(endpoint: StoredWebhookEndpoint) {
  return { ...present(endpoint), secret: endpoint.secrets[0] ?? '' };
}

/**
 * Handlers of the webhook endpoint operations.
 *
 * @example
 * const byId = new Map(webhookEndpointHandlers.map((h) => [h.op.id, h]));
 */
export const webhookEndpointHandlers: BoundHandler[] = [
  defineHandler(webhookEndpointOperations.create, (ctx) => {
    const b = ctx.body;
    const endpoint: StoredWebhookEndpoint = {
      id: newId('whep'),
      url: b.url,
      description: b.description ?? null,
      eventTypes: [...b.eventTypes],
      enabled: b.enabled ?? true,
      disabledReason: null,
      ...(b.integrationId ? { integrationId: linkableIntegration(ctx, b.integrationId) } : {}),
      createdAt: ctx.now,
      updatedAt: ctx.now,
      secrets: [webhookSecret()],
    };
    ctx.tenant.webhookEndpoints.insert(endpoint);
    return { body: withSecret(endpoint) };
  }),
  defineHandler(webhookEndpointOperations.get, (ctx) => ({
    body: present(endpointOf(ctx)),
  })),
  defineHandler(webhookEndpointOperations.list, (ctx) => {
    const page = paginate(ctx.op.id, ctx.tenant.webhookEndpoints.rows(), ctx.query, 'asc');
    return { body: { ...page, data: page.data.map(present) } };
  }),
  defineHandler(webhookEndpointOperations.update, (ctx) => {
    const current = endpointOf(ctx);
    const b = ctx.body;
    const enabled = b.enabled ?? current.enabled;
    const updated = ctx.tenant.webhookEndpoints.update({
      ...current,
      url: b.url ?? current.url,
      description: b.description === undefined ? current.description : b.description,
      eventTypes: b.eventTypes ? [...b.eventTypes] : current.eventTypes,
      enabled,
      disabledReason: enabled ? null : current.disabledReason,
      updatedAt: ctx.now,
    });
    return { body: present(updated) };
  }),
  defineHandler(webhookEndpointOperations.delete, (ctx) => {
    const endpoint = endpointOf(ctx);
    ctx.tenant.webhookEndpoints.delete(endpoint.id);
    for (const d of ctx.tenant.deliveries.values()) {
      if (d.endpointId === endpoint.id && d.status === 'pending') {
        ctx.tenant.deliveries.update({ ...d, status: 'cancelled', nextAttemptAt: null });
      }
    }
    return { body: undefined };
  }),
  defineHandler(webhookEndpointOperations.rotateSecret, (ctx) => {
    const current = endpointOf(ctx);
    const updated = ctx.tenant.webhookEndpoints.update({
      ...current,
      secrets: [webhookSecret(), ...current.secrets.slice(0, 1)],
      updatedAt: ctx.now,
    });
    return { body: withSecret(updated) };
  }),
  defineHandler(webhookEndpointOperations.test, (ctx) => {
    const endpoint = endpointOf(ctx);
    const event = ctx.emit(
      'webhook_endpoint.ping',
      { type: 'webhook_endpoint', id: endpoint.id },
      { endpointId: endpoint.id, message: PING_MESSAGE },
      { endpointId: endpoint.id },
    );
    return { body: { eventId: event.id as `evt_${string}` } };
  }),
  defineHandler(webhookEndpointOperations.replay, (ctx) => {
    const endpoint = endpointOf(ctx);
    const since = Date.parse(ctx.body.since);
    let scheduled = 0;
    for (const event of ctx.tenant.events.values()) {
      if (Date.parse(event.occurredAt) < since || !endpointWants(endpoint, event.type)) continue;
      scheduleDelivery(ctx.tenant, event, endpoint, ctx.now);
      scheduled += 1;
    }
    return { body: { scheduled } };
  }),
];
