/**
 * Matching a settlement report to ledger movements, without I/O. A charge
 * line names the provider's payment id; the ledger movements of that
 * payment (its escrow funding and what went to the clinic at once, summed)
 * are what it must match. Refund lines are matched per payment too: what
 * the provider refunded of a payment in the period against what the ledger
 * posted back for it (one payment may be refunded in parts, so refunds are
 * compared as sums and have no duplicates). Everything that does not match
 * is a break of exactly one kind, carrying the lines involved, so an
 * operator sees why. Fee, payout and transfer lines are not matched here:
 * the ledger has no payouts to match them to.
 */
import type { SettlementLine } from '@clinicbridge/adapters';
import type { BreakKind } from '@clinicbridge/sdk/contract';

/**
 * A ledger transfer that moved a gateway payment, keyed by the provider's payment id.
 *
 * @example
 * const movement: LedgerMovement = { transferId: 'ltr_…', paymentRef: 'pi_123', amount: 5000, currency: 'EUR' };
 */
export interface LedgerMovement {
  transferId: string;
  paymentRef: string;
  amount: number;
  currency: string;
  /** Money in from the payer (`charge`, the default) or back to them (`refund`). */
  kind?: 'charge' | 'refund';
}

/**
 * One difference between the report and the ledger.
 *
 * @example
 * const found: FoundBreak = { kind: 'missing_in_settlement', paymentRef: 'pi_1', transferId: 'ltr_…', expected: { amount: 5000, currency: 'EUR' }, actual: null, lines: [] };
 */
export interface FoundBreak {
  kind: BreakKind;
  paymentRef: string | null;
  transferId: string | null;
  expected: { amount: number; currency: string } | null;
  actual: { amount: number; currency: string } | null;
  lines: SettlementLine[];
}

/**
 * What the provider may keep: at most `maxFeeBps` hundredths of a percent of the gross.
 *
 * @example
 * const policy: FeePolicy = { maxFeeBps: 500 }; // 5 %
 */
export interface FeePolicy {
  maxFeeBps: number;
}

/**
 * The outcome of matching: how many charges matched, and the breaks.
 *
 * @example
 * const { matched, breaks } = classifySettlement(lines, movements, { maxFeeBps: 500 });
 */
export interface Classification {
  matched: number;
  breaks: FoundBreak[];
}

const feeIsOff = (line: SettlementLine, policy: FeePolicy) =>
  line.netMinor !== line.grossMinor - line.feeMinor ||
  line.feeMinor * 10_000 > line.grossMinor * policy.maxFeeBps;

function compare(line: SettlementLine, movement: LedgerMovement, policy: FeePolicy) {
  const expected = { amount: movement.amount, currency: movement.currency };
  const actual = { amount: line.grossMinor, currency: line.currency };
  const of = (kind: BreakKind): FoundBreak => ({
    kind,
    paymentRef: movement.paymentRef,
    transferId: movement.transferId,
    expected,
    actual,
    lines: [line],
  });
  if (line.currency !== movement.currency) return of('currency_mismatch');
  if (line.grossMinor !== movement.amount) return of('amount_mismatch');
  if (feeIsOff(line, policy)) return of('fee_difference');
  return null;
}

/**
 * Matches the charge and refund lines of a report to ledger movements and
 * classifies every difference: a payment settled twice is one `duplicate`
 * (its first line is still compared), a line or movement without a partner
 * is missing on the other side, refunds are compared as sums per payment.
 *
 * @example
 * const { breaks } = classifySettlement(report.lines, movements, { maxFeeBps: 500 });
 */
export function classifySettlement(
  lines: readonly SettlementLine[],
  movements: readonly LedgerMovement[],
  policy: FeePolicy,
): Classification {
  const charges = classifyCharges(
    lines,
    movements.filter((m) => (m.kind ?? 'charge') === 'charge'),
    policy,
  );
  const refunds = classifyRefunds(
    lines,
    movements.filter((m) => m.kind === 'refund'),
  );
  return {
    matched: charges.matched + refunds.matched,
    breaks: [...charges.breaks, ...refunds.breaks],
  };
}

/**
 * Movements summed per payment (the first transfer stands for them); a
 * movement in another currency than the payment's first keeps its own entry
 * under a distinct key, so it surfaces as missing in the settlement.
 */
function sumByPayment(movements: readonly LedgerMovement[]): Map<string, LedgerMovement> {
  const byPayment = new Map<string, LedgerMovement>();
  for (const m of movements) {
    const seen = byPayment.get(m.paymentRef);
    if (!seen) byPayment.set(m.paymentRef, { ...m });
    else if (seen.currency === m.currency) seen.amount += m.amount;
    else byPayment.set(`${m.paymentRef}#${m.transferId}`, { ...m });
  }
  return byPayment;
}

const missingInSettlement = (movement: LedgerMovement): FoundBreak => ({
  kind: 'missing_in_settlement',
  paymentRef: movement.paymentRef,
  transferId: movement.transferId,
  expected: { amount: movement.amount, currency: movement.currency },
  actual: null,
  lines: [],
});

function classifyRefunds(
  lines: readonly SettlementLine[],
  movements: readonly LedgerMovement[],
): Classification {
  const byPayment = sumByPayment(movements);
  const groups = new Map<string, SettlementLine[]>();
  for (const line of lines) {
    if (line.type !== 'refund') continue;
    const key = line.paymentId ?? `line:${line.id}`;
    groups.set(key, [...(groups.get(key) ?? []), line]);
  }
  const breaks: FoundBreak[] = [];
  let matched = 0;
  for (const [key, group] of groups) {
    const first = group[0] as SettlementLine;
    const paymentRef = first.paymentId ?? null;
    const actual = {
      amount: group.reduce((sum, l) => sum + Math.abs(l.grossMinor), 0),
      currency: first.currency,
    };
    const movement = paymentRef ? byPayment.get(paymentRef) : undefined;
    if (!movement) {
      breaks.push({
        kind: 'missing_in_ledger',
        paymentRef,
        transferId: null,
        expected: null,
        actual,
        lines: group,
      });
      continue;
    }
    byPayment.delete(key);
    const expected = { amount: movement.amount, currency: movement.currency };
    const of = (kind: BreakKind): FoundBreak => ({
      kind,
      paymentRef,
      transferId: movement.transferId,
      expected,
      actual,
      lines: group,
    });
    if (group.some((l) => l.currency !== movement.currency)) breaks.push(of('currency_mismatch'));
    else if (actual.amount !== movement.amount) breaks.push(of('amount_mismatch'));
    else matched++;
  }
  for (const movement of byPayment.values()) breaks.push(missingInSettlement(movement));
  return { matched, breaks };
}

function classifyCharges(
  lines: readonly SettlementLine[],
  movements: readonly LedgerMovement[],
  policy: FeePolicy,
): Classification {
  const byPayment = sumByPayment(movements);
  const groups = new Map<string, SettlementLine[]>();
  const breaks: FoundBreak[] = [];
  for (const line of lines) {
    if (line.type !== 'charge') continue;
    const key = line.paymentId ?? `line:${line.id}`;
    const group = groups.get(key);
    if (group) group.push(line);
    else groups.set(key, [line]);
  }
  let matched = 0;
  for (const [key, group] of groups) {
    const first = group[0] as SettlementLine;
    const paymentRef = first.paymentId ?? null;
    const movement = paymentRef ? byPayment.get(paymentRef) : undefined;
    const actual = { amount: first.grossMinor, currency: first.currency };
    if (group.length > 1) {
      breaks.push({
        kind: 'duplicate',
        paymentRef,
        transferId: movement?.transferId ?? null,
        expected: movement ? { amount: movement.amount, currency: movement.currency } : null,
        actual,
        lines: group,
      });
    }
    if (!movement) {
      breaks.push({
        kind: 'missing_in_ledger',
        paymentRef,
        transferId: null,
        expected: null,
        actual,
        lines: [first],
      });
      continue;
    }
    byPayment.delete(key);
    const found = compare(first, movement, policy);
    if (found) breaks.push(found);
    else matched++;
  }
  for (const movement of byPayment.values()) breaks.push(missingInSettlement(movement));
  return { matched, breaks };
}
