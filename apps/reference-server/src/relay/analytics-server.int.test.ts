/**
 * Analytics subjects from a running server: with `RELAY_ANALYTICS=true`,
 * each event of an analytics category reaches NATS JetStream a second time
 * on `<analytics prefix>.<category>.<tenantId>.<event type>` as a
 * pseudonymised record — no patient id, name, email, phone, service or
 * clinical field; a stable per-tenant pseudonym of the patient, different
 * in another tenant. With `RELAY_ANALYTICS_FORMAT=avro` the payload carries
 * the schema-registry wire-format header and decodes, with avsc, to the
 * schema published in docs/scaling.md. Real NATS on 127.0.0.1:4222
 * (skipped, saying why, when it does not answer); each run has its own
 * streams, deleted afterwards.
 */
import { readFile } from 'node:fs/promises';
import { type JsMsg, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { appointmentBody, patientBody } from '../../test/helpers/fixtures.ts';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import { natsAnswers, TEST_NATS_URL } from '../../test/helpers/nats.ts';
import { until } from '../../test/helpers/until.ts';
import { analyticsFeature } from '../analytics/feature.ts';
import { createPseudonymiser } from '../analytics/pseudonymiser.ts';
import { recordEvent } from '../kernel/outbox.ts';
import { ANALYTICS_CONTENT_TYPES } from './analytics.ts';
import { relayFeature } from './feature.ts';

const natsUp = await natsAnswers('analytics-server.int.test.ts');
const run = Math.random().toString(36).slice(2, 10);
const secret = `analytics-secret-${run}-0123456789`;
const pseudonymiser = createPseudonymiser(secret);
const streams: string[] = [];

let nc: NatsConnection;

async function post(running: TestServer, tenant: number, path: string, body: unknown) {
  const res = await fetch(`${running.server.url}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${running.tenants[tenant]?.apiKey}`,
      'content-type': 'application/json',
      'idempotency-key': crypto.randomUUID(),
    },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { id?: string };
  expect(res.status).toBe(201);
  return json.id ?? '';
}

async function start(name: string, env: Record<string, string>) {
  const stream = `CBTEST_ANALYTICS_${name}_${run}`;
  streams.push(stream);
  const prefix = `cbtest_evt_${name}_${run}`;
  const analyticsPrefix = `cbtest_ana_${name}_${run}`;
  const running = await startTestServer({
    tenantCount: 2,
    features: [relayFeature(), analyticsFeature],
    env: {
      WEBHOOK_POLL_INTERVAL: '50ms',
      RELAY_NATS_URL: TEST_NATS_URL,
      RELAY_NATS_STREAM: stream,
      RELAY_NATS_SUBJECT_PREFIX: prefix,
      RELAY_ANALYTICS: 'true',
      RELAY_ANALYTICS_SUBJECT_PREFIX: analyticsPrefix,
      ANALYTICS_PSEUDONYM_KEY: secret,
      ...env,
    },
  });
  return { running, stream, prefix, analyticsPrefix };
}

async function messagesOn(stream: string, subject: string, count: number): Promise<JsMsg[]> {
  const jsm = await jetstreamManager(nc);
  await until(async () => {
    const info = await jsm.streams.info(stream, { subjects_filter: subject });
    const stored = Object.values(info.state.subjects ?? {}).reduce((sum, n) => sum + n, 0);
    return stored >= count || undefined;
  }, `${count} messages on ${subject}`);
  const consumer = await jetstream(nc).consumers.get(stream, { filter_subjects: subject });
  const messages: JsMsg[] = [];
  const batch = await consumer.fetch({ max_messages: count + 10, expires: 1_500 });
  for await (const message of batch) messages.push(message);
  return messages;
}

/** The Avro schema as published in docs/scaling.md (the JSON block after its marker). */
async function documentedSchema(): Promise<avro.Schema> {
  const doc = await readFile(new URL('../../../../docs/scaling.md', import.meta.url), 'utf8');
  const after = doc.split('<!-- analytics-avro-schema -->')[1] ?? '';
  const block = /```json\n([\s\S]*?)\n```/.exec(after)?.[1];
  if (!block) throw new Error('docs/scaling.md has no analytics Avro schema block');
  return JSON.parse(block) as avro.Schema;
}

describe.skipIf(!natsUp)('analytics subjects of the relay in a running server', () => {
  beforeAll(async () => {
    nc = await connect({ servers: TEST_NATS_URL, reconnect: false });
  });
  afterAll(async () => {
    const jsm = await jetstreamManager(nc);
    for (const stream of streams) await jsm.streams.delete(stream).catch(() => false);
    await nc.close();
  });

  test('a patient’s events reach analytics subjects pseudonymised, without PII or clinical detail', async () => {
    const { running, stream, analyticsPrefix, prefix } = await start('json', {});
    try {
      const [a, b] = running.tenants.map((t) => t.tenantId) as [string, string];
      const patientA = await post(running, 0, '/api/v1/patients', patientBody());
      const patientB = await post(
        running,
        1,
        '/api/v1/patients',
        patientBody({ email: 'ada.b@example.com' }),
      );
      const appointmentA1 = await post(
        running,
        0,
        '/api/v1/appointments',
        appointmentBody(patientA),
      );
      const appointmentA2 = await post(
        running,
        0,
        '/api/v1/appointments',
        appointmentBody(patientA),
      );
      const appointmentB = await post(
        running,
        1,
        '/api/v1/appointments',
        appointmentBody(patientB),
      );
      // An admission as an ADT feed records it: clinical class, location and department.
      const admission = await running.server.database.db.transaction().execute((trx) =>
        recordEvent(trx, {
          tenantId: a,
          type: 'encounter.admitted',
          entityType: 'encounter',
          entityId: 'enc_analyticsadmission000001',
          data: {
            encounterId: 'enc_analyticsadmission000001',
            patientId: patientA as `pat_${string}`,
            status: 'in_progress',
            class: 'inpatient',
            location: {
              pointOfCare: 'ONCWARD',
              room: 'R12',
              bed: 'B3',
              facility: null,
              building: null,
              floor: null,
            },
            departmentRef: 'ONCOLOGY',
            admittedAt: '2026-12-01T08:00:00Z',
            dischargedAt: null,
          },
        }),
      );

      const messages = await messagesOn(stream, `${analyticsPrefix}.>`, 4);
      expect(messages).toHaveLength(4);
      const events = await running.server.database.db
        .selectFrom('events')
        .select(['id', 'tenant_id', 'type'])
        .where('tenant_id', 'in', [a, b])
        .orderBy('sequence')
        .execute();
      const analyticsEvents = events.filter((e) => /^(appointment|encounter)\./.test(e.type));
      expect(new Set(messages.map((m) => m.headers?.get('Nats-Msg-Id')))).toEqual(
        new Set(analyticsEvents.map((e) => pseudonymiser.pseudonym(e.tenant_id, e.id))),
      );
      const records = messages.map((m) => ({
        subject: m.subject,
        contentType: m.headers?.get('Content-Type'),
        text: m.string(),
        record: m.json<{
          tenantId: string;
          type: string;
          subjectRef: string;
          refs: Record<string, string>;
          attributes: Record<string, unknown>;
        }>(),
      }));
      for (const { subject, contentType, text, record } of records) {
        expect(subject).toBe(`${analyticsPrefix}.user_events.${record.tenantId}.${record.type}`);
        expect(contentType).toBe(ANALYTICS_CONTENT_TYPES.json);
        for (const raw of [
          patientA,
          patientB,
          appointmentA1,
          appointmentA2,
          appointmentB,
          admission.id,
          'enc_analyticsadmission000001',
          ...events.map((e) => e.id),
          'Ada',
          'Yılmaz',
          'ada@example.com',
          'ada.b@example.com',
          '+905551112233',
          '1980-02-29',
          'EHR-1',
          'Dental consultation',
          'inpatient',
          'ONCWARD',
          'R12',
          'ONCOLOGY',
          'location',
          'departmentRef',
          'class',
        ])
          expect(text).not.toContain(raw);
      }
      const ofTenant = (tenantId: string) => records.filter((r) => r.record.tenantId === tenantId);
      // Stable: every event of patient A carries one pseudonym, the per-tenant keyed hash.
      const refA = pseudonymiser.pseudonym(a, patientA);
      expect(ofTenant(a).map((r) => r.record.subjectRef)).toEqual([refA, refA, refA]);
      expect(ofTenant(b).map((r) => r.record.subjectRef)).toEqual([
        pseudonymiser.pseudonym(b, patientB),
      ]);
      // Two tenants differ: the same id gives another pseudonym in the other tenant.
      expect(pseudonymiser.pseudonym(b, patientA)).not.toBe(refA);
      const admitted = records.find((r) => r.record.type === 'encounter.admitted')?.record;
      expect(admitted?.attributes).toEqual({ status: 'in_progress' });
      expect(admitted?.refs).toEqual({
        encounterId: pseudonymiser.pseudonym(a, 'enc_analyticsadmission000001'),
        patientId: refA,
      });

      // The events' own subjects still carry the full envelope, once each.
      const raw = await messagesOn(stream, `${prefix}.>`, events.length);
      expect(raw.map((m) => m.headers?.get('Nats-Msg-Id'))).toEqual(
        expect.arrayContaining(events.map((e) => e.id)),
      );
    } finally {
      await running.server.close();
    }
  }, 90_000);

  test('Avro payloads carry the wire-format header and decode to the documented schema', async () => {
    const { running, stream, analyticsPrefix } = await start('avro', {
      RELAY_ANALYTICS_FORMAT: 'avro',
      RELAY_ANALYTICS_AVRO_SCHEMA_ID: '7',
    });
    try {
      const tenantId = running.tenants[0]?.tenantId ?? '';
      const patient = await post(running, 0, '/api/v1/patients', patientBody());
      await post(running, 0, '/api/v1/appointments', appointmentBody(patient));
      const [message] = await messagesOn(stream, `${analyticsPrefix}.>`, 1);
      if (!message) throw new Error('no analytics message');
      expect(message.subject).toBe(
        `${analyticsPrefix}.user_events.${tenantId}.appointment.created`,
      );
      expect(message.headers?.get('Content-Type')).toBe(ANALYTICS_CONTENT_TYPES.avro);
      const payload = Buffer.from(message.data);
      expect(payload[0]).toBe(0);
      expect(payload.readUInt32BE(1)).toBe(7);
      const type = avro.Type.forSchema(await documentedSchema(), { wrapUnions: false });
      const record = type.fromBuffer(payload.subarray(5)) as Record<string, unknown>;
      expect(record).toMatchObject({
        v: 1,
        tenantId,
        type: 'appointment.created',
        category: 'user_events',
        entityType: 'appointment',
        subjectRef: pseudonymiser.pseudonym(tenantId, patient),
        attributes: {
          status: 'scheduled',
          startsAt: '2026-12-01T09:00:00.000Z',
          endsAt: '2026-12-01T09:30:00.000Z',
        },
      });
      expect(typeof record.occurredAt).toBe('number');
      const text = payload.toString('latin1');
      for (const raw of [patient, 'Ada', 'ada@example.com', 'Dental consultation'])
        expect(text).not.toContain(raw);
    } finally {
      await running.server.close();
    }
  }, 90_000);
});
