/**
 * The billing handoff at discharge: an encounter's charges become an
 * invoice. The charges are the stay — the hospital service (PV1-10) priced
 * per day when its code maps to a `day` service — and every procedure kept
 * from PR1 segments whose code maps to a service. Codes without a mapping
 * are named in the inbox row's reason, never guessed. The invoice is
 * issued through the invoices service (one call, `issueInvoice`), in the
 * currency of the first priced charge; charges in another currency are
 * left out and named.
 */
import type { Row } from '../../db/schema.ts';
import { issueInvoice, type LineInput } from '../../invoices/service.ts';
import { servicesFor } from '../mappings.ts';
import type { AdtContext } from './encounters.ts';

const DAY_MS = 86_400_000;

/**
 * Nights of a stay, counted as started days (at least one).
 *
 * @example
 * stayDays(new Date('2026-03-01T10:00Z'), new Date('2026-03-03T09:00Z')); // 2
 */
export function stayDays(admittedAt: Date, dischargedAt: Date): number {
  return Math.max(1, Math.ceil((dischargedAt.getTime() - admittedAt.getTime()) / DAY_MS));
}

/**
 * Drafts the invoice of a discharged encounter; returns its id (null when
 * nothing was priced) and a note for the inbox row.
 *
 * @example
 * const { invoiceId, note } = await draftInvoice(ctx, encounter, dischargedAt);
 */
export async function draftInvoice(
  ctx: AdtContext,
  encounter: Row<'encounters'>,
  dischargedAt: Date,
): Promise<{ invoiceId: string | null; note: string }> {
  if (encounter.invoice_id)
    return { invoiceId: encounter.invoice_id, note: 'invoice already drafted' };
  const procedures = await ctx.db
    .selectFrom('hl7_encounter_charges')
    .select('code')
    .where('tenant_id', '=', ctx.change.tenantId)
    .where('encounter_id', '=', encounter.id)
    .orderBy('created_at')
    .execute();
  const stayCode = encounter.hospital_service ?? '';
  const services = await servicesFor(ctx.db, ctx.change.tenantId, [
    stayCode,
    ...procedures.map((p) => p.code),
  ]);
  const charges: { code: string; quantity: number; stay: boolean }[] = [];
  if (stayCode !== '') {
    const days = stayDays(encounter.admitted_at ?? dischargedAt, dischargedAt);
    charges.push({ code: stayCode, quantity: days, stay: true });
  }
  const counts = new Map<string, number>();
  for (const { code } of procedures) counts.set(code, (counts.get(code) ?? 0) + 1);
  for (const [code, quantity] of counts) charges.push({ code, quantity, stay: false });

  const unmapped = charges.filter((c) => !services.has(c.code)).map((c) => c.code);
  const priced = charges.filter((c) => services.has(c.code));
  const currency = priced[0] ? services.get(priced[0].code)!.currency : undefined;
  const otherCurrency = priced.filter((c) => services.get(c.code)!.currency !== currency);
  const lines: LineInput[] = priced
    .filter((c) => services.get(c.code)!.currency === currency)
    .map((c) => {
      const service = services.get(c.code)!;
      return {
        description: service.label.slice(0, 300),
        // The stay counts days only for a `day` service; an `each` service bills it once.
        quantity: Math.min(c.stay && service.unit === 'each' ? 1 : c.quantity, 10_000),
        unitPrice: { amount: service.unit_price, currency: service.currency },
        taxRateBps: service.tax_rate_bps,
      };
    });
  const notes = [
    unmapped.length > 0
      ? `no service mapping for ${unmapped.map((c) => c.slice(0, 30)).join(', ')}`
      : '',
    otherCurrency.length > 0
      ? `left out (not in ${currency}): ${otherCurrency.map((c) => c.code.slice(0, 30)).join(', ')}`
      : '',
  ].filter(Boolean);
  if (lines.length === 0 || currency === undefined) {
    return { invoiceId: null, note: ['no priced charges: no invoice', ...notes].join('; ') };
  }
  const invoice = await issueInvoice(ctx.db, ctx.change, {
    patientId: encounter.patient_id,
    currency,
    lines,
  });
  return { invoiceId: invoice.id, note: [`invoice ${invoice.id} drafted`, ...notes].join('; ') };
}
