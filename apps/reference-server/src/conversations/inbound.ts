/**
 * Patients' WhatsApp messages to `whatsapp.inbound`, run by the inbound
 * processor inside its transaction (see ../inbound/handlers.ts). The sender
 * is found by the blind index of the phone number (`+` and Meta's digits) in
 * every tenant; a number known to several tenants is attributed only when
 * the message replies to a message one of them sent, and otherwise left
 * alone, so no clinic ever sees another's patient. An unknown sender, or a
 * patient who has not consented to messaging, gives no event. The event
 * carries the case, the patient id, Meta's message id, the masked text
 * (./mask.ts) and the patient's preferred language — never the number.
 */
import { type Kysely, sql } from 'kysely';
import { findKeyRing } from '../crypto/keys.ts';
import type { DB, Row } from '../db/schema.ts';
import { recordEvent } from '../kernel/outbox.ts';
import { contactIndex, openPatientIn } from '../patients/pii.ts';
import { maskMessageText } from './mask.ts';
import { readWhatsAppMessages, type WhatsAppInboundMessage } from './whatsapp-messages.ts';

/** Tenants looked at per query of the blind index. */
const TENANT_BATCH = 500;
/** Tenants looked at in all: a bound on the work one message can cause. */
const MAX_TENANTS = 10_000;
const CODE = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/;
const REF = /^[A-Za-z0-9][A-Za-z0-9._:/+=#@-]{0,127}$/;

/** Applications that keep a case open: anything not refused or withdrawn. */
const closedVisaStatuses = ['rejected', 'cancelled'] as const;

async function sendersOf(trx: Kysely<DB>, phone: string): Promise<Row<'patients'>[]> {
  const ring = findKeyRing(trx);
  if (!ring) return []; // no keys: no patient can be found by contact
  const found: Row<'patients'>[] = [];
  let after = '';
  for (let seen = 0; seen < MAX_TENANTS; seen += TENANT_BATCH) {
    const tenants = await trx
      .selectFrom('tenants')
      .select('id')
      .where('id', '>', after)
      .orderBy('id')
      .limit(TENANT_BATCH)
      .execute();
    if (tenants.length === 0) break;
    after = tenants.at(-1)?.id ?? after;
    // (tenant, index) pairs, so the lookup uses the (tenant_id, phone_index) index.
    const pairs = tenants.map((t) => sql`(${t.id}, ${contactIndex(ring, t.id, 'phone', phone)})`);
    found.push(
      ...(await trx
        .selectFrom('patients')
        .selectAll()
        .where(sql<boolean>`(tenant_id, phone_index) in (${sql.join(pairs)})`)
        .limit(20)
        .execute()),
    );
    if (tenants.length < TENANT_BATCH) break;
  }
  return found;
}

/** The one patient a message is from, or a reason it is not attributed. */
async function attribute(
  trx: Kysely<DB>,
  message: WhatsAppInboundMessage,
): Promise<Row<'patients'> | 'unknown' | 'ambiguous'> {
  const senders = await sendersOf(trx, `+${message.from}`);
  if (senders.length === 0) return 'unknown';
  if (senders.length === 1) return senders[0] as Row<'patients'>;
  if (!message.replyTo) return 'ambiguous';
  const intent = await trx
    .selectFrom('notification_intents')
    .select(['tenant_id', 'patient_id'])
    .where('provider_message_id', '=', message.replyTo)
    .executeTakeFirst();
  const match = senders.find(
    (p) => p.id === intent?.patient_id && p.tenant_id === intent?.tenant_id,
  );
  return match ?? 'ambiguous';
}

/**
 * The patient's open case: the reference of the newest visa application
 * not rejected or cancelled (the one record tying a patient to a case
 * here), else the patient id itself.
 *
 * @example
 * const caseId = await caseOf(trx, 'ten_…', 'pat_…'); // 'case_42' or 'pat_…'
 */
export async function caseOf(
  trx: Kysely<DB>,
  tenantId: string,
  patientId: string,
): Promise<string> {
  const { rows } = await sql<{ present: string | null }>`
    select to_regclass('visa_applications')::text as present`.execute(trx);
  if (rows[0]?.present) {
    const open = await trx
      .selectFrom('visa_applications')
      .select('case_ref')
      .where('tenant_id', '=', tenantId)
      .where('patient_id', '=', patientId)
      .where('status', 'not in', closedVisaStatuses)
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (open && REF.test(open.case_ref)) return open.case_ref;
  }
  return patientId;
}

/** Meta's send time when it is plausible (the last 30 days up to an hour ahead), else now. */
function receivedAtOf(sentAt: Date | null, now: Date): Date {
  if (!sentAt) return now;
  const ms = sentAt.getTime() - now.getTime();
  return ms > 3_600_000 || ms < -30 * 86_400_000 ? now : sentAt;
}

/**
 * Records `whatsapp.inbound` for each message of a WhatsApp webhook from a
 * known, consenting patient; resolves to what was done, for the webhook's reason.
 *
 * @example
 * const reason = await recordInboundMessages(trx, payload, new Date()); // '1 inbound message(s) recorded, …'
 */
export async function recordInboundMessages(
  trx: Kysely<DB>,
  payload: Record<string, unknown>,
  now: Date,
): Promise<string | null> {
  const messages = readWhatsAppMessages(payload);
  if (messages.length === 0) return null;
  let recorded = 0;
  let skipped = 0;
  for (const message of messages) {
    const sender = await attribute(trx, message);
    if (typeof sender === 'string' || !sender.consent_messaging || !REF.test(message.id)) {
      skipped++;
      continue;
    }
    const patient = openPatientIn(trx, sender);
    const names = [patient.given_name, patient.family_name, message.profileName ?? ''];
    await recordEvent(trx, {
      tenantId: patient.tenant_id,
      type: 'whatsapp.inbound',
      entityType: 'whatsapp_message',
      entityId: message.id,
      data: {
        caseId: await caseOf(trx, patient.tenant_id, patient.id),
        patientId: patient.id as `pat_${string}`,
        messageId: message.id,
        kind: message.kind,
        message: message.text === null ? null : maskMessageText(message.text, names),
        lang: CODE.test(patient.preferred_language) ? patient.preferred_language : 'und',
        receivedAt: receivedAtOf(message.sentAt, now).toISOString(),
      },
      occurredAt: now,
    });
    recorded++;
  }
  // Counts only: which sender was unknown or had not consented stays out of the reason.
  return `${recorded} inbound message(s) recorded, ${skipped} not (unknown sender or no consent)`;
}
