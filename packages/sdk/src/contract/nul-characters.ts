/**
 * The NUL character (U+0000) is refused in every string of a request. JSON
 * and zod accept it, but PostgreSQL cannot store it in `text` (SQLSTATE
 * 22021) or `jsonb` (22P05), so without this rule a NUL anywhere in a body,
 * a query filter or a cursor reached the database and failed there. The
 * server and the fake API both run this check before the schemas, so they
 * answer the same 400 `validation_failed` with a field error of code
 * {@link NUL_CHARACTER_CODE}.
 */

/**
 * Field-error `code` of a string that contains U+0000.
 *
 * @example
 * problem.errors?.some((e) => e.code === NUL_CHARACTER_CODE);
 */
export const NUL_CHARACTER_CODE = 'nul_character';

/**
 * Field-error `message` of a string that contains U+0000.
 *
 * @example
 * { path: 'body.givenName', message: NUL_CHARACTER_MESSAGE, code: NUL_CHARACTER_CODE };
 */
export const NUL_CHARACTER_MESSAGE = 'must not contain the NUL character (U+0000)';

const MAX_REPORTED = 50;
// Bodies are bounded in size, not in depth: the bound keeps a hostile body off the stack limit.
const MAX_DEPTH = 64;

/**
 * Paths (`root.a.0.b`) of every string value or object key containing U+0000
 * in a parsed JSON value, at most 50. The walk stops 64 levels down: no
 * schema of the contract nests that deep, so anything below fails validation.
 *
 * @example
 * findNulCharacters({ givenName: 'A\u0000' }, 'body'); // ['body.givenName']
 */
export function findNulCharacters(value: unknown, root: string): string[] {
  const found: string[] = [];
  walk(value, root, 0, found);
  return found;
}

function walk(value: unknown, path: string, depth: number, found: string[]): void {
  if (found.length >= MAX_REPORTED) return;
  if (typeof value === 'string') {
    if (value.includes('\u0000')) found.push(path);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  if (depth >= MAX_DEPTH) return;
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      walk(item, `${path}.${index}`, depth + 1, found);
    });
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\u0000')) {
      // The key itself cannot be shown safely; name the object that holds it.
      if (found.length < MAX_REPORTED) found.push(path);
      continue;
    }
    walk(item, `${path}.${key}`, depth + 1, found);
  }
}
