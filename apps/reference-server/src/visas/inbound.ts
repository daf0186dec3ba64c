/**
 * What the visa partner's webhook (`/webhooks/visa`, Standard Webhooks)
 * does to a visa application of this server: `visa.status_changed`,
 * `visa.granted` or `visa.rejected` naming the application (its `vsa_` id
 * in `data.applicationId` or `entityId`, or the partner's own application
 * id in `entityId`) moves it as a poll would — one transaction with its
 * audit row and its `visa.*` event, and for a rejection the exception
 * playbook's tasks (./playbook.ts). A webhook naming no application of
 * this server is left to the generic handling (recorded as a catalogue
 * event against the provider's entity). Run by the inbound processor in
 * its transaction.
 */
import { FINAL_VISA_STATES, VISA_REASON_CODES, VisaStateSchema } from '@clinicbridge/adapters';
import type { Kysely } from 'kysely';
import type { DB, Row } from '../db/schema.ts';
import type { ChangeContext } from '../kernel/change.ts';
import { moveVisaApplication, type VisaPatch } from './transitions.ts';

/**
 * Why a visa webhook cannot be processed; the inbound processor marks it
 * failed (permanently) with this message.
 *
 * @example
 * throw new VisaWebhookError('visa.status_changed needs data.status');
 */
export class VisaWebhookError extends Error {
  // The processor tells permanent failures by this name (see inbound/processor.ts).
  override readonly name = 'PermanentInboundError';
}

const DECIDED: ReadonlySet<string> = new Set(FINAL_VISA_STATES);

type VisaWebhookType = 'visa.status_changed' | 'visa.granted' | 'visa.rejected';

const bounded = (value: unknown, max: number): string | undefined =>
  typeof value === 'string' && value.length > 0 && value.length <= max ? value : undefined;

async function findApplication(
  trx: Kysely<DB>,
  tenantId: string,
  refs: readonly string[],
): Promise<Row<'visa_applications'> | undefined> {
  if (refs.length === 0) return undefined;
  const byId = refs.filter((ref) => ref.startsWith('vsa_'));
  return trx
    .selectFrom('visa_applications')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where((eb) =>
      eb.or([
        ...(byId.length > 0 ? [eb('id', 'in', byId)] : []),
        eb('provider_application_id', 'in', refs),
      ]),
    )
    .orderBy('created_at')
    .limit(1)
    .forUpdate()
    .executeTakeFirst();
}

/**
 * Applies a visa webhook to the application it names; resolves to what
 * was done, or undefined when it names no application of this server.
 *
 * @example
 * const reason = await applyVisaWebhook(trx, tenantId, payload, now);
 */
export async function applyVisaWebhook(
  trx: Kysely<DB>,
  tenantId: string,
  type: VisaWebhookType,
  payload: Record<string, unknown>,
  now: Date,
): Promise<string | undefined> {
  const data = (payload.data ?? {}) as Record<string, unknown>;
  const refs = [bounded(data.applicationId, 100), bounded(payload.entityId, 100)].filter(
    (ref): ref is string => ref !== undefined,
  );
  const row = await findApplication(trx, tenantId, refs);
  if (!row) return undefined;

  const given = type === 'visa.status_changed' ? data.status : type.slice('visa.'.length);
  const parsed = VisaStateSchema.safeParse(given);
  if (!parsed.success)
    throw new VisaWebhookError(
      `visa.status_changed carries data.status, one of ${VisaStateSchema.options.join(', ')}`,
    );
  const status = parsed.data;
  if (DECIDED.has(row.status)) return `visa application ${row.id} is already ${row.status}`;
  if (row.status === 'pending')
    // Not submitted yet (the job holds it): a later retry finds it submitted.
    throw new Error(`visa application ${row.id} is not submitted yet`);
  if (row.status === status) return `visa application ${row.id} is already ${status}`;

  const reasonCodes = Array.isArray(data.reasonCodes)
    ? data.reasonCodes
        .slice(0, 20)
        .map((code) =>
          (VISA_REASON_CODES as readonly unknown[]).includes(code) ? (code as string) : 'other',
        )
    : row.reason_codes;
  const final = FINAL_VISA_STATES.includes(status);
  const patch: VisaPatch = {
    reason_codes: JSON.stringify([...new Set(reasonCodes)]),
    ...(final ? { next_check_at: null, pending_action: null } : {}),
    ...(status === 'granted'
      ? {
          visa_number: bounded(data.visaNumber, 100) ?? row.visa_number,
          valid_until: bounded(data.validUntil, 40) ?? row.valid_until,
        }
      : {}),
  };
  const change: ChangeContext = {
    tenantId,
    actor: { type: 'system', id: 'inbound-webhooks' },
    requestId: null,
    now,
  };
  await moveVisaApplication(trx, change, row, status, patch);
  return `visa application ${row.id} ${status}`;
}
