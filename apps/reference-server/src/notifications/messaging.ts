/**
 * Sends notification intents through `@clinicbridge/adapters`: one
 * `MessagingChannel` (WhatsApp, SMS or email), or the fallback composer over
 * every configured channel (WhatsApp, then SMS, then email; a manual task on
 * `/ops` when all fail). Only patients who consented to messaging are
 * contacted, in their language; the intent id is the idempotency key, so a
 * redelivered event never sends twice at a provider that honours it.
 * Variables are the event's non-clinical values and the patient's given name.
 */
import type { MessagingChannel } from '@clinicbridge/adapters';
import type { MessagingComposer } from '@clinicbridge/adapters/messaging';
import type { EventEnvelope } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { openPatientIn } from '../patients/pii.ts';
import { callForTenant } from '../providers/audit.ts';
import type { SendNotification } from './subscriber.ts';

const variableFields = [
  'startsAt',
  'endsAt',
  'status',
  'country',
  'flightNumber',
  'departAt',
  'dueDate',
] as const;

/**
 * The template variables of a notification: the patient's given name and the event's non-clinical values.
 *
 * @example
 * variablesOf({ startsAt: '2026-12-08T09:00:00Z' }, 'Ayşe'); // { givenName: 'Ayşe', startsAt: '2026-12-08T09:00:00Z' }
 */
export function variablesOf(
  data: Record<string, unknown>,
  givenName: string,
): Record<string, string> {
  const variables: Record<string, string> = { givenName };
  for (const field of variableFields) {
    const value = data[field];
    if (typeof value === 'string') variables[field] = value;
  }
  const money = (data.amount ?? data.amountDue) as
    | { amount?: unknown; currency?: unknown }
    | undefined;
  if (money && typeof money.amount === 'number' && typeof money.currency === 'string') {
    variables.amount = String(money.amount);
    variables.currency = money.currency;
  }
  return variables;
}

/**
 * The consenting patient an intent is for, or null.
 *
 * @example
 * const patient = await recipientOf(trx, { tenantId: 'ten_1', patientId: 'pat_1' });
 */
export async function recipientOf(
  trx: Kysely<DB>,
  intent: { tenantId: string; patientId: string | null },
) {
  if (!intent.patientId) return null;
  const row = await trx
    .selectFrom('patients')
    .selectAll()
    .where('tenant_id', '=', intent.tenantId)
    .where('id', '=', intent.patientId)
    .executeTakeFirst();
  return row?.consent_messaging ? openPatientIn(trx, row) : null;
}

/**
 * A {@link SendNotification} over one messaging channel.
 *
 * @example
 * const notifications = notificationsSubscriber({ send: sendThroughChannel(whatsappChannel) });
 */
export function sendThroughChannel(channel: MessagingChannel): SendNotification {
  return async (intent, { trx, event }) => {
    if (!channel.supports(intent.template)) return null;
    const patient = await recipientOf(trx, intent);
    if (!patient) return null;
    const to = channel.channel === 'email' ? patient.email : patient.phone;
    if (!to) return null;
    const result = await callForTenant(
      intent.tenantId,
      () =>
        channel.send({
          channel: channel.channel,
          to,
          template: intent.template,
          locale: patient.preferred_language,
          variables: variablesOf(event.data, patient.given_name),
          idempotencyKey: intent.id,
          correlationId: event.id,
        }),
      trx,
    );
    return { providerMessageId: result.providerMessageId };
  };
}

/**
 * A {@link SendNotification} over the fallback composer. A send the
 * composer hands to a person (every channel failed) counts as not sent
 * here: the intent stays `recorded` and the task waits on `/ops`. A send
 * the sender's daily quota defers waits for the next UTC day.
 *
 * @example
 * const notifications = notificationsSubscriber({ send: sendThroughComposer(providers.messaging) });
 */
export function sendThroughComposer(composer: MessagingComposer): SendNotification {
  return async (intent, { trx, event }: { trx: Kysely<DB>; event: EventEnvelope }) => {
    const patient = await recipientOf(trx, intent);
    if (!patient) return null;
    const result = await callForTenant(
      intent.tenantId,
      () =>
        composer.send({
          subjectRef: patient.id,
          purpose: 'transactional',
          template: intent.template,
          locale: patient.preferred_language,
          variables: variablesOf(event.data, patient.given_name),
          recipient: {
            ...(patient.phone ? { phone: patient.phone } : {}),
            ...(patient.email ? { email: patient.email } : {}),
          },
          containsClinicalDetail: false,
          idempotencyKey: intent.id,
          correlationId: event.id,
        }),
      trx,
    );
    if (result.status === 'deferred') return { deferredUntil: new Date(result.retryAt) };
    return result.status === 'sent' ? { providerMessageId: result.providerMessageId } : null;
  };
}
