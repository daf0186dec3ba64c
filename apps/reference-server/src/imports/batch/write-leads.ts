/**
 * Batched writer of the `leads` kind. `prepareLead` normalises the phone
 * (E.164) and the email (lower case) and rejects a lead whose phone or email
 * an earlier row of the file had; `writeLeads` stores a batch with multi-row
 * `INSERT … ON CONFLICT DO NOTHING`, and a row the unique indexes turned away
 * is a duplicate of a stored lead. Leads emit no events; a lead stored with
 * marketing consent gets an audit row and is queued for the CRM.
 *
 * The row a lead becomes is built in `leadRow` alone: its name, phone, email
 * and notes sealed into `pii` with blind indexes of the phone and the email
 * (src/leads/pii.ts), which the unique indexes de-duplicate on. Leads stored
 * in clear before encryption have no blind index yet: a batch looks them up
 * on their plaintext columns first, and a lead matching one is a duplicate.
 */
import { newId } from '@clinicbridge/sdk/contract';
import type { Insertable, Kysely } from 'kysely';
import { queueConsentForCrm } from '../../crm/queue.ts';
import {
  createFieldSealer,
  type FieldSealer,
  type KeyRing,
} from '../../crypto/field-encryption.ts';
import { keyRingOf } from '../../crypto/keys.ts';
import type { DB } from '../../db/schema.ts';
import { auditChange, type ChangeContext } from '../../kernel/change.ts';
import { type LeadRecord, sealLead } from '../../leads/pii.ts';
import { toE164 } from '../cells.ts';
import type { leadSchema } from '../lead-rows.ts';
import { firstSeen, type RowPosition, type RowReject } from '../row-kind.ts';
import type { BatchKind, Prepared, PreparedRow } from './batch-kind.ts';
import { slices } from './batch-kind.ts';

type LeadInput = ReturnType<typeof leadSchema.parse>;

/**
 * A lead with its keys normalised.
 *
 * @example
 * const lead: PreparedLead = { input, phone: '+905321234567', email: null };
 */
export interface PreparedLead {
  input: LeadInput;
  phone: string | null;
  email: string | null;
}

const masked = (value: string) => `${Array.from(value)[0] ?? ''}***`;

function reject(row: number, column: string, value: string, message: string, code: string) {
  return { row, column, value: masked(value), message, code, severity: 'error' } as RowReject;
}

/**
 * Normalises one lead, or rejects it (bad phone, or a phone or email an earlier row had).
 *
 * @example
 * const out = prepareLead({ phone: '+90 532 123 45 67', source: 'agent' }, { row: 2, seen: new Map() });
 */
export function prepareLead(
  input: Record<string, unknown>,
  at: RowPosition,
): Prepared<PreparedLead> {
  const row = input as LeadInput;
  const phone = row.phone === undefined ? null : toE164(row.phone);
  if (row.phone !== undefined && phone === null) {
    const message = 'phone must be in international form with its country code (+90 532 …)';
    return { ok: false, rejects: [reject(at.row, 'phone', row.phone, message, 'invalid_format')] };
  }
  const email = row.email?.toLowerCase() ?? null;
  for (const [column, key] of [
    ['phone', phone],
    ['email', email],
  ] as const) {
    if (key === null) continue;
    const earlier = firstSeen(at, column, key);
    if (earlier !== undefined) {
      const message = `the same ${column} as row ${earlier}; the lead is kept once`;
      return { ok: false, rejects: [reject(at.row, column, key, message, 'duplicate')] };
    }
  }
  return { ok: true, value: { input: row, phone, email } };
}

/**
 * The stored row of a lead: personal fields sealed under the ring's active key, blind indexes set.
 *
 * @example
 * const row = leadRow(keyRingOf(db), change, prepared);
 */
export function leadRow(
  ring: KeyRing,
  change: ChangeContext,
  lead: PreparedLead,
  sealer?: FieldSealer,
): Insertable<DB['leads']> {
  const createdAt = lead.input.createdAt;
  const record: LeadRecord = {
    id: newId('lea'),
    tenant_id: change.tenantId,
    name: lead.input.name ?? null,
    phone: lead.phone,
    email: lead.email,
    source: lead.input.source,
    campaign: lead.input.campaign ?? null,
    agent_ref: lead.input.agentRef ?? null,
    country_code: lead.input.countryCode ?? null,
    notes: lead.input.notes ?? null,
    marketing_consent: lead.input.marketingConsent === true,
    marketing_consent_at: lead.input.marketingConsent === true ? change.now : null,
    created_at:
      createdAt === undefined
        ? change.now
        : new Date(createdAt.length === 10 ? `${createdAt}T00:00:00Z` : createdAt),
  };
  return { ...record, ...sealLead(ring, record, sealer) };
}

/** Phones and emails of `rows` that leads stored in clear (before encryption) already hold. */
async function clearDuplicates(
  db: Kysely<DB>,
  tenantId: string,
  rows: readonly PreparedRow<PreparedLead>[],
): Promise<{ phones: Set<string>; emails: Set<string> }> {
  const phones = rows.flatMap(({ value }) => (value.phone === null ? [] : [value.phone]));
  const emails = rows.flatMap(({ value }) => (value.email === null ? [] : [value.email]));
  const found = { phones: new Set<string>(), emails: new Set<string>() };
  if (phones.length === 0 && emails.length === 0) return found;
  const stored = await db
    .selectFrom('leads')
    .select(['phone', 'email'])
    .where('tenant_id', '=', tenantId)
    .where('pii_kid', 'is', null)
    .where((eb) =>
      eb.or([
        ...(phones.length > 0 ? [eb('phone', 'in', phones)] : []),
        ...(emails.length > 0 ? [eb('email', 'in', emails)] : []),
      ]),
    )
    .execute();
  for (const lead of stored) {
    if (lead.phone !== null) found.phones.add(lead.phone);
    if (lead.email !== null) found.emails.add(lead.email);
  }
  return found;
}

/** Audits the consent of leads stored with one, and queues them for the CRM (src/crm). */
async function recordLeadConsents(
  db: Kysely<DB>,
  change: ChangeContext,
  rows: readonly Insertable<DB['leads']>[],
): Promise<void> {
  for (const row of rows)
    await auditChange(db, change, 'lead.marketing_consent_changed', 'lead', row.id, {
      marketingConsent: true,
      via: 'import',
    });
  await queueConsentForCrm(
    db,
    change.tenantId,
    'lead',
    rows.map((row) => row.id),
    change.now,
  );
}

/**
 * Stores a batch of leads; a lead whose phone or email is already stored is rejected as a duplicate.
 *
 * @example
 * const rejects = await writeLeads(trx, change, prepared);
 */
export async function writeLeads(
  db: Kysely<DB>,
  change: ChangeContext,
  rows: readonly PreparedRow<PreparedLead>[],
): Promise<RowReject[]> {
  const rejects: RowReject[] = [];
  const ring = keyRingOf(db);
  // One data key per batch (each lead still has its own nonce and row-bound data).
  const sealer = createFieldSealer(ring);
  for (const slice of slices(rows, 500)) {
    const clear = await clearDuplicates(db, change.tenantId, slice);
    const fresh = slice.filter(
      ({ value: { phone, email } }) =>
        !(phone !== null && clear.phones.has(phone)) &&
        !(email !== null && clear.emails.has(email)),
    );
    const values = new Map(fresh.map((lead) => [lead, leadRow(ring, change, lead.value, sealer)]));
    const saved =
      values.size === 0
        ? []
        : await db
            .insertInto('leads')
            .values([...values.values()])
            .onConflict((oc) => oc.doNothing())
            .returning('id')
            .execute();
    const kept = new Set(saved.map((s) => s.id));
    await recordLeadConsents(
      db,
      change,
      [...values.values()].filter((row) => row.marketing_consent === true && kept.has(row.id)),
    );
    slice.forEach((lead) => {
      const { row, value } = lead;
      const id = values.get(lead)?.id;
      if (id !== undefined && kept.has(id)) return;
      const { phone, email } = value;
      const column = phone !== null ? 'phone' : 'email';
      const both = phone !== null && email !== null ? 'phone or email' : column;
      const message = `a lead with this ${both} is already stored`;
      rejects.push(reject(row, column, phone ?? email ?? '', message, 'duplicate'));
    });
  }
  return rejects;
}

/**
 * The `leads` kind, batched.
 *
 * @example
 * const rejects = await leadBatches.write(trx, change, prepared);
 */
export const leadBatches: BatchKind<PreparedLead> = { prepare: prepareLead, write: writeLeads };
