/**
 * One expectation for a refused input: the problem code and what its
 * detail says.
 */
import { expect } from 'vitest';
/**
 * Expects `read` to throw the problem `code` whose detail matches `detail`.
 *
 * @example
 * expectRefused(() => [...readXlsxRows(bytes, zipLimits, sheetLimits)], 'import_unreadable', /DOCTYPE/);
 */
export function expectRefused(read: () => unknown, code: string, detail: RegExp): void {
  let error: unknown;
  try {
    read();
  } catch (caught) {
    error = caught;
  }
  expect(error).toMatchObject({ code });
  expect((error as { detail?: string }).detail ?? (error as Error).message).toMatch(detail);
}
