/**
 * One send of a queued push intent: the intent names the patient, the
 * worker reads the patient's registered devices at send time (tokens
 * decrypted in memory only) and pushes to each through the `PushChannel`
 * (FCM). Each device is its own unit in the worker's inbox
 * (`relay_consumer_inbox`, consumer `notifications.push`, key
 * `<intent id>:<device id>`), in one transaction with the provider call's
 * audit and manual-task rows, so a redelivered or retried intent pushes
 * only to the devices it has not reached yet (FCM keeps no idempotency
 * key). A token FCM reports as unregistered removes that device, audited.
 * An unavailable FCM (the adapter's manual fallback) rolls that device's
 * transaction back and the intent is retried through `<queue>.retry`; on
 * the last attempt the manual task is kept. Patients who withdrew consent
 * to messaging get nothing.
 */
import { isProviderError, type PushChannel } from '@clinicbridge/adapters';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { forgetDevice, pushTargetsOf } from '../patients/devices.ts';
import { callForTenant } from '../providers/audit.ts';
import { consumeOnce } from '../relay/consumer-inbox.ts';
import type { NotificationIntent } from './intent.ts';
import type { SendOutcome } from './worker-send.ts';

class TransientPush extends Error {
  override readonly name = 'TransientPush';
}

type PushIntent = Extract<NotificationIntent, { queue: 'push_notifications' }>;
type DeviceOutcome = 'sent' | 'repeat' | 'unregistered' | 'refused' | 'manual';

/**
 * Pushes `intent` to the patient's devices, each once (see the module header).
 *
 * @example
 * const outcome = await pushIntentOnce(db, intent, push, { finalAttempt: false, now: () => new Date() });
 */
export async function pushIntentOnce(
  db: Kysely<DB>,
  intent: PushIntent,
  push: PushChannel,
  options: { finalAttempt: boolean; now: () => Date },
): Promise<SendOutcome> {
  const patient = await db
    .selectFrom('patients')
    .select('consent_messaging')
    .where('tenant_id', '=', intent.tenantId)
    .where('id', '=', intent.subjectRef)
    .executeTakeFirst();
  if (!patient?.consent_messaging) return { kind: 'not_sent', reason: 'no consent' };
  const targets = await pushTargetsOf(db, intent.tenantId, intent.subjectRef);
  if (targets.length === 0) return { kind: 'not_sent', reason: 'no registered device' };
  const outcomes: DeviceOutcome[] = [];
  const providerIds: string[] = [];
  const transient: string[] = [];
  for (const target of targets) {
    let outcome: DeviceOutcome = 'repeat';
    try {
      await consumeOnce(
        db,
        { consumer: 'notifications.push', eventId: `${intent.intentId}:${target.id}` },
        async (trx) => {
          const result = await callForTenant(
            intent.tenantId,
            async () => {
              try {
                return await push.send({
                  subjectRef: intent.subjectRef,
                  deviceToken: target.token,
                  title: intent.title,
                  body: intent.body,
                  data: { notificationRef: intent.intentId },
                  collapseKey: intent.intentId.slice(0, 64),
                  correlationId: intent.eventId,
                });
              } catch (error) {
                // Refused for good (a malformed token, a misconfigured project): not retried.
                if (isProviderError(error) && !error.transient)
                  return { status: 'refused' as const, code: error.providerCode ?? error.code };
                throw error;
              }
            },
            trx,
          );
          if (result.status === 'sent') {
            outcome = 'sent';
            providerIds.push(result.providerMessageId);
          } else if (result.status === 'invalid_token') {
            outcome = 'unregistered';
            await forgetDevice(trx, {
              tenantId: intent.tenantId,
              patientId: intent.subjectRef,
              deviceId: target.id,
              now: options.now(),
            });
          } else if (result.status === 'manual') {
            // Rolls back the inbox row and the manual task: the retry pushes afresh.
            if (!options.finalAttempt) throw new TransientPush(`push:${target.platform}`);
            outcome = 'manual';
          } else outcome = 'refused';
        },
        options.now(),
      );
    } catch (error) {
      if (!(error instanceof TransientPush)) throw error;
      transient.push(error.message);
      continue;
    }
    outcomes.push(outcome);
  }
  if (transient.length > 0) return { kind: 'retry', reason: transient.join(',') };
  if (providerIds[0]) return { kind: 'sent', providerMessageId: providerIds[0] };
  if (outcomes.includes('manual'))
    return { kind: 'exhausted', reason: 'push:provider_unavailable' };
  if (outcomes.every((o) => o === 'repeat')) return { kind: 'repeat' };
  return {
    kind: 'not_sent',
    reason: outcomes.includes('unregistered') ? 'unregistered device removed' : 'refused by FCM',
  };
}
