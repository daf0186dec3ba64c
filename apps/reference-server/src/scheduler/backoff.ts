/**
 * The retry delay every background job uses after a failure: one second
 * doubled per attempt, capped. One formula, so the inbox, inbound
 * processing and the provider jobs back off alike.
 */

/**
 * Milliseconds to wait before attempt `attempts + 1`: `1 s · 2^attempts`, at most `maxMs`.
 *
 * @example
 * doublingBackoffMs(3, 3_600_000); // 8000
 */
export function doublingBackoffMs(attempts: number, maxMs: number): number {
  return Math.min(1_000 * 2 ** attempts, maxMs);
}
