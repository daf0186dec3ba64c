/**
 * Request validation against the contract's schemas. Every invalid field of
 * params, query and body is reported at once as `validation_failed` with
 * `errors[]` of `{ path, message, code }`, so a caller fixes them in one go.
 */
import * as z from 'zod/mini';
import {
  findNulCharacters,
  NUL_CHARACTER_CODE,
  NUL_CHARACTER_MESSAGE,
  type Operation,
  type Schema,
} from '../../contract/index.ts';
import { ApiProblem, type FieldError } from './problem.ts';

/**
 * Largest request body the fake API reads (imports carry up to 5 MiB of text).
 *
 * @example
 * if (body.length > MAX_BODY_BYTES) throw new ApiProblem('body_too_large', 'too large');
 */
export const MAX_BODY_BYTES = 6 * 1024 * 1024;

/**
 * Parsed, typed inputs of one request.
 *
 * @example
 * const { params, query, body }: ParsedInput = validateInput(op, raw);
 */
export interface ParsedInput {
  params: unknown;
  query: unknown;
  body: unknown;
}

function parsePart(
  where: 'params' | 'query' | 'body',
  schema: Schema | undefined,
  value: unknown,
  errors: FieldError[],
): unknown {
  if (!schema) return undefined;
  // As on the server: a NUL character is refused before the schema sees it.
  const nul = where === 'params' ? [] : findNulCharacters(value, where);
  if (nul.length > 0) {
    for (const path of nul) {
      errors.push({ path, message: NUL_CHARACTER_MESSAGE, code: NUL_CHARACTER_CODE });
    }
    return undefined;
  }
  const result = z.safeParse(schema, value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    errors.push({
      path: [where, ...issue.path.map(String)].join('.'),
      message: issue.message,
      code: issue.code,
    });
  }
  return undefined;
}

/**
 * Validates raw inputs against an operation's schemas.
 *
 * @example
 * validateInput(operations.appointments.get, { params: { appointmentId: 'x' }, query: {}, body: undefined });
 */
export function validateInput(
  op: Operation,
  raw: { params: Record<string, string>; query: Record<string, string>; body: unknown },
): ParsedInput {
  const errors: FieldError[] = [];
  const params = parsePart('params', op.params, raw.params, errors);
  const query = parsePart('query', op.query, raw.query, errors);
  const body = parsePart('body', op.body, raw.body, errors);
  if (errors.length > 0) {
    throw new ApiProblem(
      'validation_failed',
      `the request has ${errors.length} invalid field${errors.length === 1 ? '' : 's'}; see errors[]`,
      { errors },
    );
  }
  return { params, query, body };
}

/**
 * Reads a JSON request body. An empty body counts as `{}` so actions without
 * fields (`complete`, `retry`) may be sent bare; anything else must be JSON.
 *
 * @example
 * const body = await readJsonBody(request);
 */
export async function readJsonBody(request: Request): Promise<unknown> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES) {
    throw new ApiProblem('body_too_large', `request bodies are limited to ${MAX_BODY_BYTES} bytes`);
  }
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) {
    throw new ApiProblem('body_too_large', `request bodies are limited to ${MAX_BODY_BYTES} bytes`);
  }
  if (text.trim() === '') return {};
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/([\w.+-]*\+)?json\b/i.test(type)) {
    throw new ApiProblem(
      'unsupported_media_type',
      'send the body as JSON with "Content-Type: application/json"',
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiProblem('invalid_json', 'the body is not valid JSON');
  }
}

/**
 * The query string as a plain object (the last value wins for a repeated key).
 *
 * @example
 * queryObject(new URL('https://x/a?limit=10')); // { limit: '10' }
 */
export function queryObject(url: URL): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of url.searchParams) out[key] = value;
  return out;
}
