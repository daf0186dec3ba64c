/**
 * Named component schemas for the OpenAPI document. Response models come
 * from the contract's `namedSchemas` (so a generated client has `Patient`,
 * `Appointment`, …); any response or request body the registry does not
 * name is still a component, named after its operation, so an operation
 * added to the contract comes out with named types and no edit here.
 * Response and request sides are converted separately (zod's `output` and
 * `input` views differ: defaults, coercions), each in one pass so that
 * nested named schemas become `$ref`s.
 */
import { namedSchemas, type Operation, type Schema } from '@clinicbridge/sdk/contract';
import * as z from 'zod/mini';

/**
 * A JSON object of the document.
 *
 * @example
 * const info: JsonObject = { title: 'ClinicBridge API', version: '1.0.0' };
 */
export type JsonObject = Record<string, unknown>;

const COMPONENT_PREFIX = '#/components/schemas/';

/**
 * `#/components/schemas/<name>`, as a `$ref` object.
 *
 * @example
 * schemaRef('Problem'); // { $ref: '#/components/schemas/Problem' }
 */
export const schemaRef = (name: string) => ({ $ref: `${COMPONENT_PREFIX}${name}` });

/**
 * `patients.create` → `PatientsCreate`.
 *
 * @example
 * pascalCase('ledgerAccounts.balance'); // 'LedgerAccountsBalance'
 */
export function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/**
 * Converts one schema alone (no components): parameters, which OpenAPI
 * describes one by one.
 *
 * @example
 * inlineJsonSchema(pageQuery, 'output').properties; // { limit: …, cursor: … }
 */
export function inlineJsonSchema(schema: Schema, io: 'input' | 'output'): JsonObject {
  return tidy(z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonObject);
}

function tidy(schema: JsonObject): JsonObject {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return rest;
}

// A response may gain fields in a minor version (docs/versioning.md), so a
// response object never promises that it has no other properties.
function openResponseObjects(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(openResponseObjects);
  if (value === null || typeof value !== 'object') return value;
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === 'additionalProperties' && child === false) continue;
    out[key] = openResponseObjects(child);
  }
  return out;
}

/** Is `schema` a page (`{ data: T[], nextCursor }`)? Then returns its item schema. */
function pageItem(schema: Schema): Schema | undefined {
  const def = schema._zod.def as { type: string; shape?: Record<string, Schema> };
  if (def.type !== 'object' || !def.shape) return undefined;
  const keys = Object.keys(def.shape).sort().join(',');
  const data = def.shape.data?._zod.def as { type: string; element?: Schema } | undefined;
  return keys === 'data,nextCursor' && data?.type === 'array' ? data.element : undefined;
}

/**
 * Collects the schemas of the document's bodies and names them; `build()`
 * returns `components.schemas`.
 *
 * @example
 * const components = new SchemaComponents();
 * const ref = components.response(operations.patients.get); // { $ref: '#/components/schemas/Patient' }
 * const schemas = components.build();
 */
export class SchemaComponents {
  readonly #output = z.registry<{ id: string }>();
  readonly #input = z.registry<{ id: string }>();
  readonly #names = { input: new Map<Schema, string>(), output: new Map<Schema, string>() };
  readonly #taken = new Set<string>();

  constructor() {
    for (const [name, schema] of Object.entries(namedSchemas)) this.#name(schema, name, 'output');
  }

  /** The `$ref` of an operation's response body, naming it if the registry does not. */
  response(operation: Operation & { response: Schema }): { $ref: string } {
    return this.responseSchema(operation.response, `${pascalCase(operation.id)}Response`);
  }

  /** The `$ref` of a response-side schema, named `fallback` unless named already. */
  responseSchema(schema: Schema, fallback: string): { $ref: string } {
    const item = pageItem(schema);
    const itemName = item ? this.#names.output.get(item) : undefined;
    if (!itemName) return schemaRef(this.#name(schema, fallback, 'output'));
    // Every `page(item)` has the same shape: one component serves them all.
    const pageName = `${itemName}Page`;
    return schemaRef(this.#taken.has(pageName) ? pageName : this.#name(schema, pageName, 'output'));
  }

  /** The `$ref` of an operation's request body (`<OperationId>Request`). */
  request(operation: Operation & { body: Schema }): { $ref: string } {
    return this.requestSchema(operation.body, `${pascalCase(operation.id)}Request`);
  }

  /** The `$ref` of a request-side schema, named `name` unless named already. */
  requestSchema(schema: Schema, name: string): { $ref: string } {
    return schemaRef(this.#name(schema, name, 'input'));
  }

  #name(schema: Schema, name: string, io: 'input' | 'output'): string {
    const known = this.#names[io].get(schema);
    if (known) return known;
    if (this.#taken.has(name)) {
      throw new Error(`Two schemas would be the OpenAPI component "${name}"; name one of them.`);
    }
    this.#taken.add(name);
    this.#names[io].set(schema, name);
    (io === 'output' ? this.#output : this.#input).add(schema, { id: name });
    return name;
  }

  /** Every named schema, converted: the document's `components.schemas`, sorted by name. */
  build(): Record<string, JsonObject> {
    const uri = (id: string) => `${COMPONENT_PREFIX}${id}`;
    const convert = (registry: z.core.$ZodRegistry<{ id: string }>, io: 'input' | 'output') =>
      (
        z.toJSONSchema(registry, { io, uri, unrepresentable: 'any' }) as {
          schemas: Record<string, JsonObject>;
        }
      ).schemas;
    const all: Record<string, JsonObject> = {};
    for (const [name, schema] of Object.entries(convert(this.#output, 'output'))) {
      all[name] = openResponseObjects(tidy(schema)) as JsonObject;
    }
    for (const [name, schema] of Object.entries(convert(this.#input, 'input'))) {
      all[name] = tidy(schema);
    }
    return Object.fromEntries(Object.entries(all).sort(([a], [b]) => a.localeCompare(b)));
  }
}
