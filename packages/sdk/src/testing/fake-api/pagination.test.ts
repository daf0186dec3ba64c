/** Fake API pagination: every row exactly once, in order, for any page size. */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { Row } from './collection.ts';
import { type ListOrder, paginate } from './pagination.ts';
import { ApiProblem } from './problem.ts';

function walk(rows: Row<number>[], limit: number, order: ListOrder) {
  const seen: number[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages <= rows.length + 1; pages++) {
    const page = paginate('things.list', rows, { limit, cursor }, order);
    expect(page.data.length).toBeLessThanOrEqual(limit);
    seen.push(...page.data);
    if (page.nextCursor === null) return seen;
    cursor = page.nextCursor;
  }
  throw new Error('pagination did not end');
}

describe('paginate', () => {
  test('every row comes back exactly once, in order, for any limit and direction', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 10_000 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 100 }),
        fc.constantFrom<ListOrder>('asc', 'desc'),
        (seqs, limit, order) => {
          const rows = seqs.map((seq) => ({ seq, value: seq }));
          const sorted = [...seqs].sort((a, b) => (order === 'asc' ? a - b : b - a));
          expect(walk(rows, limit, order)).toEqual(sorted);
        },
      ),
    );
  });

  test('rows added after a page was read appear on later pages, not twice', () => {
    const rows: Row<number>[] = [1, 2, 3].map((seq) => ({ seq, value: seq }));
    const first = paginate('things.list', rows, { limit: 2 }, 'asc');
    rows.push({ seq: 4, value: 4 });
    const second = paginate('things.list', rows, { limit: 2, cursor: first.nextCursor! }, 'asc');
    expect([...first.data, ...second.data]).toEqual([1, 2, 3, 4]);
  });

  test('any string that is not a cursor of this list is invalid_cursor', () => {
    const rows = [1, 2, 3].map((seq) => ({ seq, value: seq }));
    const foreign = paginate('other.list', rows, { limit: 1 }, 'asc').nextCursor!;
    const own = paginate('things.list', rows, { limit: 1 }, 'asc').nextCursor!;
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 64 }), (cursor) => {
        fc.pre(cursor !== own);
        try {
          paginate('things.list', rows, { cursor }, 'asc');
          return false;
        } catch (error) {
          return error instanceof ApiProblem && error.code === 'invalid_cursor';
        }
      }),
    );
    expect(() => paginate('things.list', rows, { cursor: foreign }, 'asc')).toThrow(ApiProblem);
  });
});
