/**
 * A list of exact web origins in one variable (`CORS_ORIGINS`), checked at
 * start so a typo fails loudly instead of silently allowing nothing.
 */
import * as z from 'zod';

/**
 * Comma-separated exact origins, each
 * `scheme://host[:port]` with no path; empty (the default) turns CORS off.
 *
 * @example
 * originList.parse('https://app.clinic.example, http://127.0.0.1:5173');
 * // ['https://app.clinic.example', 'http://127.0.0.1:5173']
 */
export const originList = z
  .string()
  .default('')
  .transform((text, ctx) => {
    const origins: string[] = [];
    for (const [index, entry] of text.split(',').map((part, i) => [i + 1, part.trim()] as const)) {
      if (entry === '') continue;
      let origin: string | undefined;
      try {
        const url = new URL(entry);
        if (url.protocol === 'http:' || url.protocol === 'https:') origin = url.origin;
      } catch {
        origin = undefined;
      }
      if (origin === undefined || origin !== entry) {
        ctx.addIssue({
          code: 'custom',
          message: `entry ${index} is not an origin; write scheme://host[:port] with no path or trailing slash, for example https://app.clinic.example`,
        });
        continue;
      }
      origins.push(origin);
    }
    return origins;
  });
