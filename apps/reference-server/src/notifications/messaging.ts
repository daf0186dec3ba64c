/**
 * Sends notification intents through a `MessagingChannel` of
 * `@clinicbridge/adapters` (WhatsApp, SMS or email). Only patients who
 * consented to messaging are contacted, at the address the channel needs,
 * in their language; the intent id is the idempotency key, so a redelivered
 * event never sends twice at a provider that honours it. Variables are the
 * event's non-clinical values and the patient's given name.
 */
import type { MessagingChannel } from '@clinicbridge/adapters';
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

function variablesOf(data: Record<string, unknown>, givenName: string): Record<string, string> {
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
 * A {@link SendNotification} over one messaging channel.
 *
 * @example
 * const subscribers = defaultSubscribers({ sendNotification: sendThroughChannel(whatsappChannel) });
 */
export function sendThroughChannel(channel: MessagingChannel): SendNotification {
  return async (intent, { trx, event }) => {
    if (!intent.patientId || !channel.supports(intent.template)) return null;
    const patient = await trx
      .selectFrom('patients')
      .select(['given_name', 'email', 'phone', 'preferred_language', 'consent_messaging'])
      .where('tenant_id', '=', intent.tenantId)
      .where('id', '=', intent.patientId)
      .executeTakeFirst();
    if (!patient?.consent_messaging) return null;
    const to = channel.channel === 'email' ? patient.email : patient.phone;
    if (!to) return null;
    const result = await channel.send({
      channel: channel.channel,
      to,
      template: intent.template,
      locale: patient.preferred_language,
      variables: variablesOf(event.data, patient.given_name),
      idempotencyKey: intent.id,
      correlationId: event.id,
    });
    return { providerMessageId: result.providerMessageId };
  };
}
