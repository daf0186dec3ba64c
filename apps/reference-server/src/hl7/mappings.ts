/**
 * A tenant's mappings from the hospital's codes to its own: providers
 * (XCN-1, e.g. PV1-7's attending doctor) to clinicians, hospital services
 * (PV1-10) or wards (PV1-3.1) to departments, and billable codes (a
 * hospital service per day of stay, a procedure from PR1-3 each time) to
 * priced catalogue services. Written by operators (`clinicbridge-server
 * hl7-map`); read while ADT messages are applied.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/**
 * One mapping as an operator enters it.
 *
 * @example
 * const service: MappingInput = { kind: 'service', code: 'MED', ref: 'Ward stay, medicine', unit: 'day', unitPrice: 450_000, currency: 'INR', taxRateBps: 0 };
 */
export type MappingInput =
  | { kind: 'provider'; code: string; ref: string }
  | { kind: 'department'; code: string; ref: string; label?: string | undefined }
  | {
      kind: 'service';
      code: string;
      /** The invoice line's description. */
      ref: string;
      unit: 'day' | 'each';
      unitPrice: number;
      currency: string;
      taxRateBps?: number | undefined;
    };

/**
 * A mapping that cannot be stored (a price that is not whole minor units).
 *
 * @example
 * if (error instanceof MappingInputError) console.error(error.message);
 */
export class MappingInputError extends Error {
  override readonly name = 'MappingInputError';
}

/**
 * Creates or replaces one mapping of a tenant.
 *
 * @example
 * await upsertMapping(db, tenantId, { kind: 'provider', code: 'D123', ref: 'dr-rao' }, new Date());
 */
export async function upsertMapping(
  db: Kysely<DB>,
  tenantId: string,
  input: MappingInput,
  now: Date,
): Promise<void> {
  const code = input.code.trim();
  if (code === '' || code.length > 100)
    throw new MappingInputError('the code must be 1–100 characters');
  if (input.ref.trim() === '' || input.ref.length > 300) {
    throw new MappingInputError('the mapped value must be 1–300 characters');
  }
  const stamps = { created_at: now, updated_at: now };
  if (input.kind === 'provider') {
    await db
      .insertInto('hl7_provider_mappings')
      .values({ tenant_id: tenantId, provider_code: code, clinician_ref: input.ref, ...stamps })
      .onConflict((oc) =>
        oc
          .columns(['tenant_id', 'provider_code'])
          .doUpdateSet({ clinician_ref: input.ref, updated_at: now }),
      )
      .execute();
    return;
  }
  if (input.kind === 'department') {
    const label = input.label ?? null;
    await db
      .insertInto('hl7_department_mappings')
      .values({ tenant_id: tenantId, code, department_ref: input.ref, label, ...stamps })
      .onConflict((oc) =>
        oc
          .columns(['tenant_id', 'code'])
          .doUpdateSet({ department_ref: input.ref, label, updated_at: now }),
      )
      .execute();
    return;
  }
  if (!Number.isSafeInteger(input.unitPrice) || input.unitPrice < 0) {
    throw new MappingInputError(
      'the unit price must be a whole number of minor units (paise, cents)',
    );
  }
  if (!/^[A-Z]{3}$/.test(input.currency))
    throw new MappingInputError('the currency must be an ISO 4217 code');
  const taxRateBps = input.taxRateBps ?? 0;
  if (!Number.isInteger(taxRateBps) || taxRateBps < 0 || taxRateBps > 10_000) {
    throw new MappingInputError('the tax rate must be 0–10000 basis points');
  }
  const values = {
    label: input.ref,
    unit: input.unit,
    unit_price: input.unitPrice,
    currency: input.currency,
    tax_rate_bps: taxRateBps,
  };
  await db
    .insertInto('hl7_service_mappings')
    .values({ tenant_id: tenantId, code, ...values, ...stamps })
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'code']).doUpdateSet({ ...values, updated_at: now }),
    )
    .execute();
}

/**
 * The clinician a hospital provider id maps to, or null.
 *
 * @example
 * await clinicianFor(trx, tenantId, 'D123'); // 'dr-rao'
 */
export async function clinicianFor(
  db: Kysely<DB>,
  tenantId: string,
  providerCode: string,
): Promise<string | null> {
  if (providerCode === '') return null;
  const row = await db
    .selectFrom('hl7_provider_mappings')
    .select('clinician_ref')
    .where('tenant_id', '=', tenantId)
    .where('provider_code', '=', providerCode)
    .executeTakeFirst();
  return row?.clinician_ref ?? null;
}

/**
 * The department of the first of `codes` (hospital service, then ward) that maps, or null.
 *
 * @example
 * await departmentFor(trx, tenantId, ['MED', 'W4']); // 'internal-medicine'
 */
export async function departmentFor(
  db: Kysely<DB>,
  tenantId: string,
  codes: readonly string[],
): Promise<string | null> {
  const wanted = codes.filter((c) => c !== '');
  if (wanted.length === 0) return null;
  const rows = await db
    .selectFrom('hl7_department_mappings')
    .select(['code', 'department_ref'])
    .where('tenant_id', '=', tenantId)
    .where('code', 'in', wanted)
    .execute();
  for (const code of wanted) {
    const found = rows.find((r) => r.code === code);
    if (found) return found.department_ref;
  }
  return null;
}

/**
 * The priced services of `codes` (those that map), by code.
 *
 * @example
 * const prices = await servicesFor(trx, tenantId, ['MED', '76164006']);
 */
export async function servicesFor(db: Kysely<DB>, tenantId: string, codes: readonly string[]) {
  const wanted = [...new Set(codes.filter((c) => c !== ''))];
  if (wanted.length === 0) return new Map();
  const rows = await db
    .selectFrom('hl7_service_mappings')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('code', 'in', wanted)
    .execute();
  return new Map(rows.map((row) => [row.code, row]));
}
