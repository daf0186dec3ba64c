/**
 * Reads request bodies with a hard size bound: `Content-Length` is checked
 * first, and the stream is counted as it arrives so a lying or chunked
 * request cannot go past the limit. JSON is parsed here so a malformed body
 * is a 400 `invalid_json`, never a 500.
 */
import type { Context } from 'hono';
import { ApiError } from './problem.ts';

/**
 * The raw body as text, or '' when there is none; 413 past `limit` bytes.
 *
 * @example
 * const text = await readBodyText(c, 1_048_576);
 */
export async function readBodyText(c: Context, limit: number): Promise<string> {
  const declared = c.req.header('content-length');
  if (declared !== undefined && Number(declared) > limit) throw tooLarge(limit);
  const stream = c.req.raw.body;
  if (!stream) return '';
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Parses a JSON request body; '' is `undefined`. Requires a JSON content type when non-empty.
 *
 * @example
 * const body = parseJsonBody(c, await readBodyText(c, limit));
 */
export function parseJsonBody(c: Context, text: string): unknown {
  if (text.trim() === '') return undefined;
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/([a-z0-9.+-]*\+)?json\b/i.test(type)) {
    throw new ApiError(
      'unsupported_media_type',
      'Send the request body as JSON with Content-Type: application/json.',
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError('invalid_json', 'The request body is not valid JSON.');
  }
}

function tooLarge(limit: number): ApiError {
  return new ApiError('body_too_large', `Request bodies are limited to ${limit} bytes.`);
}
