/** The matching rules of classify.ts: one case per kind of break, and lines it does not match. */
import type { SettlementLine } from '@clinicbridge/adapters';
import { describe, expect, test } from 'vitest';
import { classifySettlement, type LedgerMovement } from './classify.ts';

const policy = { maxFeeBps: 500 };

function charge(id: string, paymentId: string | undefined, gross: number, fee = 0): SettlementLine {
  return {
    id,
    type: 'charge',
    ...(paymentId ? { paymentId } : {}),
    grossMinor: gross,
    feeMinor: fee,
    netMinor: gross - fee,
    currency: 'EUR',
    occurredAt: '2026-12-01T10:00:00.000Z',
  };
}

const movement = (paymentRef: string, amount: number, currency = 'EUR'): LedgerMovement => ({
  transferId: `ltr_${paymentRef}`,
  paymentRef,
  amount,
  currency,
});

describe('classifySettlement', () => {
  test('a line matching its movement within the fee policy is matched, not a break', () => {
    expect(
      classifySettlement([charge('t1', 'pi_1', 1_000, 50)], [movement('pi_1', 1_000)], policy),
    ).toEqual({
      matched: 1,
      breaks: [],
    });
  });

  test('each kind of difference is one break of that kind', () => {
    const kinds = (lines: SettlementLine[], movements: LedgerMovement[]) =>
      classifySettlement(lines, movements, policy).breaks.map((b) => b.kind);
    expect(kinds([charge('t1', 'pi_x', 1_000)], [])).toEqual(['missing_in_ledger']);
    expect(kinds([charge('t1', undefined, 1_000)], [])).toEqual(['missing_in_ledger']);
    expect(kinds([], [movement('pi_1', 1_000)])).toEqual(['missing_in_settlement']);
    expect(kinds([charge('t1', 'pi_1', 999)], [movement('pi_1', 1_000)])).toEqual([
      'amount_mismatch',
    ]);
    expect(
      kinds([{ ...charge('t1', 'pi_1', 1_000), currency: 'USD' }], [movement('pi_1', 1_000)]),
    ).toEqual(['currency_mismatch']);
    expect(
      kinds([charge('t1', 'pi_1', 1_000), charge('t2', 'pi_1', 1_000)], [movement('pi_1', 1_000)]),
    ).toEqual(['duplicate']);
    expect(kinds([charge('t1', 'pi_1', 1_000, 51)], [movement('pi_1', 1_000)])).toEqual([
      'fee_difference',
    ]);
    expect(
      kinds([{ ...charge('t1', 'pi_1', 1_000, 10), netMinor: 980 }], [movement('pi_1', 1_000)]),
    ).toEqual(['fee_difference']);
  });

  test('a duplicate carries every line; lines other than charges are not matched', () => {
    const { matched, breaks } = classifySettlement(
      [
        charge('t1', 'pi_1', 1_000),
        charge('t2', 'pi_1', 1_000),
        { ...charge('p1', undefined, -5_000), type: 'payout' },
      ],
      [movement('pi_1', 1_000)],
      policy,
    );
    expect(matched).toBe(1);
    expect(breaks).toHaveLength(1);
    expect(breaks[0]?.lines.map((l) => l.id)).toEqual(['t1', 't2']);
    expect(breaks[0]?.transferId).toBe('ltr_pi_1');
  });

  test('a payment held partly in escrow and partly paid out matches its one charge line', () => {
    const { matched, breaks } = classifySettlement(
      [charge('t1', 'pi_1', 10_000, 100)],
      [movement('pi_1', 7_000), { ...movement('pi_1', 3_000), transferId: 'ltr_rest' }],
      policy,
    );
    expect({ matched, breaks }).toEqual({ matched: 1, breaks: [] });
  });

  test('refunds are matched per payment as sums; each difference is one break', () => {
    const refundLine = (id: string, paymentId: string | undefined, amount: number) => ({
      ...charge(id, paymentId, -amount),
      type: 'refund' as const,
    });
    const refunded = (paymentRef: string, amount: number, currency = 'EUR'): LedgerMovement => ({
      ...movement(paymentRef, amount, currency),
      transferId: `ltr_ref_${paymentRef}_${amount}`,
      kind: 'refund',
    });
    const classify = (lines: SettlementLine[], movements: LedgerMovement[]) =>
      classifySettlement(lines, movements, policy);
    // Two partial refunds of one payment: one match, not a duplicate.
    expect(
      classify(
        [refundLine('r1', 'pi_1', 300), refundLine('r2', 'pi_1', 200)],
        [refunded('pi_1', 300), refunded('pi_1', 200)],
      ),
    ).toEqual({ matched: 1, breaks: [] });
    const kinds = (lines: SettlementLine[], movements: LedgerMovement[]) =>
      classify(lines, movements).breaks.map((b) => b.kind);
    expect(kinds([refundLine('r1', 'pi_1', 300)], [])).toEqual(['missing_in_ledger']);
    expect(kinds([], [refunded('pi_1', 300)])).toEqual(['missing_in_settlement']);
    expect(kinds([refundLine('r1', 'pi_1', 300)], [refunded('pi_1', 200)])).toEqual([
      'amount_mismatch',
    ]);
    expect(kinds([refundLine('r1', 'pi_1', 300)], [refunded('pi_1', 300, 'USD')])).toEqual([
      'currency_mismatch',
    ]);
    // A refund never matches the payment's charge movement, nor a charge line its refund.
    expect(kinds([refundLine('r1', 'pi_1', 300)], [movement('pi_1', 300)]).sort()).toEqual([
      'missing_in_ledger',
      'missing_in_settlement',
    ]);
    const mismatch = classify([refundLine('r1', 'pi_1', 300)], [refunded('pi_1', 200)]).breaks[0];
    expect(mismatch).toMatchObject({
      paymentRef: 'pi_1',
      expected: { amount: 200, currency: 'EUR' },
      actual: { amount: 300, currency: 'EUR' },
    });
    expect(mismatch?.lines.map((l) => l.id)).toEqual(['r1']);
  });
});
