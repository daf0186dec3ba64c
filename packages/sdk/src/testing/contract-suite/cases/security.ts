/**
 * Contract cases for the cross-cutting rules: authentication, scopes,
 * tenant isolation, validation errors with field paths, idempotent replay
 * and key reuse, integration tokens that work until revoked, and OAuth clients.
 */
import { expect } from 'vitest';
import { NUL_CHARACTER_CODE } from '../../../contract/index.ts';
import { collect, expectProblem } from '../expect-problem.ts';
import type { ContractCase } from '../types.ts';

const slot = { startsAt: '2027-03-01T09:00:00.000Z', endsAt: '2027-03-01T10:00:00.000Z' };

/**
 * Cases for security and request handling.
 *
 * @example
 * for (const c of securityCases) console.log(c.name, c.uses);
 */
export const securityCases: ContractCase[] = [
  {
    name: 'auth: an unknown key is 401',
    uses: ['patients.list'],
    async run({ clientFor }) {
      await expectProblem(clientFor('cbk_test_not_a_real_key').patients.list().page(), 401);
    },
  },
  {
    name: 'scopes: a call outside the credential scopes is 403 insufficient_scope',
    uses: ['appointments.create', 'appointments.list', 'patients.create'],
    async run({ client, clientFor, target, unique }) {
      const patient = await client.patients.create({
        givenName: 'Ada',
        familyName: 'Koç',
        externalRef: unique('scope'),
      });
      const reader = clientFor(await target.createToken(['read:appointments']));
      expect((await reader.appointments.list({ patientId: patient.id }).page()).data).toEqual([]);
      await expectProblem(
        reader.appointments.create({ patientId: patient.id, service: 'Check-up', ...slot }),
        403,
        'insufficient_scope',
      );
      await expectProblem(reader.patients.list().page(), 403, 'insufficient_scope');
    },
  },
  {
    name: "tenants: another tenant's ids are 404 and its lists are empty",
    uses: [
      'patients.create',
      'patients.get',
      'patients.list',
      'appointments.create',
      'appointments.get',
      'appointments.cancel',
    ],
    async run({ client, clientFor, target, unique }) {
      const externalRef = unique('iso');
      const patient = await client.patients.create({
        givenName: 'Ada',
        familyName: 'Aydın',
        externalRef,
      });
      const apt = await client.appointments.create({
        patientId: patient.id,
        service: 'Check-up',
        ...slot,
      });
      const other = clientFor(target.otherTenantApiKey);
      await expectProblem(other.patients.get({ patientId: patient.id }), 404, 'not_found');
      await expectProblem(other.appointments.get({ appointmentId: apt.id }), 404, 'not_found');
      await expectProblem(
        other.appointments.cancel({ appointmentId: apt.id }, { reason: 'x' }),
        404,
        'not_found',
      );
      expect(await collect(other.patients.list({ externalRef }))).toEqual([]);
      expect((await client.appointments.get({ appointmentId: apt.id })).status).toBe('scheduled');
    },
  },
  {
    name: 'validation: 400 validation_failed lists every invalid field',
    uses: ['appointments.create', 'appointments.list'],
    async run({ client }) {
      const error = await expectProblem(
        client.appointments.create({
          patientId: 'pat_bad' as `pat_${string}`,
          service: 'Check-up',
          startsAt: 'next tuesday',
          endsAt: slot.endsAt,
        }),
        400,
        'validation_failed',
      );
      const paths = (error.problem?.errors ?? []).map((e) => e.path);
      expect(paths).toEqual(expect.arrayContaining(['body.patientId', 'body.startsAt']));
      for (const e of error.problem?.errors ?? []) {
        expect(typeof e.message).toBe('string');
        expect(typeof e.code).toBe('string');
      }
      const query = await expectProblem(
        client.appointments.list({ limit: 1000 }).page(),
        400,
        'validation_failed',
      );
      expect((query.problem?.errors ?? []).map((e) => e.path)).toContain('query.limit');
    },
  },
  {
    name: 'finding 8 (issue #10): a NUL character in a body field or a query filter is 400 validation_failed, code nul_character',
    uses: ['patients.create', 'patients.list'],
    async run({ client, unique }) {
      const body = await expectProblem(
        client.patients.create({
          givenName: 'A\u0000da',
          familyName: 'Koç',
          externalRef: unique('nul'),
        }),
        400,
        'validation_failed',
      );
      expect(body.problem?.errors).toContainEqual(
        expect.objectContaining({ path: 'body.givenName', code: NUL_CHARACTER_CODE }),
      );
      const query = await expectProblem(
        client.patients.list({ externalRef: 'EHR\u00001' }).page(),
        400,
        'validation_failed',
      );
      expect(query.problem?.errors).toContainEqual(
        expect.objectContaining({ path: 'query.externalRef', code: NUL_CHARACTER_CODE }),
      );
    },
  },
  {
    name: 'finding 10 (issue #10): dates outside the years 1900–2200 are 400 validation_failed',
    uses: ['patients.create', 'appointments.create'],
    async run({ client, unique }) {
      for (const birthDate of ['0000-01-01', '1899-12-31', '2201-01-01']) {
        const error = await expectProblem(
          client.patients.create({
            givenName: 'Ada',
            familyName: 'Koç',
            birthDate,
            externalRef: unique('y'),
          }),
          400,
          'validation_failed',
        );
        expect((error.problem?.errors ?? []).map((e) => e.path)).toContain('body.birthDate');
      }
      const patient = await client.patients.create({
        givenName: 'Ada',
        familyName: 'Koç',
        birthDate: '1900-01-01',
        externalRef: unique('y'),
      });
      const error = await expectProblem(
        client.appointments.create({
          patientId: patient.id,
          service: 'Check-up',
          startsAt: '0000-01-01T09:00:00.000Z',
          endsAt: '0000-01-01T10:00:00.000Z',
        }),
        400,
        'validation_failed',
      );
      expect((error.problem?.errors ?? []).map((e) => e.path)).toContain('body.startsAt');
    },
  },
  {
    name: 'pagination: a cursor the API did not issue is 400 invalid_cursor',
    uses: ['patients.list'],
    async run({ client }) {
      await expectProblem(
        client.patients.list({ cursor: 'bm90LWEtY3Vyc29y' }).page(),
        400,
        'invalid_cursor',
      );
      // Finding 10 (issue #10): extreme or malformed cursors are refused the same way.
      const forged = ['patients', '+275760-09-13T00:00:00.000Z', 'pat_abcdefghijklmnopqrstuvwxyz'];
      for (const cursor of [
        btoa(JSON.stringify(forged)).replaceAll('=', ''),
        btoa('cb1:patients.list:99999999999999999999'),
        '!!!!',
        'A'.repeat(512),
      ]) {
        await expectProblem(client.patients.list({ cursor }).page(), 400, 'invalid_cursor');
      }
    },
  },
  {
    name: 'idempotency: a replay returns the first response; the same key with another body is 422',
    uses: ['patients.create', 'patients.list'],
    async run({ client, unique }) {
      const externalRef = unique('idem');
      const key = unique('key');
      const body = { givenName: 'Ada', familyName: 'Çelik', externalRef };
      const first = await client.patients.create(body, { idempotencyKey: key }).withResponse();
      const again = await client.patients.create(body, { idempotencyKey: key }).withResponse();
      expect(first.status).toBe(201);
      expect(again.data).toEqual(first.data);
      expect(first.replayed).toBe(false);
      expect(again.replayed).toBe(true);
      expect(await collect(client.patients.list({ externalRef }))).toHaveLength(1);
      await expectProblem(
        client.patients.create({ ...body, givenName: 'Eve' }, { idempotencyKey: key }),
        422,
        'idempotency_key_reused',
      );
    },
  },
  {
    name: 'idempotency (finding 2): a stored response is replayed only to the credential that made it',
    uses: ['patients.create', 'patients.list'],
    async run({ client, clientFor, target, unique }) {
      const externalRef = unique('bound');
      const key = unique('key');
      const body = { givenName: 'Ada', familyName: 'Çelik', externalRef };
      const first = await client.patients.create(body, { idempotencyKey: key });
      const writer = clientFor(await target.createToken(['write:patients']));
      await expectProblem(
        writer.patients.create(body, { idempotencyKey: key }),
        422,
        'idempotency_key_credential_mismatch',
      );
      const again = await client.patients.create(body, { idempotencyKey: key }).withResponse();
      expect(again.replayed).toBe(true);
      expect(again.data.id).toBe(first.id);
      expect(await collect(client.patients.list({ externalRef }))).toHaveLength(1);
    },
  },
  {
    name: 'secrets shown once (finding 3): a replayed token creation carries no API key and says so',
    uses: ['integrationTokens.create'],
    async run({ client, unique }) {
      const key = unique('key');
      const body = { name: unique('once'), scopes: ['read:appointments' as const] };
      const first = await client.integrationTokens.create(body, { idempotencyKey: key });
      expect(first.apiKey?.length).toBeGreaterThan(16);
      expect(first.secretShownOnce).toBeUndefined();
      const again = await client.integrationTokens
        .create(body, { idempotencyKey: key })
        .withResponse();
      expect(again.replayed).toBe(true);
      expect(again.data.id).toBe(first.id);
      expect(again.data.apiKey).toBeUndefined();
      expect(again.data.secretShownOnce).toBe(true);
      expect(JSON.stringify(again.raw)).not.toContain(first.apiKey);
    },
  },
  {
    name: 'integration tokens: a created key works with its scopes until revoked',
    uses: [
      'integrationTokens.create',
      'integrationTokens.list',
      'integrationTokens.revoke',
      'appointments.list',
    ],
    async run({ client, clientFor, unique }) {
      const name = unique('token');
      const created = await client.integrationTokens.create({
        name,
        scopes: ['read:appointments'],
      });
      expect(created).toMatchObject({ name, scopes: ['read:appointments'], status: 'active' });
      expect(created.apiKey?.length).toBeGreaterThan(16);
      const partner = clientFor(created.apiKey ?? '');
      await partner.appointments.list().page();
      const listed = await collect(client.integrationTokens.list({ status: 'active' }));
      const mine = listed.find((t) => t.id === created.id);
      expect(mine).toBeDefined();
      expect(mine).not.toHaveProperty('apiKey');
      const revoked = await client.integrationTokens.revoke({ tokenId: created.id });
      expect(revoked.status).toBe('revoked');
      await expectProblem(partner.appointments.list().page(), 401);
    },
  },
  {
    // Both runners are reached from 127.0.0.1: the server over a socket, the fake API by its default clientAddress.
    name: 'finding 18 (issue #10): a token with an IP allowlist works from an allowed address and is 403 ip_not_allowed from others',
    uses: ['integrationTokens.create', 'integrationTokens.list', 'appointments.list'],
    async run({ client, clientFor, unique }) {
      const local = await client.integrationTokens.create({
        name: unique('local'),
        scopes: ['read:appointments'],
        allowedIps: ['127.0.0.1/32', '::1'],
      });
      expect(local.allowedIps).toEqual(['127.0.0.1/32', '::1']);
      await clientFor(local.apiKey ?? '')
        .appointments.list()
        .page();
      const remote = await client.integrationTokens.create({
        name: unique('remote'),
        scopes: ['read:appointments'],
        allowedIps: ['10.0.0.0/8'],
      });
      await expectProblem(
        clientFor(remote.apiKey ?? '')
          .appointments.list()
          .page(),
        403,
        'ip_not_allowed',
      );
      const listed = await collect(client.integrationTokens.list({ status: 'active' }));
      expect(listed.find((t) => t.id === remote.id)?.allowedIps).toEqual(['10.0.0.0/8']);
      const tooMany = Array.from({ length: 51 }, (_, i) => `10.0.${i}.0/24`);
      for (const allowedIps of [tooMany, ['intranet'], ['10.0.0.0/33']]) {
        await expectProblem(
          client.integrationTokens.create({
            name: unique('bad'),
            scopes: ['read:appointments'],
            allowedIps,
          }),
          400,
          'validation_failed',
        );
      }
    },
  },
  {
    // The suite's targets expose no OAuth client id; the revocation itself is
    // covered by the server's security tests (issue #10, finding 4).
    name: 'oauth clients: revoking or rotating an unknown client is 404',
    uses: ['oauthClients.revoke', 'oauthClients.rotateSecret'],
    async run({ client }) {
      const clientId = 'cli_unknownclient0000000000' as const;
      await expectProblem(client.oauthClients.revoke({ clientId }), 404, 'not_found');
      await expectProblem(client.oauthClients.rotateSecret({ clientId }), 404, 'not_found');
    },
  },
];
