/** Contract cases for the integrations registry, the audit log, and bulk imports and exports. */
import { expect } from 'vitest';
import { auditActions, errorTitles } from '../../../contract/index.ts';
import { collect, expectProblem } from '../expect-problem.ts';
import type { ContractCase } from '../types.ts';

// Imports and exports may run in the background; poll a bounded number of times.
async function settle<T extends { status: string }>(get: () => Promise<T>): Promise<T> {
  for (let i = 0; i < 50; i++) {
    const job = await get();
    if (job.status === 'completed' || job.status === 'failed') return job;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the job did not finish within 5 s');
}

/**
 * Cases for administration and bulk data.
 *
 * @example
 * for (const c of adminCases) console.log(c.name, c.uses);
 */
export const adminCases: ContractCase[] = [
  {
    name: 'integrations: register, get, update, list by status',
    uses: ['integrations.create', 'integrations.get', 'integrations.update', 'integrations.list'],
    async run({ client, unique }) {
      const created = await client.integrations.create({
        name: unique('integration'),
        purpose: 'Booking widget on the clinic site',
        scopes: ['read:appointments', 'write:appointments'],
        apis: ['appointments.create'],
        events: ['appointment.created'],
      });
      expect(created.status).toBe('active');
      expect(await client.integrations.get({ integrationId: created.id })).toEqual(created);
      const paused = await client.integrations.update(
        { integrationId: created.id },
        { status: 'paused' },
      );
      expect(paused.status).toBe('paused');
      const listed = await collect(client.integrations.list({ status: 'paused' }));
      expect(listed.map((i) => i.id)).toContain(created.id);
    },
  },
  {
    name: 'integrations: governance record, a linked token, pause, deprecate, resume, unlink',
    uses: [
      'integrations.create',
      'integrationTokens.create',
      'integrations.link',
      'integrations.pause',
      'integrations.deprecate',
      'integrations.resume',
      'integrations.unlink',
      'integrationTokens.list',
    ],
    async run({ client, unique }) {
      const created = await client.integrations.create({
        name: unique('integration'),
        purpose: 'Lab results',
        scopes: ['read:patients'],
        apis: ['patients.list'],
        events: [],
        owner: 'IT lead',
        justification: 'Results reach doctors without re-typing',
        dataScope: 'Patient ids and results',
        risk: { level: 'medium' },
        reviewDate: '2099-01-31',
      });
      expect(created).toMatchObject({
        justification: 'Results reach doctors without re-typing',
        dataScope: 'Patient ids and results',
        risk: { level: 'medium', notes: null },
        reviewDate: '2099-01-31',
      });
      const token = await client.integrationTokens.create({
        name: unique('token'),
        scopes: ['read:patients'],
      });
      const integrationId = created.id;
      await client.integrations.link({ integrationId }, { tokenId: token.id });
      const listed = await collect(client.integrationTokens.list());
      expect(listed.find((t) => t.id === token.id)?.integrationId).toBe(integrationId);
      expect((await client.integrations.pause({ integrationId }, {})).status).toBe('paused');
      await expectProblem(
        client.integrations.pause({ integrationId }, {}),
        409,
        'invalid_state_transition',
      );
      expect((await client.integrations.deprecate({ integrationId }, {})).status).toBe(
        'deprecated',
      );
      expect((await client.integrations.resume({ integrationId }, {})).status).toBe('active');
      await client.integrations.unlink({ integrationId }, { tokenId: token.id });
      await expectProblem(
        client.integrations.unlink({ integrationId }, { tokenId: token.id }),
        409,
        'conflict',
      );
    },
  },
  {
    name: 'audit: writes leave audit records, listed newest first',
    uses: ['patients.create', 'auditEvents.list', 'auditEvents.get'],
    async run({ client, unique }) {
      const patient = await client.patients.create({
        givenName: 'Ada',
        familyName: 'Tekin',
        externalRef: unique('aud'),
      });
      const records = await collect(client.auditEvents.list({ entityId: patient.id }));
      expect(records.length).toBeGreaterThanOrEqual(1);
      const [record] = records;
      expect(record).toMatchObject({ entityId: patient.id });
      expect(record!.requestId).toBeTruthy();
      expect(await client.auditEvents.get({ auditEventId: record!.id })).toEqual(record);
      const page = await client.auditEvents.list({ limit: 2 }).page();
      const times = page.data.map((r) => Date.parse(r.occurredAt));
      expect([...times].sort((a, b) => b - a)).toEqual(times);
    },
  },
  {
    name: 'audit: each write records the action of the contract table (patient.created, appointment.cancelled, …)',
    uses: [
      'patients.create',
      'patients.update',
      'appointments.create',
      'appointments.cancel',
      'auditEvents.list',
    ],
    async run({ client, unique }) {
      const patient = await client.patients.create({
        givenName: 'Ada',
        familyName: 'Tekin',
        externalRef: unique('act'),
      });
      await client.patients.update({ patientId: patient.id }, { familyName: 'Tekin-Kaya' });
      const appointment = await client.appointments.create({
        patientId: patient.id,
        service: 'Consultation',
        startsAt: '2031-04-02T09:00:00.000Z',
        endsAt: '2031-04-02T09:30:00.000Z',
      });
      await client.appointments.cancel(
        { appointmentId: appointment.id },
        { reason: 'Patient request' },
      );
      const ofPatient = await collect(client.auditEvents.list({ entityId: patient.id }));
      expect(ofPatient.map((r) => r.action).sort()).toEqual(
        [auditActions['patients.create'], auditActions['patients.update']].sort(),
      );
      const ofAppointment = await collect(client.auditEvents.list({ entityId: appointment.id }));
      expect(ofAppointment.map((r) => r.action).sort()).toEqual(
        [auditActions['appointments.create'], auditActions['appointments.cancel']].sort(),
      );
    },
  },
  {
    name: 'errors: every problem carries the title of its code from the contract table',
    uses: [
      'patients.get',
      'patients.create',
      'appointments.create',
      'appointments.cancel',
      'appointments.complete',
    ],
    async run({ client, unique }) {
      const missing = await expectProblem(
        client.patients.get({ patientId: 'pat_aaaaaaaaaaaaaaaaaaaaaaaaaa' }),
        404,
        'not_found',
      );
      expect(missing.problem?.title).toBe(errorTitles.not_found);
      const patient = await client.patients.create({
        givenName: 'Ada',
        familyName: 'Tekin',
        externalRef: unique('ttl'),
      });
      const appointment = await client.appointments.create({
        patientId: patient.id,
        service: 'Consultation',
        startsAt: '2031-04-03T09:00:00.000Z',
        endsAt: '2031-04-03T09:30:00.000Z',
      });
      await client.appointments.cancel({ appointmentId: appointment.id }, { reason: 'Moved' });
      const illegal = await expectProblem(
        client.appointments.complete({ appointmentId: appointment.id }),
        409,
        'invalid_state_transition',
      );
      expect(illegal.problem?.title).toBe(errorTitles.invalid_state_transition);
    },
  },
  {
    name: 'imports: valid rows are kept, invalid rows reported by number',
    uses: ['imports.create', 'imports.get', 'imports.list', 'patients.list'],
    async run({ client, unique }) {
      const externalRef = unique('imp');
      const rows = [
        { givenName: 'Ada', familyName: 'Er', externalRef },
        { givenName: 'Can', familyName: 'Er', externalRef, email: 'not-an-email' },
        { givenName: 'Ela', familyName: 'Er', externalRef },
      ];
      const job = await client.imports.create({
        kind: 'patients',
        format: 'ndjson',
        content: rows.map((r) => JSON.stringify(r)).join('\n'),
      });
      const done = await settle(() => client.imports.get({ importId: job.id }));
      expect(done).toMatchObject({
        status: 'completed',
        totalRows: 3,
        importedRows: 2,
        failedRows: 1,
      });
      expect(done.errors.map((e) => e.row)).toEqual([2]);
      expect(await collect(client.patients.list({ externalRef }))).toHaveLength(2);
      const listed = await collect(client.imports.list({ limit: 100 }));
      expect(listed.map((j) => j.id)).toContain(job.id);
    },
  },
  {
    name: 'imports: a CSV dry run reports exactly what the apply does and keeps nothing',
    uses: ['imports.create', 'imports.get', 'patients.list'],
    async run({ client, unique }) {
      const externalRef = unique('dry');
      const content = [
        'givenName,familyName,email,externalRef',
        `Ada,Er,ada@example.com,${externalRef}`,
        `Can,Er,not-an-email,${externalRef}`,
        `"Şule, Nur",Kaya,,${externalRef}`,
        `,Er,,${externalRef}`,
      ].join('\r\n');
      const preview = await client.imports.create({
        kind: 'patients',
        format: 'csv',
        content,
        dryRun: true,
      });
      const previewed = await settle(() => client.imports.get({ importId: preview.id }));
      expect(await collect(client.patients.list({ externalRef }))).toHaveLength(0);
      const job = await client.imports.create({ kind: 'patients', format: 'csv', content });
      const applied = await settle(() => client.imports.get({ importId: job.id }));
      expect(applied).toMatchObject({ totalRows: 4, importedRows: 2, failedRows: 2 });
      expect(previewed.dryRun).toBe(true);
      expect([previewed.totalRows, previewed.importedRows, previewed.failedRows]).toEqual([
        applied.totalRows,
        applied.importedRows,
        applied.failedRows,
      ]);
      expect(previewed.errors).toEqual(applied.errors);
      expect([...new Set(applied.errors.map((e) => e.row))]).toEqual([3, 5]);
      expect(await collect(client.patients.list({ externalRef }))).toHaveLength(2);
    },
  },
  {
    name: 'imports: the same content applied twice is applied once; binary content is refused',
    uses: ['imports.create', 'patients.list'],
    async run({ client, unique }) {
      const externalRef = unique('twice');
      const content = `givenName,familyName,externalRef\nAda,Er,${externalRef}\n`;
      const first = await client.imports.create({ kind: 'patients', format: 'csv', content });
      const second = await client.imports.create({ kind: 'patients', format: 'csv', content });
      expect(second.id).toBe(first.id);
      expect(await collect(client.patients.list({ externalRef }))).toHaveLength(1);
      await expectProblem(
        client.imports.create({ kind: 'patients', format: 'csv', content: 'PK\u0003\u0004\u0014' }),
        422,
        'import_unreadable',
      );
    },
  },
  {
    name: 'exports: a closed period is one snapshot, byte-identical when asked again',
    uses: ['exports.create', 'exports.get'],
    async run({ client, target }) {
      const period = { from: '2020-01-01T00:00:00.000Z', to: '2020-02-01T00:00:00.000Z' };
      const first = await client.exports.create({ kind: 'payments', format: 'csv', ...period });
      const again = await client.exports.create({ kind: 'payments', format: 'csv', ...period });
      expect(again.id).toBe(first.id);
      const done = await settle(() => client.exports.get({ exportId: first.id }));
      expect(done).toMatchObject({ status: 'completed', ...period });
      expect(done.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(again.sha256).toBe(done.sha256);
      const fetcher = target.fetch ?? globalThis.fetch;
      const download = async () => {
        const res = await fetcher(new URL(done.downloadUrl ?? '', target.baseUrl), {
          headers: { authorization: `Bearer ${target.apiKey}` },
        });
        expect(res.status).toBe(200);
        return new Uint8Array(await res.arrayBuffer());
      };
      expect(await download()).toEqual(await download());
    },
  },
  {
    name: 'exports: produce a file with the requested rows',
    uses: ['exports.create', 'exports.get', 'exports.list'],
    async run({ client }) {
      const job = await client.exports.create({ kind: 'appointments', format: 'ndjson' });
      const done = await settle(() => client.exports.get({ exportId: job.id }));
      expect(done.status).toBe('completed');
      expect(done.rowCount).not.toBeNull();
      expect(done.downloadUrl).toBeTruthy();
      const listed = await collect(client.exports.list({ limit: 100 }));
      expect(listed.map((j) => j.id)).toContain(job.id);
      await expectProblem(
        client.exports.get({ exportId: 'exp_doesnotexist00000000000' }),
        404,
        'not_found',
      );
    },
  },
];
