/**
 * A value that a request schema of the OpenAPI document accepts, made from
 * the schema alone: required properties only, ids taken from a populated
 * tenant by property name, enums' first value, numbers within their range,
 * strings in their format or matching their pattern where a candidate
 * does. For operations no test fixture knows (a new one included), so the
 * live check sends them something plausible rather than an empty body.
 */
type Node = Record<string, unknown>;

const BY_NAME: Record<string, unknown> = {
  currency: 'EUR',
  email: 'partner@example.com',
  phone: '+905551112233',
  countryCode: 'TR',
  preferredLanguage: 'en',
  url: 'https://partner.example/hooks',
};
const BY_FORMAT: Record<string, string> = {
  'date-time': '2026-12-01T09:00:00Z',
  date: '1980-02-29',
  email: 'partner@example.com',
  uri: 'https://partner.example/x',
  url: 'https://partner.example/x',
  uuid: '3f1c8a5e-8b1d-4c7e-9a55-2f4d6f1b0c11',
  ipv4: '192.0.2.10',
  e164: '+905551112233',
};
const LATER_DATE_TIME = '2026-12-08T09:00:00Z';
const CANDIDATES = ['x', 'abc', 'ABC', 'EUR', 'code_1', 'A1', '1', 'x-1'];

/**
 * An example value of `schema`; `resolve` follows `$ref`s, `ids` names real rows.
 *
 * @example
 * exampleFromSchema(requestSchema, (s) => validator.resolve(s), ids);
 */
export function exampleFromSchema(
  raw: unknown,
  resolve: (schema: unknown) => Node,
  ids: Record<string, string>,
  name = '',
  depth = 0,
): unknown {
  const schema = resolve(raw);
  if (depth > 8) return undefined;
  if (name in ids) return ids[name];
  if (name in BY_NAME) return BY_NAME[name];
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  const choice = (schema.anyOf ?? schema.oneOf) as unknown[] | undefined;
  if (choice?.[0] !== undefined) return exampleFromSchema(choice[0], resolve, ids, name, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const properties = (schema.properties ?? {}) as Node;
      const required = (schema.required ?? []) as string[];
      return Object.fromEntries(
        required.map((key) => [
          key,
          exampleFromSchema(properties[key], resolve, ids, key, depth + 1),
        ]),
      );
    }
    case 'array': {
      const count = Math.max(1, Number(schema.minItems ?? 1));
      return Array.from({ length: count }, () =>
        exampleFromSchema(schema.items, resolve, ids, '', depth + 1),
      );
    }
    case 'integer':
    case 'number': {
      const low = Number(schema.minimum ?? Number.NEGATIVE_INFINITY);
      const high = Number(schema.maximum ?? Number.POSITIVE_INFINITY);
      return Math.min(Math.max(100, low), high);
    }
    case 'boolean':
      return false;
    case 'string':
      // The end of a period comes after its start (`from` gets the format's example).
      if (name === 'to' && schema.format === 'date-time') return LATER_DATE_TIME;
      return exampleString(schema);
    default:
      return undefined;
  }
}

function exampleString(schema: Node): string {
  if (typeof schema.format === 'string' && schema.format in BY_FORMAT) {
    return BY_FORMAT[schema.format] as string;
  }
  const min = Number(schema.minLength ?? 1);
  if (typeof schema.pattern === 'string') {
    const pattern = new RegExp(schema.pattern);
    const found = CANDIDATES.find((c) => pattern.test(c));
    if (found) return found;
  }
  return 'x'.repeat(Math.max(1, Math.min(min, 1000)));
}
