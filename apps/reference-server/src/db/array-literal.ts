/**
 * PostgreSQL array literals for bulk statements (`unnest($1::text[], …)`),
 * built without a copy per element: values that need no quoting (ids,
 * base64url, hex, most names) go in as they are and the literal is one
 * `join`, where the driver's own conversion quoted and escaped every
 * element into new strings that lived as long as the statement (the
 * largest share of a bulk import's old-generation garbage, measured with
 * V8's sampling heap profiler).
 */

// Characters that make an element need quotes: the literal's own syntax, whitespace (trimmed otherwise).
const NEEDS_QUOTES = /[{},"\\\s]/;

function element(value: string | null): string {
  if (value === null) return 'NULL';
  // An empty element, or one reading NULL (any case), would not come back as the text it is.
  if (value === '' || NEEDS_QUOTES.test(value) || value.toLowerCase() === 'null') {
    return `"${value.replace(/[\\"]/g, '\\$&')}"`;
  }
  return value;
}

/**
 * The `text[]` literal of `values` (null elements are SQL NULL).
 *
 * @example
 * textArray(['a', 'b c', null]); // '{a,"b c",NULL}'
 */
export function textArray(values: readonly (string | null)[]): string {
  return `{${values.map(element).join(',')}}`;
}

/**
 * The `boolean[]` literal of `values` (null elements are SQL NULL).
 *
 * @example
 * booleanArray([true, false, null]); // '{t,f,NULL}'
 */
export function booleanArray(values: readonly (boolean | null)[]): string {
  return `{${values.map((value) => (value === null ? 'NULL' : value ? 't' : 'f')).join(',')}}`;
}
