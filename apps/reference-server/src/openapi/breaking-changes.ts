/**
 * Finds the changes between two OpenAPI documents that break a client
 * written against the first: a removed path, operation, success response,
 * response header or response field; a response field that may now be
 * absent or of a type the client never saw; a request input that is newly
 * required or accepts less than before (narrower type, fewer enum values,
 * tighter bounds, a changed pattern, a removed field or parameter); a
 * changed required scope. Additions are not breaking: new operations,
 * optional inputs, response fields and response enum values (clients
 * tolerate unknown ones, docs/versioning.md). Such a change is allowed only
 * with a new major `info.version`.
 */

type Node = Record<string, unknown>;

/**
 * One breaking change, located by a readable path into the document.
 *
 * @example
 * const change: BreakingChange = { where: 'POST /api/v1/patients body.email', change: 'newly required' };
 */
export interface BreakingChange {
  readonly where: string;
  readonly change: string;
}

/** What a client sends (the server must not accept less) or receives (must not get other). */
type Direction = 'request' | 'response';

const isNode = (value: unknown): value is Node =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const asNode = (value: unknown): Node => (isNode(value) ? value : {});
const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options', 'trace'];

/** Follows local `$ref`s (`#/components/…`) to the node they name. */
function resolve(doc: Node, value: unknown): Node {
  let node = asNode(value);
  for (let hops = 0; typeof node.$ref === 'string' && hops < 32; hops++) {
    const pointer = node.$ref.replace(/^#\//, '').split('/');
    node = asNode(pointer.reduce<unknown>((at, key) => asNode(at)[key], doc));
  }
  return node;
}

function typesOf(schema: Node): Set<string> | undefined {
  if (schema.type === undefined) return undefined;
  const types = new Set(
    Array.isArray(schema.type) ? schema.type.map(String) : [String(schema.type)],
  );
  if (types.has('number')) types.add('integer');
  return types;
}

const requiredOf = (schema: Node) =>
  new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);

/** Bounds where a larger value accepts less (`min…`), and where a smaller one does (`max…`). */
const LOWER_BOUNDS = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties'];
const UPPER_BOUNDS = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties'];

class SchemaDiff {
  readonly changes: BreakingChange[] = [];
  readonly #seen = new Set<string>();

  readonly before: Node;
  readonly after: Node;

  constructor(before: Node, after: Node) {
    this.before = before;
    this.after = after;
  }

  report(where: string, change: string): void {
    this.changes.push({ where, change });
  }

  compare(where: string, beforeRaw: unknown, afterRaw: unknown, direction: Direction): void {
    // A named schema pair is compared once: its changes are reported where first met.
    const refs = [asNode(beforeRaw).$ref, asNode(afterRaw).$ref];
    if (refs.some((ref) => ref !== undefined)) {
      const key = `${refs.join('|')}|${direction}`;
      if (this.#seen.has(key)) return;
      this.#seen.add(key);
    }
    const before = resolve(this.before, beforeRaw);
    const after = resolve(this.after, afterRaw);
    for (const [key, value] of [
      ['allOf', before.allOf],
      ['anyOf', before.anyOf],
      ['oneOf', before.oneOf],
    ] as const) {
      if (!Array.isArray(value)) continue;
      const next = Array.isArray(after[key]) ? (after[key] as unknown[]) : [];
      if (direction === 'request' && key !== 'allOf' && next.length < value.length) {
        this.report(where, `accepts fewer alternatives (${key})`);
      }
      value.forEach((part, i) => {
        if (i < next.length) this.compare(`${where}.${key}[${i}]`, part, next[i], direction);
      });
    }
    this.#types(where, before, after, direction);
    this.#values(where, before, after, direction);
    if (direction === 'request') this.#bounds(where, before, after);
    this.#properties(where, before, after, direction);
    if (before.items !== undefined && after.items !== undefined) {
      this.compare(`${where}[]`, before.items, after.items, direction);
    }
  }

  #types(where: string, before: Node, after: Node, direction: Direction): void {
    const was = typesOf(before);
    const is = typesOf(after);
    if (direction === 'request') {
      // The server must accept every type it accepted.
      if (!is) return;
      const lost = was ? [...was].filter((t) => !is.has(t)) : ['any type'];
      if (lost.length > 0) this.report(where, `no longer accepts ${lost.join(', ')}`);
    } else {
      // The client must never receive a type it was not told of.
      if (!was) return;
      const gained = is ? [...is].filter((t) => !was.has(t)) : ['any type'];
      if (gained.length > 0) this.report(where, `may now be ${gained.join(', ')}`);
    }
  }

  #values(where: string, before: Node, after: Node, direction: Direction): void {
    if (direction !== 'request') return;
    const allowed = (schema: Node) =>
      Array.isArray(schema.enum) ? schema.enum : 'const' in schema ? [schema.const] : undefined;
    const was = allowed(before);
    const is = allowed(after);
    if (!is) return;
    if (!was) {
      this.report(where, 'now accepts only listed values');
      return;
    }
    const lost = was.filter((v) => !is.some((w) => JSON.stringify(w) === JSON.stringify(v)));
    if (lost.length > 0) this.report(where, `no longer accepts ${JSON.stringify(lost)}`);
  }

  #bounds(where: string, before: Node, after: Node): void {
    for (const key of LOWER_BOUNDS) {
      const is = after[key];
      const was = before[key];
      if (typeof is === 'number' && (typeof was !== 'number' || is > was)) {
        this.report(where, `${key} raised to ${is}`);
      }
    }
    for (const key of UPPER_BOUNDS) {
      const is = after[key];
      const was = before[key];
      if (typeof is === 'number' && (typeof was !== 'number' || is < was)) {
        this.report(where, `${key} lowered to ${is}`);
      }
    }
    for (const key of ['pattern', 'format']) {
      if (after[key] !== undefined && after[key] !== before[key]) {
        this.report(where, `${key} changed to ${JSON.stringify(after[key])}`);
      }
    }
  }

  #properties(where: string, before: Node, after: Node, direction: Direction): void {
    const was = asNode(before.properties);
    const is = asNode(after.properties);
    const wasRequired = requiredOf(before);
    const isRequired = requiredOf(after);
    for (const [name, schema] of Object.entries(was)) {
      const at = `${where}.${name}`;
      if (!(name in is)) {
        if (direction === 'response') this.report(at, 'removed from the response');
        else if (after.additionalProperties === false) this.report(at, 'no longer accepted');
        continue;
      }
      if (direction === 'response' && wasRequired.has(name) && !isRequired.has(name)) {
        this.report(at, 'may now be absent from the response');
      }
      this.compare(at, schema, is[name], direction);
    }
    if (direction === 'request') {
      for (const name of isRequired) {
        if (!wasRequired.has(name)) this.report(`${where}.${name}`, 'newly required');
      }
    }
  }
}

function parametersOf(doc: Node, operation: Node, pathItem: Node): Map<string, Node> {
  const all = [
    ...(Array.isArray(pathItem.parameters) ? pathItem.parameters : []),
    ...(Array.isArray(operation.parameters) ? operation.parameters : []),
  ].map((p) => resolve(doc, p));
  return new Map(all.map((p) => [`${p.in} ${p.name}`, p]));
}

function compareOperation(diff: SchemaDiff, where: string, before: Node, after: Node): void {
  const [beforeItem, afterItem] = [before.item, after.item].map(asNode) as [Node, Node];
  const [was, is] = [before.operation, after.operation].map(asNode) as [Node, Node];
  if (was['x-required-scope'] !== is['x-required-scope']) {
    diff.report(where, `needs scope ${String(is['x-required-scope'])} instead`);
  }
  const wasParams = parametersOf(diff.before, was, beforeItem);
  const isParams = parametersOf(diff.after, is, afterItem);
  for (const [key, parameter] of wasParams) {
    const next = isParams.get(key);
    if (!next) diff.report(`${where} ${key}`, 'parameter removed');
    else diff.compare(`${where} ${key}`, parameter.schema, next.schema, 'request');
  }
  for (const [key, parameter] of isParams) {
    if (parameter.required === true && wasParams.get(key)?.required !== true) {
      diff.report(`${where} ${key}`, 'parameter newly required');
    }
  }
  const wasBody = resolve(diff.before, was.requestBody);
  const isBody = resolve(diff.after, is.requestBody);
  if (isBody.required === true && wasBody.required !== true) {
    diff.report(`${where} body`, 'request body newly required');
  }
  for (const [type, media] of Object.entries(asNode(wasBody.content))) {
    const next = asNode(isBody.content)[type];
    if (!next) diff.report(`${where} body ${type}`, 'media type no longer accepted');
    else diff.compare(`${where} body`, asNode(media).schema, asNode(next).schema, 'request');
  }
  const isResponses = asNode(is.responses);
  for (const [status, raw] of Object.entries(asNode(was.responses))) {
    const response = resolve(diff.before, raw);
    const next =
      isResponses[status] === undefined ? undefined : resolve(diff.after, isResponses[status]);
    if (!next) {
      if (status.startsWith('2')) diff.report(`${where} ${status}`, 'success response removed');
      continue;
    }
    for (const header of Object.keys(asNode(response.headers))) {
      if (!(header in asNode(next.headers)))
        diff.report(`${where} ${status} ${header}`, 'header removed');
    }
    for (const [type, media] of Object.entries(asNode(response.content))) {
      const nextMedia = asNode(next.content)[type];
      if (!nextMedia) diff.report(`${where} ${status} ${type}`, 'response media type removed');
      else
        diff.compare(
          `${where} ${status}`,
          asNode(media).schema,
          asNode(nextMedia).schema,
          'response',
        );
    }
  }
}

/**
 * Every breaking change from `before` (the last release) to `after`.
 *
 * @example
 * findBreakingChanges(released, buildOpenApiDocument()); // [] when compatible
 */
export function findBreakingChanges(before: Node, after: Node): BreakingChange[] {
  const diff = new SchemaDiff(before, after);
  const afterPaths = asNode(after.paths);
  for (const [path, rawItem] of Object.entries(asNode(before.paths))) {
    const item = asNode(rawItem);
    const nextItem = afterPaths[path];
    if (!isNode(nextItem)) {
      diff.report(path, 'path removed');
      continue;
    }
    for (const method of METHODS.filter((m) => isNode(item[m]))) {
      const where = `${method.toUpperCase()} ${path}`;
      if (!isNode(nextItem[method])) {
        diff.report(where, 'operation removed');
        continue;
      }
      compareOperation(
        diff,
        where,
        { item, operation: item[method] },
        { item: nextItem, operation: nextItem[method] },
      );
    }
  }
  return diff.changes;
}

const majorOf = (doc: Node) => Number(String(asNode(doc.info).version ?? '0').split('.')[0]);

/**
 * The breaking changes that are not allowed: all of them, unless
 * `after`'s major version is above `before`'s.
 *
 * @example
 * expect(disallowedBreakingChanges(released, current)).toEqual([]);
 */
export function disallowedBreakingChanges(before: Node, after: Node): BreakingChange[] {
  return majorOf(after) > majorOf(before) ? [] : findBreakingChanges(before, after);
}
