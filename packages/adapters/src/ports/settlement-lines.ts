/**
 * The `maxLines` bound every gateway's settlement report keeps: lines are
 * gathered page by page until the provider has no more or the bound is
 * reached, and the report says whether the bound cut it short.
 */
import type { SettlementLine, SettlementReport } from './payment.ts';

/**
 * Gathers settlement lines up to a bound. Paging stays with the adapter
 * (cursors, offsets and day-by-day reports differ per provider).
 *
 * @example
 * const collector = createSettlementCollector(input.maxLines);
 * if (!collector.addAll(page.data, toLine)) break;
 * return collector.report('stripe', input);
 */
export interface SettlementCollector {
  /** True once a line was refused for want of room (or {@link noteMore} found none). */
  readonly truncated: boolean;
  /**
   * Adds the lines of `items` in order until the bound; false when one was
   * refused, so paging should stop. Items past the bound are never mapped.
   */
  addAll<T>(items: Iterable<T>, toLine: (item: T) => SettlementLine): boolean;
  /** The provider says more lines exist: if there is no room for them, the report is cut short. */
  noteMore(): void;
  report(provider: string, range: { from: string; to: string }): SettlementReport;
}

/**
 * Creates a {@link SettlementCollector} holding at most `maxLines` lines.
 *
 * @example
 * const collector = createSettlementCollector(2);
 * collector.addAll([a, b, c], (line) => line); // false; collector.truncated === true
 */
export function createSettlementCollector(maxLines: number): SettlementCollector {
  const lines: SettlementLine[] = [];
  let truncated = false;
  return {
    get truncated() {
      return truncated;
    },
    addAll(items, toLine) {
      for (const item of items) {
        if (lines.length >= maxLines) {
          truncated = true;
          return false;
        }
        lines.push(toLine(item));
      }
      return true;
    },
    noteMore() {
      if (lines.length >= maxLines) truncated = true;
    },
    report(provider, range) {
      return { provider, from: range.from, to: range.to, lines, truncated };
    },
  };
}
