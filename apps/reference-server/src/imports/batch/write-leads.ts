/**
 * Batched writer of the `leads` kind. `prepareLead` normalises the phone
 * (E.164) and the email (lower case) and rejects a lead whose phone or email
 * an earlier row of the file had; `writeLeads` stores a batch with multi-row
 * `INSERT … ON CONFLICT DO NOTHING`, and a row the unique indexes turned away
 * is a duplicate of a stored lead. Leads emit no events.
 *
 * The row a lead becomes is built in `leadRow` alone, so how a lead is
 * stored (its columns, their encryption) changes in one place.
 */
import { newId } from '@clinicbridge/sdk/contract';
import type { Insertable, Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { ChangeContext } from '../../kernel/change.ts';
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
 * The stored row of a lead.
 *
 * @example
 * const row = leadRow(change, prepared);
 */
export function leadRow(change: ChangeContext, lead: PreparedLead): Insertable<DB['leads']> {
  return {
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
    created_at: change.now,
  };
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
  for (const slice of slices(rows, 500)) {
    const values = slice.map(({ value }) => leadRow(change, value));
    const saved = await db
      .insertInto('leads')
      .values(values)
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .execute();
    const kept = new Set(saved.map((s) => s.id));
    slice.forEach(({ row, value }, i) => {
      if (kept.has(values[i]?.id as string)) return;
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
