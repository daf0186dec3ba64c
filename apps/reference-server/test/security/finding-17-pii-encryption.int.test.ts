/**
 * Issue #10, finding 17: personal data at rest. A patient created over
 * HTTP on a started server is stored without its names, birth date, email
 * or phone in clear; the API answers as before; the email and phone are
 * still found (FHIR search, by blind index); a ciphertext altered or moved
 * to another row fails loudly instead of showing anything.
 */
import { newId } from '@clinicbridge/sdk/contract';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  decryptField,
  encryptField,
  FieldDecryptionError,
  parseKeyRing,
} from '../../src/crypto/field-encryption.ts';
import { fhirFeature } from '../../src/fhir/feature.ts';
import { startTestServer, type TestServer } from '../helpers/http-server.ts';
import { testKeyRing } from '../helpers/pii-keys.ts';

let running: TestServer;
beforeAll(async () => {
  running = await startTestServer({ features: [fhirFeature] });
}, 120_000);
afterAll(() => running.server.close());

const ada = {
  givenName: 'Adaline',
  familyName: 'Quixwell',
  birthDate: '1980-02-29',
  email: 'Adaline.Quixwell@example.com',
  phone: '+905321112233',
};

async function api(
  path: string,
  init: { method?: string; body?: unknown; tenant?: number } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${running.server.url}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${running.tenants[init.tenant ?? 0]?.apiKey}`,
      'content-type': 'application/json',
      ...(init.method && init.method !== 'GET' ? { 'idempotency-key': crypto.randomUUID() } : {}),
    },
    ...(init.body ? { body: JSON.stringify(init.body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function storedRow(id: string): Promise<Record<string, unknown>> {
  const { rows } = await sql<
    Record<string, unknown>
  >`select * from patients where id = ${id}`.execute(running.server.database.db);
  return rows[0] ?? {};
}

describe('finding 17: patient PII is encrypted at rest', () => {
  let id: string;
  beforeAll(async () => {
    const created = await api('/api/v1/patients', { method: 'POST', body: ada });
    expect(created.status).toBe(201);
    id = String(created.body.id);
  });

  test('the patients table holds no name, birth date, email or phone in clear', async () => {
    const row = await storedRow(id);
    expect(row).toMatchObject({
      given_name: null,
      family_name: null,
      birth_date: null,
      email: null,
      phone: null,
      pii_kid: 'test-1',
    });
    expect(String(row.pii)).toMatch(/^pii1\.test-1\./);
    const text = JSON.stringify(row).toLowerCase();
    for (const value of Object.values(ada)) expect(text).not.toContain(value.toLowerCase());
    expect(text).not.toContain('5321112233');
  });

  test('the API answers with the data as before', async () => {
    const got = await api(`/api/v1/patients/${id}`);
    expect(got.body).toMatchObject(ada);
    const updated = await api(`/api/v1/patients/${id}`, {
      method: 'PATCH',
      body: { phone: '+905329998877' },
    });
    expect(updated.body).toMatchObject({ ...ada, phone: '+905329998877' });
    expect(JSON.stringify(await storedRow(id))).not.toContain('5329998877');
    await api(`/api/v1/patients/${id}`, { method: 'PATCH', body: { phone: ada.phone } });
  });

  test('a patient is found by email (any case) or phone, in its tenant only', async () => {
    const byEmail = await api(
      `/fhir/R4/Patient?email=${encodeURIComponent(' adaline.quixwell@EXAMPLE.com')}`,
    );
    expect(byEmail.status).toBe(200);
    const entries = byEmail.body.entry as { resource: { id: string; telecom: unknown[] } }[];
    expect(entries.map((e) => e.resource.id)).toEqual([id.replace('_', '-')]);
    expect(entries[0]?.resource.telecom).toContainEqual({ system: 'email', value: ada.email });
    const byPhone = await api(`/fhir/R4/Patient?phone=${encodeURIComponent(ada.phone)}`);
    expect((byPhone.body.entry as unknown[]).length).toBe(1);
    const otherTenant = await api(`/fhir/R4/Patient?email=${encodeURIComponent(ada.email)}`, {
      tenant: 1,
    });
    expect(otherTenant.body.entry ?? []).toEqual([]);
    const none = await api('/fhir/R4/Patient?email=nobody%40example.com');
    expect(none.body.entry ?? []).toEqual([]);
  });

  test('a row stored in clear before encryption is encrypted by the background job', async () => {
    const db = running.server.database.db;
    const tenantId = running.tenants[0]?.tenantId ?? '';
    const before = newId('pat');
    await sql`insert into patients (id, tenant_id, given_name, family_name, email, phone,
        preferred_language, consent_messaging, consent_marketing, created_at, updated_at)
      values (${before}, ${tenantId}, 'Before', 'Encryption', 'before@example.com',
        '+905320001122', 'en', false, false, now(), now())`.execute(db);
    const deadline = Date.now() + 30_000;
    let row = await storedRow(before);
    while (row.pii_kid === null && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      row = await storedRow(before);
    }
    expect(row).toMatchObject({ pii_kid: 'test-1', email: null, phone: null, given_name: null });
    const got = await api(`/api/v1/patients/${before}`);
    expect(got.body).toMatchObject({ givenName: 'Before', email: 'before@example.com' });
  });

  test('a ciphertext moved to another row or altered is an error, never data', async () => {
    const other = await api('/api/v1/patients', {
      method: 'POST',
      body: { givenName: 'Bo', familyName: 'Other' },
    });
    const otherId = String(other.body.id);
    const db = running.server.database.db;
    const stolen = String((await storedRow(id)).pii);
    await sql`update patients set pii = ${stolen} where id = ${otherId}`.execute(db);
    const swapped = await api(`/api/v1/patients/${otherId}`);
    expect(swapped.status).toBe(500);
    expect(swapped.body.code).toBe('internal_error');
    expect(JSON.stringify(swapped.body)).not.toContain('Adaline');

    const at = { tenantId: 'ten_1', table: 'patients', column: 'pii', rowId: 'pat_1' };
    const sealed = encryptField(testKeyRing, '{"email":"x@example.com"}', at);
    expect(decryptField(testKeyRing, sealed, at)).toBe('{"email":"x@example.com"}');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3] ?? '', 'base64url');
    body[14] = (body[14] ?? 0) ^ 1;
    const altered = [...parts.slice(0, 3), body.toString('base64url')].join('.');
    expect(() => decryptField(testKeyRing, altered, at)).toThrow(FieldDecryptionError);
    expect(() => decryptField(testKeyRing, sealed, { ...at, tenantId: 'ten_2' })).toThrow(
      FieldDecryptionError,
    );
    const otherRing = parseKeyRing(
      `test-1:${Buffer.alloc(32, 7).toString('base64')}`,
      Buffer.alloc(32, 8).toString('base64'),
    );
    expect(() => decryptField(otherRing, sealed, at)).toThrow(FieldDecryptionError);
  });
});
