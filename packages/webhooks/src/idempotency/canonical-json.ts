/**
 * Canonical JSON: object keys sorted, no whitespace, so two bodies that mean
 * the same thing (`{"a":1,"b":2}` and `{ "b": 2, "a": 1 }`) fingerprint alike.
 */
import { IdempotencyError } from './errors.ts';

/**
 * Serialises `value` like `JSON.stringify`, with object keys sorted by code unit
 * at every depth. Raises `invalid_body` for cycles and BigInts.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 2, a: [1, { d: 4, c: 3 }] }); // '{"a":[1,{"c":3,"d":4}],"b":2}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  return serialise(value, new Set()) ?? 'null';
}

function serialise(value: unknown, ancestors: Set<object>): string | undefined {
  if (value !== null && typeof value === 'object' && 'toJSON' in value) {
    const toJSON = (value as { toJSON: unknown }).toJSON;
    if (typeof toJSON === 'function') value = toJSON.call(value);
  }
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return JSON.stringify(value);
    case 'bigint':
      throw new IdempotencyError('invalid_body', 'A BigInt cannot be serialised as JSON.');
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return 'null';
  const object = value as object;
  if (ancestors.has(object)) {
    throw new IdempotencyError('invalid_body', 'The body contains a cycle and is not JSON.');
  }
  ancestors.add(object);
  let out: string;
  if (Array.isArray(object)) {
    out = `[${object.map((item) => serialise(item, ancestors) ?? 'null').join(',')}]`;
  } else {
    const record = object as Record<string, unknown>;
    const parts: string[] = [];
    for (const key of Object.keys(record).sort()) {
      const item = serialise(record[key], ancestors);
      if (item !== undefined) parts.push(`${JSON.stringify(key)}:${item}`);
    }
    out = `{${parts.join(',')}}`;
  }
  ancestors.delete(object);
  return out;
}
