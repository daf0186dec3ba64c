/**
 * The live check's validator refuses what it should: an undeclared status,
 * a missing or undocumented field, a header that breaks its schema, an
 * undeclared media type; and accepts a conforming answer.
 */
import { describe, expect, test } from 'vitest';
import { buildOpenApiDocument } from '../../src/openapi/document.ts';
import { OpenApiValidator } from './openapi-validator.ts';

const validator = new OpenApiValidator(buildOpenApiDocument());
const responses = validator.resolve(
  (validator.document.paths as Record<string, Record<string, { responses: unknown }>>)[
    '/api/v1/patients/{patientId}'
  ]?.get?.responses,
);
const patient = {
  id: 'pat_0123456789abcdef',
  externalRef: null,
  preferredLanguage: 'en',
  countryCode: null,
  consent: { messaging: true, marketing: false },
  createdAt: '2026-12-01T09:00:00Z',
  updatedAt: '2026-12-01T09:00:00Z',
};
const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'x-request-id': 'req_1', ...headers },
  });
const check = (response: Response) =>
  validator.check({ label: 'patients.get', responses, response });

describe('OpenApiValidator', () => {
  test('accepts a conforming answer', async () => {
    expect(await check(answer(200, patient, { RateLimit: '"high";r=1;t=1' }))).toEqual([]);
  });

  test('refuses an undeclared status', async () => {
    expect(await check(answer(418, {}))).toEqual([
      expect.stringContaining('status 418 is not declared'),
    ]);
  });

  test('refuses a missing field, an undocumented field and a wrong type', async () => {
    const { id: _id, ...withoutId } = patient;
    expect((await check(answer(200, withoutId))).join()).toContain(
      "must have required property 'id'",
    );
    expect((await check(answer(200, { ...patient, ssn: '1' }))).join()).toContain(
      'must NOT have additional properties',
    );
    expect((await check(answer(200, { ...patient, createdAt: 'yesterday' }))).join()).toContain(
      'body/createdAt',
    );
  });

  test('refuses a bad header, a problem with another status’s code, and an undeclared media type', async () => {
    expect((await check(answer(200, patient, { 'x-request-id': 'has space' }))).join()).toContain(
      'header X-Request-Id',
    );
    const problem = {
      type: 'about:blank',
      title: 'x',
      status: 404,
      code: 'conflict',
      requestId: 'r',
    };
    const wrongCode = new Response(JSON.stringify(problem), {
      status: 404,
      headers: { 'content-type': 'application/problem+json', 'x-request-id': 'req_1' },
    });
    expect((await check(wrongCode)).join()).toContain('body/code');
    const text = new Response('hi', {
      status: 200,
      headers: { 'content-type': 'text/plain', 'x-request-id': 'req_1' },
    });
    expect((await check(text)).join()).toContain('content type text/plain not declared');
  });
});
