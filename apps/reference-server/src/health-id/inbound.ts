/**
 * What the ABDM gateway's callbacks (`/webhooks/abdm`) do, run by the
 * inbound processor in its transaction:
 *
 * - the consent request's on-init (`{ consentRequest: { id }, response:
 *   { requestId } }`) gives the gateway's consent request id to the row
 *   asked with that REQUEST-ID;
 * - a consent notification (`{ notification: { consentRequestId, status,
 *   consentArtefacts } }`, read by the adapter's `parseConsentNotification`)
 *   grants, denies, revokes or expires the consent it names.
 *
 * A notification may be processed before its on-init: it is then retried
 * (the processor backs off) rather than lost. A body of neither shape can
 * never be processed and is refused as permanent.
 */
import { isProviderError } from '@clinicbridge/adapters';
import { parseConsentNotification } from '@clinicbridge/adapters/abdm';
import type { Kysely } from 'kysely';
import * as z from 'zod';
import type { DB } from '../db/schema.ts';
import type { HealthConsentStatus } from './schema.ts';

const GatewayId = z.string().min(1).max(100);

const OnInit = z.object({
  consentRequest: z.object({ id: GatewayId }),
  response: z.object({ requestId: GatewayId }),
});

/**
 * An ABDM callback that can never be processed; the processor marks it failed.
 *
 * @example
 * throw new AbdmCallbackError('the callback is neither an on-init nor a notification');
 */
export class AbdmCallbackError extends Error {
  // The processor tells permanent failures by this name (see inbound/processor.ts).
  override readonly name = 'PermanentInboundError';
}

const STATUS: Record<string, HealthConsentStatus> = {
  GRANTED: 'granted',
  DENIED: 'denied',
  REVOKED: 'revoked',
  EXPIRED: 'expired',
};

/** Which statuses a notice may move a consent from: a revoked or expired consent stays so. */
const FROM: Record<HealthConsentStatus, readonly HealthConsentStatus[]> = {
  granted: ['requested', 'manual'],
  denied: ['requested', 'manual'],
  revoked: ['granted'],
  expired: ['granted', 'requested', 'manual'],
  requested: [],
  manual: [],
};

/**
 * Applies one ABDM callback; resolves to what was done.
 *
 * @example
 * const reason = await handleAbdmCallback(trx, payload, now);
 */
export async function handleAbdmCallback(
  trx: Kysely<DB>,
  payload: Record<string, unknown>,
  now: Date,
): Promise<string> {
  if ('consentRequest' in payload) {
    const parsed = OnInit.safeParse(payload);
    if (!parsed.success)
      throw new AbdmCallbackError(
        'the on-init callback has no consentRequest.id or response.requestId',
      );
    const { consentRequest, response } = parsed.data;
    const updated = await trx
      .updateTable('health_consents')
      .set({ consent_request_id: consentRequest.id, updated_at: now })
      .where('request_id', '=', response.requestId)
      .where('consent_request_id', 'is', null)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) {
      const known = await trx
        .selectFrom('health_consents')
        .select('consent_request_id')
        .where('request_id', '=', response.requestId)
        .executeTakeFirst();
      if (!known)
        throw new AbdmCallbackError('the on-init names a request this server did not make');
      return 'consent request already known';
    }
    return 'consent request id recorded';
  }
  let notice: ReturnType<typeof parseConsentNotification>;
  try {
    notice = parseConsentNotification(payload);
  } catch (error) {
    if (isProviderError(error))
      throw new AbdmCallbackError(
        'the callback is neither a consent on-init nor a consent notification',
      );
    throw error;
  }
  const consent = await trx
    .selectFrom('health_consents')
    .select(['id', 'status'])
    .where('consent_request_id', '=', notice.consentRequestId)
    .executeTakeFirst();
  // Not known yet: its on-init may still be on the way, so this is retried.
  if (!consent) throw new Error('the notification names a consent request not known yet');
  const status = STATUS[notice.status] ?? 'denied';
  if (consent.status === status) return `consent already ${status}`;
  if (!FROM[status].includes(consent.status)) return `consent ${consent.status}; ${status} ignored`;
  await trx
    .updateTable('health_consents')
    .set({
      status,
      updated_at: now,
      ...(status === 'granted' && notice.artefactIds[0]
        ? { artefact_id: notice.artefactIds[0].slice(0, 100) }
        : {}),
    })
    .where('id', '=', consent.id)
    .execute();
  return `consent ${status}`;
}
