/**
 * Audit records for the fake API's writes: who (the key or OAuth client) did
 * what (the operation id) to which entity, with the request id, as the real
 * server writes them in the same transaction as the change.
 */
import { auditActions, newId, type Operation } from '../../contract/index.ts';
import type { Caller } from './auth.ts';
import type { TenantState } from './tenant-state.ts';

const entityTypes: Record<string, string> = {
  integrationTokens: 'integration_token',
  oauthClients: 'oauth_client',
  patients: 'patient',
  appointments: 'appointment',
  visits: 'visit',
  visas: 'visa_application',
  documents: 'document',
  shipments: 'shipment',
  teleRooms: 'tele_room',
  invoices: 'invoice',
  payments: 'payment',
  refunds: 'refund',
  escrows: 'escrow',
  checkouts: 'checkout',
  webhookEndpoints: 'webhook_endpoint',
  deliveries: 'delivery',
  deadLetters: 'delivery',
  imports: 'import',
  exports: 'export',
  integrations: 'integration',
};

function entityIdOf(params: unknown, body: unknown): string | null {
  if (body && typeof body === 'object' && 'id' in body && typeof body.id === 'string')
    return body.id;
  if (params && typeof params === 'object') {
    const first = Object.values(params).find((v) => typeof v === 'string');
    if (typeof first === 'string') return first;
  }
  return null;
}

/**
 * Appends the audit record of a successful write.
 *
 * @example
 * recordAudit(tenant, { op, caller, requestId: 'req_1', now, params, responseBody });
 */
export function recordAudit(
  tenant: TenantState,
  input: {
    op: Operation;
    caller: Caller;
    requestId: string;
    now: string;
    params: unknown;
    responseBody: unknown;
  },
): void {
  const group = input.op.id.split('.')[0] ?? input.op.id;
  tenant.auditEvents.insert({
    id: newId('aud'),
    actor: { type: input.caller.actor.type, id: input.caller.actor.id },
    // The same action the server records (the contract's table), not the operation id.
    action: (auditActions as Record<string, string>)[input.op.id] ?? input.op.id,
    entityType: entityTypes[group] ?? group,
    entityId: entityIdOf(input.params, input.responseBody),
    requestId: input.requestId,
    occurredAt: input.now,
    metadata: {},
  });
}
