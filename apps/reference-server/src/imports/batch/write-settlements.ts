/**
 * Batched writer of the `settlement_lines` kind: amounts read with their
 * currency, a line repeated in the file (same settlement and line
 * reference) rejected at its second row, then multi-row
 * `INSERT … ON CONFLICT DO NOTHING`; a line already stored is a duplicate.
 * Settlement lines emit no events.
 */
import { newId } from '@clinicbridge/sdk/contract';
import type { Insertable } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { toMinorUnits } from '../cells.ts';
import type { settlementLineSchema } from '../lead-rows.ts';
import { firstSeen, type RowReject } from '../row-kind.ts';
import { type BatchKind, slices } from './batch-kind.ts';

type LineInput = ReturnType<typeof settlementLineSchema.parse>;

interface PreparedLine {
  input: LineInput;
  amount: number;
  fee: number;
}

const DUPLICATE = 'this settlement line (settlementRef and lineRef) is already stored';

const duplicate = (row: number, lineRef: string): RowReject => ({
  row,
  column: 'lineRef',
  value: lineRef,
  message: DUPLICATE,
  code: 'duplicate',
  severity: 'error',
});

/**
 * The `settlement_lines` kind, batched.
 *
 * @example
 * const rejects = await settlementLineBatches.write(trx, change, prepared);
 */
export const settlementLineBatches: BatchKind<PreparedLine> = {
  prepare(input, at) {
    const line = input as LineInput;
    const amount = toMinorUnits(line.amount, line.currency);
    const fee = line.fee === undefined ? 0 : toMinorUnits(line.fee, line.currency);
    const rejects: RowReject[] = [];
    const decimals = `an amount with at most the decimals ${line.currency} has (e.g. -12.50)`;
    const bad = (column: 'amount' | 'fee') =>
      rejects.push({
        row: at.row,
        column,
        value: line[column] ?? '',
        message: `${column} must be ${decimals}`,
        code: 'invalid_format',
        severity: 'error',
      });
    if (amount === null) bad('amount');
    if (fee === null) bad('fee');
    if (amount === null || fee === null) return { ok: false, rejects };
    // The database would refuse the second row as stored; said here, a dry run that rolls back each batch agrees.
    const key = JSON.stringify([line.settlementRef, line.lineRef]);
    if (firstSeen(at, 'settlementLine', key) !== undefined) {
      return { ok: false, rejects: [duplicate(at.row, line.lineRef)] };
    }
    return { ok: true, value: { input: line, amount, fee } };
  },
  async write(db, change, rows) {
    const rejects: RowReject[] = [];
    for (const slice of slices(rows, 500)) {
      const values = slice.map(
        ({ value: { input, amount, fee } }): Insertable<DB['settlement_lines']> => ({
          id: newId('stl'),
          tenant_id: change.tenantId,
          settlement_ref: input.settlementRef,
          line_ref: input.lineRef,
          occurred_at: new Date(
            input.occurredAt.length === 10 ? `${input.occurredAt}T00:00:00Z` : input.occurredAt,
          ),
          type: input.type ?? null,
          amount,
          fee,
          currency: input.currency,
          payment_ref: input.paymentRef ?? null,
          description: input.description ?? null,
          created_at: change.now,
        }),
      );
      const saved = await db
        .insertInto('settlement_lines')
        .values(values)
        .onConflict((oc) => oc.doNothing())
        .returning('id')
        .execute();
      const kept = new Set(saved.map((s) => s.id));
      slice.forEach(({ row, value }, i) => {
        if (!kept.has(values[i]?.id as string)) rejects.push(duplicate(row, value.input.lineRef));
      });
    }
    return rejects;
  },
};
