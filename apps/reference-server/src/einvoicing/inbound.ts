/**
 * What the e-Fatura integrator's webhook (`/webhooks/efatura`, Standard
 * Webhooks) does: `{ type: 'efatura.status.update', tenantId, data: { ettn,
 * status: 'approved' | 'rejected', reasonCode? } }` moves the tenant's
 * e-invoice and records the event. Anything else — another type, an
 * unknown ETTN, a reason that is not a code — can never be processed and is
 * refused as permanent. Run by the inbound processor in its transaction.
 */
import type { Kysely } from 'kysely';
import * as z from 'zod';
import type { DB } from '../db/schema.ts';
import { applyEInvoiceStatus } from './service.ts';

const StatusWebhook = z.object({
  type: z.literal('efatura.status.update'),
  tenantId: z.string().min(1).max(100),
  data: z.object({
    ettn: z.uuid(),
    status: z.enum(['approved', 'rejected']),
    // A code, as the catalogue's `eventCode`: never the integrator's message.
    reasonCode: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/)
      .nullish(),
  }),
});

/**
 * Why an e-Fatura webhook cannot be processed; the inbound processor marks
 * it failed (permanently) with this message.
 *
 * @example
 * throw new EInvoiceWebhookError('the webhook names an unknown ETTN');
 */
export class EInvoiceWebhookError extends Error {
  // The processor tells permanent failures by this name (see inbound/processor.ts).
  override readonly name = 'PermanentInboundError';
}

/**
 * Applies one e-Fatura status webhook; resolves to what was done.
 *
 * @example
 * const reason = await handleEFaturaWebhook(trx, payload, now);
 */
export async function handleEFaturaWebhook(
  trx: Kysely<DB>,
  payload: Record<string, unknown>,
  now: Date,
): Promise<string> {
  const parsed = StatusWebhook.safeParse(payload);
  if (!parsed.success)
    throw new EInvoiceWebhookError(
      `efatura sends efatura.status.update with { ettn, status: approved|rejected, reasonCode? }; invalid at ${parsed.error.issues
        .map((i) => i.path.join('.') || '(root)')
        .join(', ')
        .slice(0, 200)}`,
    );
  const { tenantId, data } = parsed.data;
  const tenant = await trx
    .selectFrom('tenants')
    .select('id')
    .where('id', '=', tenantId)
    .executeTakeFirst();
  if (!tenant) throw new EInvoiceWebhookError('the webhook names an unknown tenant');
  const applied = await applyEInvoiceStatus(
    trx,
    tenant.id,
    { ettn: data.ettn, status: data.status, reasonCode: data.reasonCode ?? null },
    now,
  );
  if (applied === undefined)
    throw new EInvoiceWebhookError('the webhook names an ETTN this server did not queue');
  if (applied === false) return `e-invoice ${data.ettn} is already ${data.status}`;
  return `e-invoice ${applied.id} ${data.status}; efatura.status.update recorded`;
}
