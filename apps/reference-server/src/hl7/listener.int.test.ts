/**
 * The MLLP listener of a started server, over real TCP on 127.0.0.1 (with
 * the package's client): the ACK semantics — AA after the durable write,
 * CA in enhanced mode, nothing when MSH-15 says NE, AE with ERR for content
 * errors, AR for unsupported types, versions, unknown facilities, foreign
 * addresses, wrong processing ids and a failed write — repeats re-ACKed and
 * stored once, unreadable bytes kept and shown on /ops, and TLS.
 */
import { readFileSync } from 'node:fs';
import { parseMessage, valueAt } from '@clinicbridge/hl7';
import { MllpClient } from '@clinicbridge/hl7/node';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import { adt } from '../../test/hl7/messages.ts';
import { operatorConfig } from '../console/config.ts';
import { consoleFeature } from '../console/feature.ts';
import { hl7Config } from './config.ts';
import { registerFacility } from './facilities.ts';
import { type Hl7Feature, hl7Feature } from './feature.ts';

const PASSWORD = 'operator password for tests';
const tls = {
  cert: readFileSync(
    new URL('../../../../packages/hl7/src/__fixtures__/tls-cert.pem', import.meta.url),
    'utf8',
  ),
  key: readFileSync(
    new URL('../../../../packages/hl7/src/__fixtures__/tls-key.pem', import.meta.url),
    'utf8',
  ),
};

let running: TestServer;
let hl7: Hl7Feature;
let secure: Hl7Feature;
let client: MllpClient;
let tenantId: string;

const listen = (extra: Record<string, string> = {}) =>
  hl7Config.parse({ HL7_MLLP_PORT: '0', HL7_MLLP_HOST: '127.0.0.1', ...extra });

beforeAll(async () => {
  hl7 = hl7Feature({ config: listen() });
  secure = hl7Feature({
    config: listen({ HL7_MLLP_TLS_CERT: tls.cert, HL7_MLLP_TLS_KEY: tls.key }),
  });
  running = await startTestServer({
    tenantCount: 1,
    env: { WEBHOOK_DISPATCHER: 'false' },
    features: [
      hl7,
      { ...secure, name: 'hl7-tls', migrations: {} },
      consoleFeature({ config: operatorConfig.parse({ OPS_PASSWORD: PASSWORD }) }),
    ],
  });
  tenantId = running.tenants[0]!.tenantId;
  const db = running.server.database.db;
  const now = new Date();
  await registerFacility(
    db,
    { tenantId, sendingFacility: 'CITYHOSP', allowedSources: ['127.0.0.1'] },
    now,
  );
  await registerFacility(
    db,
    { tenantId, sendingFacility: 'REMOTEHOSP', allowedSources: ['10.0.0.0/8'] },
    now,
  );
  await registerFacility(
    db,
    { tenantId, sendingFacility: 'TESTHOSP', allowedSources: ['127.0.0.0/8'], processingId: 'T' },
    now,
  );
  client = await MllpClient.connect({
    host: '127.0.0.1',
    port: hl7.mllpAddress()!.port,
    timeoutMs: 10_000,
  });
});

afterAll(async () => {
  await client?.close();
  await running?.server.close();
});

const ack = async (text: string, via = client) => parseMessage(await via.send(text));
const stored = (controlId: string) =>
  running.server.database.db
    .selectFrom('hl7_messages')
    .selectAll()
    .where('control_id', '=', controlId)
    .execute();

describe('ACK semantics', () => {
  test('AA after the durable write, echoing MSH-10 and MSH-11; the row is in the inbox first', async () => {
    const reply = await ack(
      adt({ trigger: 'A01', controlId: 'L-AA-1', mrn: 'M1', visit: 'V1', location: 'W4^1^A' }),
    );
    expect(valueAt(reply, 'MSA-1')).toBe('AA');
    expect(valueAt(reply, 'MSA-2')).toBe('L-AA-1');
    expect(valueAt(reply, 'MSH-11')).toBe('P');
    expect(valueAt(reply, 'MSH-9.1')).toBe('ACK');
    expect(valueAt(reply, 'MSH-5')).toBe('ADT1');
    const rows = await stored('L-AA-1');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      tenant_id: tenantId,
      sending_application: 'ADT1',
      sending_facility: 'CITYHOSP',
      trigger_event: 'A01',
      status: 'received',
      source_address: '127.0.0.1',
    });
  });

  test('a repeat is re-ACKed and never stored twice', async () => {
    const text = adt({ trigger: 'A01', controlId: 'L-REPEAT', mrn: 'M2', visit: 'V2' });
    for (let i = 0; i < 3; i++) expect(valueAt(await ack(text), 'MSA-1')).toBe('AA');
    expect(await stored('L-REPEAT')).toHaveLength(1);
  });

  test('enhanced mode answers CA; MSH-15 NE gets no answer at all', async () => {
    const ca = await ack(adt({ trigger: 'A08', controlId: 'L-CA', mrn: 'M3', acceptAck: 'AL' }));
    expect(valueAt(ca, 'MSA-1')).toBe('CA');
    expect(valueAt(ca, 'MSA-2')).toBe('L-CA');
    // NE: the next reply on this connection answers the next message.
    const silent = MllpClient.connect({ host: '127.0.0.1', port: hl7.mllpAddress()!.port });
    const c = await silent;
    try {
      c.writeRaw(
        Buffer.concat([
          Buffer.from([0x0b]),
          Buffer.from(adt({ trigger: 'A08', controlId: 'L-NE', mrn: 'M3', acceptAck: 'NE' })),
          Buffer.from([0x1c, 0x0d]),
        ]),
      );
      expect(
        valueAt(await ack(adt({ trigger: 'A08', controlId: 'L-AFTER-NE', mrn: 'M3' }), c), 'MSA-2'),
      ).toBe('L-AFTER-NE');
    } finally {
      await c.close();
    }
    expect(await stored('L-NE')).toHaveLength(1);
  });

  test('content errors get AE with an ERR segment, and nothing is stored', async () => {
    const reply = await ack(adt({ trigger: 'A02', controlId: 'L-AE', mrn: 'M4', visit: 'V4' }));
    expect(valueAt(reply, 'MSA-1')).toBe('AE');
    expect(valueAt(reply, 'MSA-2')).toBe('L-AE');
    expect(valueAt(reply, 'ERR-2')).toBe('PV1');
    expect(valueAt(reply, 'ERR-2.3')).toBe('3');
    expect(valueAt(reply, 'ERR-3')).toBe('101');
    const noPid = await ack(
      adt({ trigger: 'A01', controlId: 'L-AE-PID', mrn: 'x', withoutPid: true }),
    );
    expect(valueAt(noPid, 'MSA-1')).toBe('AE');
    expect(valueAt(noPid, 'ERR-2')).toBe('PID');
    const badDate = await ack(
      adt({ trigger: 'A01', controlId: 'L-AE-DATE', mrn: 'M4', admit: '2026-03-01' }),
    );
    expect(valueAt(badDate, 'ERR-3')).toBe('102');
    expect(await stored('L-AE')).toHaveLength(0);
    const rejects = await running.server.database.db
      .selectFrom('hl7_rejects')
      .select(['kind', 'ack_code', 'control_id'])
      .where('control_id', 'in', ['L-AE', 'L-AE-PID', 'L-AE-DATE'])
      .execute();
    expect(rejects.map((r) => `${r.kind}/${r.ack_code}`)).toEqual([
      'error/AE',
      'error/AE',
      'error/AE',
    ]);
  });

  test.each([
    ['an unsupported message type', { messageType: 'ORU', trigger: 'R01' }, '200'],
    ['an unsupported trigger event', { trigger: 'A31' }, '201'],
    ['an unsupported version', { trigger: 'A01', version: '2.1' }, '203'],
    ['an unregistered facility', { trigger: 'A01', facility: 'NOWHERE' }, '207'],
    [
      'a facility sending from an address it may not use',
      { trigger: 'A01', facility: 'REMOTEHOSP' },
      '207',
    ],
    ['the wrong processing id', { trigger: 'A01', facility: 'TESTHOSP', processingId: 'P' }, '202'],
  ])('AR for %s', async (_label, options, condition) => {
    const controlId = `L-AR-${condition}-${Math.random().toString(36).slice(2, 8)}`;
    const reply = await ack(adt({ mrn: 'M5', controlId, ...options }));
    expect(valueAt(reply, 'MSA-1')).toBe('AR');
    expect(valueAt(reply, 'MSA-2')).toBe(controlId);
    // Before 2.5 the condition is in ERR-1 (ELD), from 2.5 in ERR-3.
    expect(valueAt(reply, 'ERR-3') || valueAt(reply, 'ERR-1.4')).toBe(condition);
    expect(await stored(controlId)).toHaveLength(0);
  });

  test('a failed inbox write gets AR (the sender resends), and nothing is half-stored', async () => {
    const db = running.server.database.db;
    await sql`alter table hl7_messages add constraint hl7_messages_test_fail check (control_id <> 'L-STORE-FAIL')`.execute(
      db,
    );
    try {
      const reply = await ack(adt({ trigger: 'A01', controlId: 'L-STORE-FAIL', mrn: 'M6' }));
      expect(valueAt(reply, 'MSA-1')).toBe('AR');
      expect(valueAt(reply, 'ERR-3')).toBe('207');
    } finally {
      await sql`alter table hl7_messages drop constraint hl7_messages_test_fail`.execute(db);
    }
    expect(await stored('L-STORE-FAIL')).toHaveLength(0);
    expect(
      valueAt(await ack(adt({ trigger: 'A01', controlId: 'L-STORE-FAIL', mrn: 'M6' })), 'MSA-1'),
    ).toBe('AA');
  });
});

describe('unreadable bytes', () => {
  test('are answered AR, kept, and shown on /ops without the patient data; the bytes one click away', async () => {
    const garbage = 'HELLO this is not HL7 — Mr Patient Name';
    const reply = await ack(garbage);
    expect(valueAt(reply, 'MSA-1')).toBe('AR');
    expect(valueAt(reply, 'MSA-2')).toBe('');
    const broken = await ack(
      'MSH|^~\\&|ADT1|CITYHOSP|||20260301||ADT^A01|L-BROKEN|P|2.5\rPID|1||X\r@@@ Secret Name',
    );
    expect(valueAt(broken, 'MSA-1')).toBe('AE');
    expect(valueAt(broken, 'MSA-2')).toBe('L-BROKEN');
    const rows = await running.server.database.db
      .selectFrom('hl7_rejects')
      .selectAll()
      .where('kind', '=', 'unparseable')
      .execute();
    expect(rows.map((r) => r.raw).sort()).toEqual(
      [
        garbage,
        'MSH|^~\\&|ADT1|CITYHOSP|||20260301||ADT^A01|L-BROKEN|P|2.5\rPID|1||X\r@@@ Secret Name',
      ].sort(),
    );
    // Resent, it is counted, not duplicated.
    await ack(garbage);
    await vi.waitFor(async () => {
      const again = await running.server.database.db
        .selectFrom('hl7_rejects')
        .select('count')
        .where('raw', '=', garbage)
        .executeTakeFirstOrThrow();
      expect(again.count).toBe(2);
    });
    const auth = { authorization: `Basic ${Buffer.from(`ops:${PASSWORD}`).toString('base64')}` };
    const page = await (await fetch(`${running.server.url}/ops`, { headers: auth })).text();
    expect(page).toContain('HL7 refusals and unreadable bytes');
    expect(page).toContain('unparseable');
    expect(page).not.toContain('Patient Name');
    expect(page).not.toContain('Secret Name');
    const id = rows.find((r) => r.raw === garbage)!.id;
    const bytes = await fetch(`${running.server.url}/ops/hl7/rejects/${id}`, { headers: auth });
    expect(bytes.status).toBe(200);
    expect(await bytes.text()).toContain('HELLO this is not HL7 — Mr Patient Name');
    expect((await fetch(`${running.server.url}/ops/hl7/rejects/${id}`)).status).toBe(401);
  });
});

test('MLLP over TLS when a certificate is configured', async () => {
  const c = await MllpClient.connect({
    host: '127.0.0.1',
    port: secure.mllpAddress()!.port,
    tls: { ca: tls.cert, servername: 'localhost' },
  });
  try {
    const reply = await ack(adt({ trigger: 'A08', controlId: 'L-TLS', mrn: 'M7' }), c);
    expect(valueAt(reply, 'MSA-1')).toBe('AA');
  } finally {
    await c.close();
  }
  expect(await stored('L-TLS')).toHaveLength(1);
});
