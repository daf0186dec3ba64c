/**
 * Security suite, finding 8 of issue #10: a NUL character (U+0000) in any
 * string — body fields, query filters, cursors, validly signed inbound
 * webhooks — used to reach PostgreSQL, which cannot store it (22021 in
 * `text`, 22P05 in `jsonb`), and came back as a 500. Every one is now a 400
 * problem+json `validation_failed` whose field errors carry the code
 * `nul_character`, on PGlite and on PostgreSQL.
 */
import { NUL_CHARACTER_CODE } from '@clinicbridge/sdk/contract';
import { generateSecret, getScheme } from '@clinicbridge/webhooks';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fhirFeature } from '../../src/fhir/feature.ts';
import { inboundConfig } from '../../src/inbound/config.ts';
import { inboundFeature } from '../../src/inbound/feature.ts';
import { call, json, startTestApp, type TestApp } from '../helpers/app.ts';
import { appointmentBody, invoiceBody, patientBody } from '../helpers/fixtures.ts';

const stripeSecret = `whsec_${'s'.repeat(32)}`;
const visaSecret = generateSecret();
const NUL = '\u0000';

let t: TestApp;
let token: string;
let patientId: string;

beforeAll(async () => {
  const config = inboundConfig.parse({
    INBOUND_PAYMENTS_SECRET: stripeSecret,
    INBOUND_VISA_SECRET: visaSecret,
  });
  t = await startTestApp({
    tenantCount: 1,
    deps: { features: [inboundFeature({ config }), fhirFeature] },
  });
  token = t.tenants[0]?.apiKey ?? '';
  const created = await call(t.app, 'POST', '/api/v1/patients', { token, body: patientBody() });
  patientId = (await json<{ id: string }>(created)).id;
});
afterAll(() => t.close());

async function expectNulRefused(res: Response, path: string): Promise<void> {
  expect(res.status).toBe(400);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const body = await json<{ code: string; errors?: { path: string; code: string }[] }>(res);
  expect(body.code).toBe('validation_failed');
  expect(body.errors).toContainEqual(expect.objectContaining({ path, code: NUL_CHARACTER_CODE }));
}

describe('security: NUL characters are refused in validation', () => {
  test('finding 8: a NUL in any patient field of a create or an update is 400 nul_character', async () => {
    for (const field of ['givenName', 'familyName', 'email', 'phone', 'externalRef']) {
      const base = patientBody() as Record<string, string>;
      const value = `${base[field]?.slice(0, 3)}${NUL}${base[field]?.slice(3)}`;
      await expectNulRefused(
        await call(t.app, 'POST', '/api/v1/patients', {
          token,
          body: patientBody({ [field]: value }),
        }),
        `body.${field}`,
      );
      await expectNulRefused(
        await call(t.app, 'PATCH', `/api/v1/patients/${patientId}`, {
          token,
          body: { [field]: value },
        }),
        `body.${field}`,
      );
    }
  });

  test('finding 8: nested strings, free text and object keys are checked too', async () => {
    const invoice = invoiceBody(patientId);
    const line = { ...invoice.lines[0], description: `Crown${NUL}` };
    await expectNulRefused(
      await call(t.app, 'POST', '/api/v1/invoices', {
        token,
        body: { ...invoice, lines: [line, ...invoice.lines.slice(1)] },
      }),
      'body.lines.0.description',
    );
    await expectNulRefused(
      await call(t.app, 'POST', '/api/v1/appointments', {
        token,
        body: appointmentBody(patientId, { service: `Check${NUL}up` }),
      }),
      'body.service',
    );
    await expectNulRefused(
      await call(t.app, 'POST', '/api/v1/patients', {
        token,
        rawBody: JSON.stringify({ ...patientBody(), [`x${NUL}`]: 'y' }),
      }),
      'body',
    );
  });

  test('finding 8: query filters and cursors with a NUL are 400, not 500', async () => {
    await expectNulRefused(
      await call(t.app, 'GET', '/api/v1/patients?externalRef=EHR%00-1', { token }),
      'query.externalRef',
    );
    await expectNulRefused(
      await call(t.app, 'GET', `/api/v1/appointments?patientId=${patientId}%00`, { token }),
      'query.patientId',
    );
    await expectNulRefused(
      await call(t.app, 'GET', '/api/v1/patients?cursor=%00', { token }),
      'query.cursor',
    );
    // A cursor that decodes to a position holding a NUL names no row this server issued.
    const forged = Buffer.from(
      JSON.stringify(['patients', '2026-01-01T00:00:00.000Z', `pat_${NUL}`]),
    ).toString('base64url');
    const res = await call(t.app, 'GET', `/api/v1/patients?cursor=${forged}`, { token });
    expect(res.status).toBe(400);
    expect((await json(res)).code).toBe('invalid_cursor');
  });

  test('finding 8: a validly signed inbound webhook with a NUL is 400, and nothing is stored', async () => {
    const standard = (id: string) => (body: string) =>
      getScheme('standard').signSync({ payload: body, secret: visaSecret, id });
    const cases = [
      {
        provider: 'payments',
        body: JSON.stringify({ id: `evt_nul${NUL}1`, type: 'payment_intent.succeeded' }),
        sign: (body: string) =>
          getScheme('stripe').signSync({ payload: body, secret: stripeSecret }),
        path: 'body.id',
      },
      {
        provider: 'visa',
        body: JSON.stringify({ type: 'visa.granted', data: { note: `a${NUL}b` } }),
        sign: standard('msg_nul_2'),
        path: 'body.data.note',
      },
      {
        // A raw 0x00 byte: not JSON, so it used to be kept as unparseable text.
        provider: 'visa',
        body: `{"type":"visa.granted"}${NUL}`,
        sign: standard('msg_nul_3'),
        path: 'body',
      },
    ];
    for (const { provider, body, sign, path } of cases) {
      const res = await t.app.request(`/webhooks/${provider}`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...sign(body) },
      });
      await expectNulRefused(res, path);
    }
    const stored = await t.database.db.selectFrom('inbound_webhooks').select('id').execute();
    expect(stored).toEqual([]);
  });

  test('finding 8: the same webhook without the NUL is accepted (the check is not over-eager)', async () => {
    const body = JSON.stringify({ type: 'visa.granted', data: { note: 'a b' } });
    const res = await t.app.request('/webhooks/visa', {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        ...getScheme('standard').signSync({ payload: body, secret: visaSecret, id: 'msg_ok_1' }),
      },
    });
    expect(res.status).toBe(202);
  });

  test('finding 8: routes outside the contract (OAuth token, FHIR search) answer 400, not 500', async () => {
    const oauth = await t.app.request('/oauth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=cli_%00abc&client_secret=x%00y',
    });
    expect(oauth.status).toBe(400);
    for (const path of ['/fhir/R4/Patient?identifier=%00', '/fhir/R4/Patient?family=a%00']) {
      const res = await call(t.app, 'GET', path, { token });
      expect(res.status, path).toBe(400);
    }
  });
});
