/** Builds the request URL: base, filled path, and the query with undefined values dropped. */
import { buildPath } from '../../contract/operation.ts';

/**
 * Joins the base URL, the operation path and the query string.
 *
 * @example
 * requestUrl('https://api.example', '/api/v1/appointments', undefined, { limit: 10, cursor: undefined });
 * // 'https://api.example/api/v1/appointments?limit=10'
 */
export function requestUrl(
  baseUrl: string,
  path: string,
  params: Record<string, string> | undefined,
  query: Record<string, unknown> | undefined,
): string {
  let url = baseUrl.replace(/\/+$/, '') + buildPath(path, params);
  if (query) {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined && value !== null) search.append(name, String(value));
    }
    const qs = search.toString();
    if (qs) url += `?${qs}`;
  }
  return url;
}
