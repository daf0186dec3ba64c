/**
 * Validation against the contract's zod schemas, turning zod issues into
 * the problem body's `errors` list (`path` like `body.lines.0.quantity`).
 * Schemas are strict objects, so unknown fields are rejected here. A NUL
 * character (U+0000) anywhere in the query or the body is refused first:
 * PostgreSQL cannot store it, so it must never get as far as a statement.
 */
import {
  findNulCharacters,
  NUL_CHARACTER_CODE,
  NUL_CHARACTER_MESSAGE,
  type Schema,
} from '@clinicbridge/sdk/contract';
import * as z from 'zod/mini';
import { ApiError, type FieldError } from '../kernel/problem.ts';

/**
 * Parses `value` with `schema` or throws 400 `validation_failed` listing every bad field.
 *
 * @example
 * const body = validate(operation.body, 'body', json);
 */
export function validate(
  schema: Schema,
  where: 'params' | 'query' | 'body',
  value: unknown,
): unknown {
  if (where !== 'params') rejectNulCharacters(where, value);
  const result = z.safeParse(schema, value);
  if (result.success) return result.data;
  const errors: FieldError[] = result.error.issues.slice(0, 50).map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
    code: issue.code ?? 'invalid',
  }));
  if (where === 'params') {
    // A malformed id in the path names nothing: answer as for any unknown id.
    throw new ApiError('not_found', 'No such resource; check the id in the path.');
  }
  throw new ApiError('validation_failed', describe(errors), { errors });
}

/**
 * Throws 400 `validation_failed` (field errors of code `nul_character`) when
 * any string or key in `value` contains U+0000.
 *
 * @example
 * rejectNulCharacters('body', JSON.parse(text)); // throws for {"givenName":"A\u0000"}
 */
export function rejectNulCharacters(where: string, value: unknown): void {
  const paths = findNulCharacters(value, where);
  if (paths.length === 0) return;
  const errors = paths.map((path) => ({
    path,
    message: NUL_CHARACTER_MESSAGE,
    code: NUL_CHARACTER_CODE,
  }));
  throw new ApiError('validation_failed', describe(errors), { errors });
}

function describe(errors: FieldError[]): string {
  const first = errors[0];
  if (!first) return 'The request is invalid.';
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return `${first.path}: ${first.message}${more}. Fix the listed fields and retry.`;
}
