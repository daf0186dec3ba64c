/**
 * Matching a settlement report to ledger movements, without I/O. A charge
 * line names the provider's payment id; the ledger movement of that payment
 * is the one it must match. Everything that does not match is a break of
 * exactly one kind, carrying the lines involved, so an operator sees why.
 * Lines other than charges (fees, payouts, refunds) are not matched here.
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
 * Matches the charge lines of a report to ledger movements and classifies
 * every difference: a payment settled twice is one `duplicate` (its first
 * line is still compared), a line or movement without a partner is missing
 * on the other side.
 *
 * @example
 * const { breaks } = classifySettlement(report.lines, movements, { maxFeeBps: 500 });
 */
export function classifySettlement(
  lines: readonly SettlementLine[],
  movements: readonly LedgerMovement[],
  policy: FeePolicy,
): Classification {
  const byPayment = new Map<string, LedgerMovement>();
  for (const m of movements) if (!byPayment.has(m.paymentRef)) byPayment.set(m.paymentRef, m);
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
  for (const movement of byPayment.values()) {
    breaks.push({
      kind: 'missing_in_settlement',
      paymentRef: movement.paymentRef,
      transferId: movement.transferId,
      expected: { amount: movement.amount, currency: movement.currency },
      actual: null,
      lines: [],
    });
  }
  return { matched, breaks };
}
