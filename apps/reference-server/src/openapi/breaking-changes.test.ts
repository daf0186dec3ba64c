/**
 * The breaking-change diff on small synthetic documents (each kind of break
 * caught, each kind of addition let through, a major version allowing
 * breaks), then the generated document against the committed baseline of
 * the last release.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { disallowedBreakingChanges, findBreakingChanges } from './breaking-changes.ts';
import { buildOpenApiDocument } from './document.ts';

type Doc = Record<string, unknown>;

/** A one-operation document: `GET /things/{id}` answering a `Thing`, and `POST /things`. */
function base(): Doc {
  return {
    openapi: '3.1.0',
    info: { title: 't', version: '1.2.0' },
    paths: {
      '/things/{id}': {
        get: {
          'x-required-scope': 'read:things',
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string', maxLength: 40 } },
            {
              name: 'view',
              in: 'query',
              required: false,
              schema: { type: 'string', enum: ['a', 'b'] },
            },
          ],
          responses: {
            '200': {
              description: 'ok',
              headers: { 'X-Request-Id': { schema: { type: 'string' } } },
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } },
            },
            '404': { description: 'no' },
          },
        },
      },
      '/things': {
        post: {
          'x-required-scope': 'write:things',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  additionalProperties: false,
                  properties: {
                    name: { type: 'string', minLength: 1, maxLength: 100 },
                    size: { type: 'integer', minimum: 0, maximum: 10 },
                    color: { type: 'string', enum: ['red', 'blue'] },
                  },
                  required: ['name'],
                },
              },
            },
          },
          responses: { '201': { description: 'made' } },
        },
      },
    },
    components: {
      schemas: {
        Thing: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            count: { type: 'integer' },
            status: { type: 'string', enum: ['on', 'off'] },
            note: { type: ['string', 'null'] },
          },
          required: ['id', 'count', 'status'],
        },
      },
    },
  };
}

/** `base()` changed by `edit`, which mutates it through a loose view. */
function changed(edit: (doc: Record<string, never>) => void): Doc {
  const doc = base();
  edit(doc as Record<string, never>);
  return doc;
}

const changes = (after: Doc) =>
  findBreakingChanges(base(), after).map((c) => `${c.where}: ${c.change}`);

// biome-ignore lint/suspicious/noExplicitAny: the edits reach deep into a synthetic document.
type Loose = any;
const thing = (doc: Loose) => doc.components.schemas.Thing;
const createBody = (doc: Loose) =>
  doc.paths['/things'].post.requestBody.content['application/json'].schema;
const getOp = (doc: Loose) => doc.paths['/things/{id}'].get;

describe('breaking changes found', () => {
  const cases: [string, (doc: Loose) => void, RegExp][] = [
    ['a removed path', (d) => delete d.paths['/things'], /\/things: path removed/],
    ['a removed operation', (d) => (d.paths['/things'] = {}), /POST \/things: operation removed/],
    ['a removed response field', (d) => delete thing(d).properties.count, /200\.count: removed/],
    [
      'a response field no longer required',
      (d) => (thing(d).required = ['id', 'status']),
      /200\.count: may now be absent/,
    ],
    [
      'a response field widened',
      (d) => (thing(d).properties.count.type = 'number'),
      /count: may now be number/,
    ],
    [
      'a response field made nullable',
      (d) => (thing(d).properties.id.type = ['string', 'null']),
      /id: may now be null/,
    ],
    [
      'a removed success response',
      (d) => delete getOp(d).responses['200'],
      /200: success response removed/,
    ],
    [
      'a removed response header',
      (d) => (getOp(d).responses['200'].headers = {}),
      /X-Request-Id: header removed/,
    ],
    [
      'a request enum narrowed',
      (d) => (createBody(d).properties.color.enum = ['red']),
      /color: no longer accepts \["blue"\]/,
    ],
    [
      'a request type narrowed',
      (d) => (createBody(d).properties.name.type = 'integer'),
      /name: no longer accepts string/,
    ],
    [
      'a request bound tightened',
      (d) => (createBody(d).properties.name.maxLength = 50),
      /name: maxLength lowered to 50/,
    ],
    [
      'a request minimum raised',
      (d) => (createBody(d).properties.size.minimum = 1),
      /size: minimum raised to 1/,
    ],
    [
      'a request pattern added',
      (d) => (createBody(d).properties.name.pattern = '^[a-z]+$'),
      /name: pattern changed/,
    ],
    [
      'a request field newly required',
      (d) => createBody(d).required.push('size'),
      /body\.size: newly required/,
    ],
    [
      'a new required request field',
      (d) => {
        createBody(d).properties.owner = { type: 'string' };
        createBody(d).required.push('owner');
      },
      /body\.owner: newly required/,
    ],
    [
      'a request field removed',
      (d) => delete createBody(d).properties.color,
      /body\.color: no longer accepted/,
    ],
    [
      'a new required parameter',
      (d) =>
        getOp(d).parameters.push({
          name: 'tenant',
          in: 'query',
          required: true,
          schema: { type: 'string' },
        }),
      /query tenant: parameter newly required/,
    ],
    [
      'an optional parameter made required',
      (d) => (getOp(d).parameters[1].required = true),
      /query view: parameter newly required/,
    ],
    ['a parameter removed', (d) => getOp(d).parameters.pop(), /query view: parameter removed/],
    [
      'a parameter enum narrowed',
      (d) => (getOp(d).parameters[1].schema.enum = ['a']),
      /query view: no longer accepts \["b"\]/,
    ],
    [
      'a changed scope',
      (d) => (getOp(d)['x-required-scope'] = 'admin:things'),
      /needs scope admin:things/,
    ],
  ];
  for (const [name, edit, expected] of cases) {
    test(name, () => {
      const found = changes(changed(edit));
      expect(
        found.some((c) => expected.test(c)),
        found.join('\n'),
      ).toBe(true);
    });
  }
});

describe('compatible changes', () => {
  const cases: [string, (doc: Loose) => void][] = [
    ['an identical document', () => {}],
    [
      'a new operation',
      (d) => (d.paths['/things'].get = { responses: { '200': { description: 'list' } } }),
    ],
    ['a new response field', (d) => (thing(d).properties.colour = { type: 'string' })],
    ['a new response enum value', (d) => thing(d).properties.status.enum.push('broken')],
    ['a response field narrowed', (d) => (thing(d).properties.note.type = 'string')],
    [
      'a new optional request field',
      (d) => (createBody(d).properties.tag = { type: 'string', maxLength: 9 }),
    ],
    ['a request enum widened', (d) => createBody(d).properties.color.enum.push('green')],
    ['a request bound loosened', (d) => (createBody(d).properties.name.maxLength = 200)],
    ['a request field no longer required', (d) => (createBody(d).required = [])],
    [
      'a new optional parameter',
      (d) =>
        getOp(d).parameters.push({
          name: 'q',
          in: 'query',
          required: false,
          schema: { type: 'string' },
        }),
    ],
    ['a new error response', (d) => (getOp(d).responses['429'] = { description: 'slow down' })],
  ];
  for (const [name, edit] of cases) {
    test(name, () => expect(changes(changed(edit))).toEqual([]));
  }

  test('a breaking change passes only with a new major version', () => {
    const broken = changed((d: Loose) => delete d.paths['/things']);
    expect(disallowedBreakingChanges(base(), broken)).toHaveLength(1);
    (broken.info as { version: string }).version = '1.3.0';
    expect(disallowedBreakingChanges(base(), broken)).toHaveLength(1);
    (broken.info as { version: string }).version = '2.0.0';
    expect(disallowedBreakingChanges(base(), broken)).toEqual([]);
  });
});

test('the generated document does not break the last released one', () => {
  const released = JSON.parse(
    readFileSync(resolve(import.meta.dirname, '../../openapi/released/v1.json'), 'utf8'),
  ) as Doc;
  const breaks = disallowedBreakingChanges(released, buildOpenApiDocument());
  // Changed on purpose? Move the major version (API_VERSION), or see docs/versioning.md.
  expect(breaks.map((c) => `${c.where}: ${c.change}`)).toEqual([]);
});

test('on the generated document, a removed Patient field and a new required body field are caught', () => {
  const before = buildOpenApiDocument() as Loose;
  const after = buildOpenApiDocument() as Loose;
  delete after.components.schemas.Patient.properties.externalRef;
  after.components.schemas.PatientsCreateRequest.required.push('email');
  const found = findBreakingChanges(before, after).map((c) => `${c.where}: ${c.change}`);
  // A named schema's change is reported once, at the first operation that answers it.
  expect(found).toContainEqual(
    expect.stringMatching(/\/api\/v1\/patients.*externalRef: removed from the response$/),
  );
  expect(found).toContain('POST /api/v1/patients body.email: newly required');
});
