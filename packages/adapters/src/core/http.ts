/**
 * Small HTTP helpers the client needs: reading a body that may be JSON, text
 * or empty, and turning `Retry-After` into milliseconds.
 */

/**
 * Parses a response body: JSON when it parses, the text otherwise,
 * `undefined` when empty.
 *
 * @example
 * const body = await readBody(response);
 */
export async function readBody(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => '');
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * `Retry-After` (delta-seconds or an HTTP date) in milliseconds, or
 * `undefined` when absent or unreadable.
 *
 * @example
 * parseRetryAfter('2'); // 2000
 */
export function parseRetryAfter(
  value: string | null,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
