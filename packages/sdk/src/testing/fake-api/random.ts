/** Random secrets for the fake API's keys, client secrets and tokens. */

/**
 * `prefix` followed by `bytes` random bytes in hex.
 *
 * @example
 * randomSecret('cbk_test_', 24); // 'cbk_test_3f9a…'
 */
export function randomSecret(prefix: string, bytes: number): string {
  const buf = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(buf);
  let hex = '';
  for (const b of buf) hex += b.toString(16).padStart(2, '0');
  return `${prefix}${hex}`;
}

/**
 * `whsec_` and base64 of 32 random bytes, the Standard Webhooks secret format.
 *
 * @example
 * webhookSecret(); // 'whsec_…'
 */
export function webhookSecret(): string {
  const buf = new Uint8Array(32);
  globalThis.crypto.getRandomValues(buf);
  return `whsec_${btoa(String.fromCharCode(...buf))}`;
}
