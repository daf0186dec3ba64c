/**
 * Whether an answer is still the Node adapter's own Response (once
 * `getRequestListener` has put it in place of the global one, as on a
 * started server): it keeps its plain status, body and headers under its
 * `cache` symbol and is written in one call, until a middleware makes Hono
 * copy it (src/http/answer-headers.ts).
 *
 * @example
 * getRequestListener(app.fetch);
 * expect(builtOnce(await app.request('/api/v1/patients'))).toBe(true);
 */
export function builtOnce(res: Response): boolean {
  return Object.getOwnPropertySymbols(res).some((symbol) => symbol.description === 'cache');
}
