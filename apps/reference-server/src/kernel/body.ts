/**
 * Reads request bodies with a hard size bound: `Content-Length` is checked
 * first, and the stream is counted as it arrives so a lying or chunked
 * request cannot go past the limit. JSON is parsed here so a malformed body
 * is a 400 `invalid_json`, never a 500.
 */
import type { Context } from 'hono';
import { ApiError } from './problem.ts';

/**
 * The raw body bytes, or an empty array when there is none; 413
 * `body_too_large` past `limit` bytes, decided while reading: a declared
 * `Content-Length` over the limit is refused before any byte is read, and a
 * chunked or lying body is cut off at the first chunk past the limit, so no
 * more than `limit` bytes (plus one chunk) are ever held.
 *
 * @example
 * const raw = await readBodyBytes(c.req.raw, 1_048_576, 'Webhook bodies');
 */
export async function readBodyBytes(
  request: Request,
  limit: number,
  what = 'Request bodies',
): Promise<Uint8Array> {
  const declared = declaredLength(request, limit, what);
  if (declared !== null) {
    // Node's HTTP parser frames a body with a Content-Length to exactly that
    // many bytes, so reading it whole holds no more than `limit`; the check
    // after reading covers a Request built in-process that lies.
    const bytes = new Uint8Array(await request.arrayBuffer());
    if (bytes.byteLength > limit) throw tooLarge(what, limit);
    return bytes;
  }
  const stream = request.body;
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(what, limit);
    }
    chunks.push(value);
  }
  return chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks);
}

/**
 * The raw body as text, or '' when there is none; 413 past `limit` bytes.
 *
 * @example
 * const text = await readBodyText(c, 1_048_576);
 */
export async function readBodyText(c: Context, limit: number): Promise<string> {
  const request = c.req.raw;
  if (declaredLength(request, limit, 'Request bodies') !== null) {
    // The common case, read in one piece (the streaming reader of
    // `readBodyBytes` costs far more per request than the read itself).
    const text = await request.text();
    if (Buffer.byteLength(text) > limit) throw tooLarge('Request bodies', limit);
    return text;
  }
  const bytes = await readBodyBytes(request, limit);
  return bytes.byteLength === 0
    ? ''
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
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

/** The declared Content-Length (413 past `limit`), or null when there is none or it is not a plain number. */
function declaredLength(request: Request, limit: number, what: string): number | null {
  const declared = request.headers.get('content-length');
  if (declared === null || !/^\d+$/.test(declared)) return null;
  const length = Number(declared);
  if (length > limit) throw tooLarge(what, limit);
  return length;
}

function tooLarge(what: string, limit: number): ApiError {
  return new ApiError('body_too_large', `${what} are limited to ${limit} bytes.`);
}
