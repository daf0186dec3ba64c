/**
 * The one analytics pseudonymiser: per-tenant keyed pseudonyms (stable
 * within a tenant, different across tenants, equal to the adapters'
 * `pseudonymise` under the derived key), ids turned into references and
 * PII or clinical fields dropped; the Avro copy round-trips with its
 * wire-format header.
 */
import { readFile } from 'node:fs/promises';
import { pseudonymise } from '@clinicbridge/adapters/analytics';
import { describe, expect, test } from 'vitest';
import { openTestDatabase } from '../../test/helpers/database.ts';
import {
  ANALYTICS_AVRO_SCHEMA,
  analyticsAvroType,
  decodeAnalyticsAvro,
  encodeAnalyticsAvro,
} from './avro.ts';
import {
  analyticsCategory,
  createPseudonymiser,
  scrubEventData,
  serverPseudonymiser,
} from './pseudonymiser.ts';

const secret = 'a-server-secret-of-32-characters';

describe('the analytics pseudonymiser', () => {
  test('the same id gives the same pseudonym within a tenant and different ones across tenants', () => {
    const p = createPseudonymiser(secret);
    const a = p.pseudonym('ten_a', 'pat_1');
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(createPseudonymiser(secret).pseudonym('ten_a', 'pat_1')).toBe(a);
    expect(p.pseudonym('ten_b', 'pat_1')).not.toBe(a);
    expect(p.pseudonym('ten_a', 'pat_2')).not.toBe(a);
    expect(createPseudonymiser(`${secret}-other`).pseudonym('ten_a', 'pat_1')).not.toBe(a);
    // Neither the secret nor the tenant id alone keys the hash: the key is derived per tenant.
    expect(a).not.toBe(pseudonymise(secret, 'pat_1'));
    expect(() => createPseudonymiser('short')).toThrow(/16\+ bytes/);
  });

  test('ids become references; names, contacts, free text and clinical fields are dropped', () => {
    const data = {
      encounterId: 'enc_1',
      patientId: 'pat_1',
      status: 'in-progress',
      class: 'inpatient',
      location: { pointOfCare: 'ICU', room: '12', bed: 'B' },
      departmentRef: 'ONC',
      diagnosis: 'C50.9',
      patientName: 'Ayşe Yılmaz',
      email: 'ayse@example.com',
      phone: '+905551112233',
      notes: 'allergic to penicillin',
      reasonCodes: ['x'],
      amount: { amount: 150_000, currency: 'TRY', label: 'x' },
      startsAt: '2026-12-01T09:00:00Z',
    };
    const scrubbed = scrubEventData(data, (id) => `ref(${id})`);
    expect(scrubbed).toEqual({
      refs: { encounterId: 'ref(enc_1)', patientId: 'ref(pat_1)' },
      attributes: {
        status: 'in-progress',
        'amount.amount': 150_000,
        'amount.currency': 'TRY',
        startsAt: '2026-12-01T09:00:00Z',
      },
    });
  });

  test('an event record carries pseudonyms and the category, and no raw id', () => {
    const p = createPseudonymiser(secret);
    const record = p.record(
      {
        id: 'evt_1',
        tenantId: 'ten_a',
        type: 'appointment.created',
        occurredAt: new Date('2026-12-01T08:00:00Z'),
        entityType: 'appointment',
        entityId: 'apt_1',
        data: { appointmentId: 'apt_1', patientId: 'pat_1', status: 'scheduled' },
      },
      'user_events',
    );
    expect(record).toEqual({
      v: 1,
      eventRef: p.pseudonym('ten_a', 'evt_1'),
      tenantId: 'ten_a',
      type: 'appointment.created',
      category: 'user_events',
      occurredAt: '2026-12-01T08:00:00.000Z',
      entityType: 'appointment',
      entityRef: p.pseudonym('ten_a', 'apt_1'),
      subjectRef: p.pseudonym('ten_a', 'pat_1'),
      refs: {
        appointmentId: p.pseudonym('ten_a', 'apt_1'),
        patientId: p.pseudonym('ten_a', 'pat_1'),
      },
      attributes: { status: 'scheduled' },
    });
    const text = JSON.stringify(record);
    for (const raw of ['evt_1', 'apt_1', 'pat_1']) expect(text).not.toContain(raw);

    const payload = encodeAnalyticsAvro(record, 42);
    expect(payload[0]).toBe(0);
    expect(payload.readUInt32BE(1)).toBe(42);
    const decoded = decodeAnalyticsAvro(payload);
    expect(decoded.schemaId).toBe(42);
    expect(analyticsAvroType.isValid(decoded.record)).toBe(true);
    expect(decoded.record).toEqual({ ...record, occurredAt: Date.parse(record.occurredAt) });
  });

  test('the Avro schema published in docs/scaling.md is the one the server encodes with', async () => {
    const doc = await readFile(new URL('../../../../docs/scaling.md', import.meta.url), 'utf8');
    const block = /```json\n([\s\S]*?)\n```/.exec(
      doc.split('<!-- analytics-avro-schema -->')[1] ?? '',
    );
    expect(JSON.parse(block?.[1] ?? 'null')).toEqual(ANALYTICS_AVRO_SCHEMA);
  });

  test('event types map to the three analytics categories, others to none', () => {
    expect(analyticsCategory('appointment.created')).toBe('user_events');
    expect(analyticsCategory('payment.refund.issued')).toBe('business_metrics');
    expect(analyticsCategory('inventory.low_stock')).toBe('system_metrics');
    expect(analyticsCategory('patient.updated')).toBeUndefined();
    expect(analyticsCategory('constructor.x')).toBeUndefined();
  });

  test("without a configured secret the server's pseudonyms derive from its key ring, stable across openings", async () => {
    const database = await openTestDatabase();
    try {
      const a = serverPseudonymiser(database.db, undefined).pseudonym('ten_a', 'pat_1');
      expect(serverPseudonymiser(database.db, undefined).pseudonym('ten_a', 'pat_1')).toBe(a);
      expect(serverPseudonymiser(database.db, secret).pseudonym('ten_a', 'pat_1')).toBe(
        createPseudonymiser(secret).pseudonym('ten_a', 'pat_1'),
      );
      expect(serverPseudonymiser(database.db, secret).pseudonym('ten_a', 'pat_1')).not.toBe(a);
    } finally {
      await database.close();
    }
  });
});
