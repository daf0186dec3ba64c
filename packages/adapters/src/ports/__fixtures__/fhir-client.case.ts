/**
 * The conformance suite every `FhirClient` must pass against a server with
 * the FHIR R4 RESTful semantics: read with versions, conditional create
 * (201 / 200 / 412), If-Match updates (200 / 412), search across
 * `Bundle.link[next]` within its bounds (and never off the server),
 * OperationOutcome failures as typed errors, and safe retries.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Encounter, Patient } from '@medplum/fhirtypes';
import { HttpResponse, http, type RequestHandler } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { serverErrors } from '../../testing/failures.ts';
import type { FakeFhirServer } from '../../testing/fhir.ts';
import type { FhirClient } from '../fhir.ts';
import { rejection } from './rejection.ts';

export interface FhirClientHarness {
  name: string;
  setup(): { client: FhirClient; fake: FakeFhirServer; handlers: RequestHandler[] };
}

/** The R4 samples in `src/fhir/__fixtures__` (see its SOURCES.md), BOM stripped. */
export function fhirFixture<T>(file: string): T {
  const dir = join(import.meta.dirname, '../../fhir/__fixtures__');
  return JSON.parse(readFileSync(join(dir, file), 'utf8').replace(/^\uFEFF/, '')) as T;
}

const withoutServerFields = <T extends { id?: string; meta?: unknown }>(resource: T) => {
  const { id: _id, meta: _meta, ...rest } = resource;
  return rest;
};

export function describeFhirClientConformance(harness: FhirClientHarness): void {
  describe(`FhirClient conformance: ${harness.name}`, () => {
    const server = setupServer();
    beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
    afterEach(() => server.resetHandlers());
    afterAll(() => server.close());
    const start = () => {
      const env = harness.setup();
      server.use(...env.handlers);
      return env;
    };
    const patient = (value: string): Patient => ({
      resourceType: 'Patient',
      identifier: [{ system: 'urn:oid:2.16.840.1.113883.2.4.6.3', value }],
      name: [{ family: 'Heuvel', given: ['Pieter'] }],
      birthDate: '1944-11-17',
    });

    test('create is 201 with a server id and version 1; read returns it', async () => {
      const { client } = start();
      const { resource, outcome } = await client.create(patient('1'));
      expect(outcome).toBe('created');
      expect(resource.id).toMatch(/^[A-Za-z0-9\-.]{1,64}$/);
      expect(resource.meta?.versionId).toBe('1');
      const read = await client.read('Patient', resource.id ?? '');
      expect(read).toEqual(resource);
    });

    test('conditional create: no match → 201, one match → 200 with it, several → 412', async () => {
      const { client, fake } = start();
      const criteria = { identifier: 'urn:oid:2.16.840.1.113883.2.4.6.3|42' };
      const first = await client.create(patient('42'), { ifNoneExist: criteria });
      const second = await client.create(patient('42'), { ifNoneExist: criteria });
      expect([first.outcome, second.outcome]).toEqual(['created', 'existing']);
      expect(second.resource.id).toBe(first.resource.id);
      expect(fake.all('Patient')).toHaveLength(1);

      fake.seed(patient('42'));
      const several = await rejection(client.create(patient('42'), { ifNoneExist: criteria }));
      expect(several).toMatchObject({
        code: 'conflict',
        status: 412,
        providerCode: 'multiple-matches',
      });
      expect(fake.all('Patient')).toHaveLength(2);
    });

    test('update with If-Match: the current version wins, a stale one is 412', async () => {
      const { client, fake } = start();
      const { resource } = await client.create(patient('7'));
      const id = resource.id ?? '';
      const updated = await client.update({ ...resource, id, gender: 'male' }, { ifMatch: '1' });
      expect(updated.meta?.versionId).toBe('2');
      expect(updated.gender).toBe('male');
      const stale = await rejection(
        client.update({ ...resource, id, gender: 'female' }, { ifMatch: '1' }),
      );
      expect(stale).toMatchObject({ code: 'conflict', status: 412, providerCode: 'conflict' });
      expect(fake.get<Patient>('Patient', id)?.gender).toBe('male');
      const unconditional = await client.update({ ...updated, id, gender: 'other' });
      expect(unconditional.meta?.versionId).toBe('3');
    });

    test('search follows Bundle.link[next] to the end, and stops at its bounds', async () => {
      const { client, fake } = start();
      fake.pageSize = 3;
      for (let i = 0; i < 8; i++) {
        fake.seed<Encounter>({
          resourceType: 'Encounter',
          status: 'finished',
          class: { code: 'AMB' },
          subject: { reference: i < 7 ? 'Patient/p1' : 'Patient/p2' },
          period: { start: `2026-01-0${i + 1}T09:00:00Z`, end: `2026-01-0${i + 1}T10:00:00Z` },
        });
      }
      const all = await client.search('Encounter', { patient: 'Patient/p1' });
      expect(all).toMatchObject({ pages: 3, truncated: false, total: 7 });
      expect(all.resources).toHaveLength(7);
      const january = await client.search('Encounter', {
        subject: 'Patient/p1',
        date: ['ge2026-01-03', 'lt2026-01-06'],
      });
      expect(january.resources.map((e) => e.period?.start?.slice(0, 10))).toEqual([
        '2026-01-03',
        '2026-01-04',
        '2026-01-05',
      ]);
      const bounded = await client.search('Encounter', { patient: 'Patient/p1' }, { maxPages: 2 });
      expect(bounded).toMatchObject({ pages: 2, truncated: true });
      expect(bounded.resources).toHaveLength(6);
      const capped = await client.search('Encounter', {}, { maxResources: 4 });
      expect(capped).toMatchObject({ truncated: true });
      expect(capped.resources).toHaveLength(4);
    });

    test('a next link to another host is not followed', async () => {
      const { client } = start();
      server.use(
        http.get(/\/Observation$/, () =>
          HttpResponse.json({
            resourceType: 'Bundle',
            type: 'searchset',
            link: [{ relation: 'next', url: 'https://attacker.example/steal?page=2' }],
            entry: [],
          }),
        ),
      );
      const error = await rejection(client.search('Observation', {}));
      expect(error.code).toBe('provider_unavailable');
    });

    test('OperationOutcome errors become typed errors with the issue code and paths', async () => {
      const { client, fake } = start();
      expect(await rejection(client.read('Patient', 'nope'))).toMatchObject({
        code: 'not_found',
        providerCode: 'not-found',
      });
      fake.rules.push((r) =>
        r.resourceType === 'Patient' && !(r as Patient).gender
          ? { expression: ['Patient.gender'], diagnostics: 'gender is required here' }
          : undefined,
      );
      expect(await rejection(client.create(patient('9')))).toMatchObject({
        code: 'rejected',
        status: 422,
        providerCode: 'business-rule',
        fields: ['Patient.gender'],
      });
      expect(await rejection(client.search('Patient', { colour: 'red' }))).toMatchObject({
        code: 'invalid_request',
        providerCode: 'not-supported',
      });
      expect(await rejection(client.read('Patient', '../metadata'))).toMatchObject({
        code: 'invalid_request',
        fields: ['id'],
      });
    });

    test('reads and conditional creates are retried through a 5xx burst without duplicates', async () => {
      const { client, fake } = start();
      const { resource } = await client.create(patient('5'));
      server.use(serverErrors({ method: 'get', url: /\/Patient\//, times: 2 }).handler);
      expect((await client.read('Patient', resource.id ?? '')).id).toBe(resource.id);
      server.use(serverErrors({ method: 'post', url: /\/Patient$/, times: 1 }).handler);
      const criteria = { identifier: 'urn:oid:2.16.840.1.113883.2.4.6.3|55' };
      const created = await client.create(patient('55'), { ifNoneExist: criteria });
      expect(created.outcome).toBe('created');
      expect(fake.find('Patient', 'identifier=urn:oid:2.16.840.1.113883.2.4.6.3|55')).toHaveLength(
        1,
      );
    });

    test('the shared R4 samples round-trip unchanged', async () => {
      const { client } = start();
      for (const file of [
        'Patient-f001.json',
        'Encounter-For-Patient-f001.json',
        'claim-example.json',
      ]) {
        const sample = fhirFixture<Patient>(file);
        const { resource } = await client.create({ ...sample });
        const read = await client.read(sample.resourceType, resource.id ?? '');
        expect(withoutServerFields(read)).toEqual(withoutServerFields(sample));
        const again = await client.update(
          { ...read, id: read.id ?? '' },
          { ifMatch: read.meta?.versionId },
        );
        expect(withoutServerFields(again)).toEqual(withoutServerFields(sample));
      }
    });
  });
}
