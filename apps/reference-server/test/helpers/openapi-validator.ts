/**
 * Checks live responses against the OpenAPI document with Ajv (JSON Schema
 * 2020-12, the dialect of OpenAPI 3.1): the status must be declared, each
 * declared header that is present must match its schema, and the body must
 * match the schema of its status and media type. Objects are checked
 * strictly (no property the document does not name), so a field the
 * server sends but the document omits fails too.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

type Node = Record<string, unknown>;

const DOCUMENT_ID = 'https://clinicbridge.test/openapi.json';

// Formats zod writes that ajv-formats does not know; their patterns are checked beside them.
const EXTRA_FORMATS = [
  'e164',
  'cidrv4',
  'cidrv6',
  'cuid',
  'cuid2',
  'ulid',
  'nanoid',
  'base64url',
  'jwt',
  'emoji',
];

/** Rewrites `#/components/…` to the registered document's id, and closes objects. */
function prepare(value: unknown, strict: boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => prepare(v, strict));
  if (value === null || typeof value !== 'object') return value;
  const out: Node = {};
  for (const [key, child] of Object.entries(value)) {
    out[key] =
      key === '$ref' && typeof child === 'string' && child.startsWith('#/')
        ? `${DOCUMENT_ID}${child}`
        : prepare(child, strict);
  }
  if (strict && out.type === 'object' && 'properties' in out && !('additionalProperties' in out)) {
    out.additionalProperties = false;
  }
  return out;
}

/**
 * One response to check: what was asked, and what came back.
 *
 * @example
 * const exchange: Exchange = { label: 'patients.get', responses: op.responses, response: res };
 */
export interface Exchange {
  label: string;
  /** The operation's responses, or a single response object (405 has no operation). */
  responses: Node;
  response: Response;
}

/**
 * An Ajv validator over one OpenAPI document.
 *
 * @example
 * const validator = new OpenApiValidator(await (await fetch(`${url}/openapi.json`)).json());
 * const failures = await validator.check({ label: 'patients.get', responses: op.responses, response: res });
 */
export class OpenApiValidator {
  readonly document: Node;
  readonly #ajv = new Ajv2020({ allErrors: true, strict: false });
  readonly #compiled = new Map<string, ValidateFunction>();

  constructor(document: Node) {
    this.document = document;
    addFormats.default(this.#ajv);
    for (const format of EXTRA_FORMATS) this.#ajv.addFormat(format, true);
    this.#ajv.addSchema({ $id: DOCUMENT_ID, components: prepare(document.components, true) });
  }

  /** Follows a local `$ref` in the document. */
  resolve(value: unknown): Node {
    let node = (value ?? {}) as Node;
    while (typeof node.$ref === 'string') {
      node = node.$ref
        .replace(/^#\//, '')
        .split('/')
        .reduce<Node>((at, key) => (at[key] ?? {}) as Node, this.document);
    }
    return node;
  }

  #validator(schema: unknown): ValidateFunction {
    const key = JSON.stringify(schema);
    let validate = this.#compiled.get(key);
    if (!validate) {
      validate = this.#ajv.compile(prepare(schema, true) as Node);
      this.#compiled.set(key, validate);
    }
    return validate;
  }

  #errors(schema: unknown, value: unknown, what: string): string[] {
    const validate = this.#validator(schema);
    if (validate(value)) return [];
    return (validate.errors ?? []).map(
      (e) => `${what}${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`,
    );
  }

  /** Every way the exchange departs from the document; empty when it conforms. */
  async check({ label, responses, response }: Exchange): Promise<string[]> {
    const status = String(response.status);
    const declared = 'description' in responses ? responses : responses[status];
    const text = await response.text();
    if (declared === undefined)
      return [`${label}: status ${status} is not declared (${text.slice(0, 200)})`];
    const spec = this.resolve(declared);
    const failures: string[] = [];
    if (!response.headers.get('x-request-id')) failures.push('no X-Request-Id');
    for (const [name, raw] of Object.entries((spec.headers ?? {}) as Node)) {
      const value = response.headers.get(name);
      if (value === null) continue;
      const schema = this.resolve(raw).schema as Node;
      const typed = schema.type === 'integer' ? Number(value) : value;
      failures.push(...this.#errors(schema, typed, `header ${name}`));
    }
    const content = (spec.content ?? {}) as Record<string, { schema: unknown }>;
    const type = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
    if (Object.keys(content).length === 0) {
      if (text !== '') failures.push(`a body where none is declared: ${text.slice(0, 200)}`);
    } else if (!content[type]) {
      failures.push(`content type ${type} not declared (${Object.keys(content).join(', ')})`);
    } else {
      failures.push(...this.#errors(content[type].schema, JSON.parse(text), 'body'));
    }
    return failures.map((f) => `${label} → ${status}: ${f}`);
  }
}
