/**
 * Finding 16, the second half: the server runs as a role that cannot
 * undo the audit log's protection. On PostgreSQL the test creates its own
 * database and two login roles (the owner, which runs migrations through
 * MIGRATION_DATABASE_URL, and the server's role in DATABASE_URL), starts
 * the whole server with both, writes through the API over HTTP, and then —
 * connected as the server's role — tries what a stolen server connection
 * would: disable the append-only triggers, replace their function, rewrite,
 * delete or truncate the audit log and the ledger, alter or drop tables.
 * Each is refused with SQLSTATE 42501 (insufficient privilege). On PGlite,
 * which has one role, the configuration refuses MIGRATION_DATABASE_URL.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Escrow } from '@clinicbridge/sdk/contract';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { verifyAuditChain } from '../../src/audit/verify.ts';
import { ConfigError, loadConfig } from '../../src/config/index.ts';
import { withKeyRing } from '../../src/crypto/keys.ts';
import { type Database, openDatabase } from '../../src/db/database.ts';
import { featureConfigSections, serverFeatures } from '../../src/features.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { type RunningServer, startServer } from '../../src/server.ts';
import { type CreatedTenant, createTenant } from '../../src/tenants/service.ts';
import { testDatabaseKind } from '../helpers/database.ts';
import { appointmentBody, patientBody } from '../helpers/fixtures.ts';
import { testKeyRing } from '../helpers/pii-keys.ts';

test('finding 16: MIGRATION_DATABASE_URL needs the server on PostgreSQL', () => {
  const refused = () =>
    loadConfig({ MIGRATION_DATABASE_URL: 'postgres://owner@127.0.0.1:5432/clinicbridge' });
  expect(refused).toThrow(ConfigError);
  expect(refused).toThrow(/MIGRATION_DATABASE_URL: needs DATABASE_URL/);
});

describe.runIf(testDatabaseKind === 'postgres')(
  'finding 16: migrations and the server under two database roles',
  () => {
    const suffix = randomBytes(4).toString('hex');
    const owner = `cb_f16_owner_${suffix}`;
    const app = `cb_f16_app_${suffix}`;
    const dbName = `cb_f16_${suffix}`;
    const adminUrl = process.env.TEST_DATABASE_URL ?? '';
    const urlFor = (role: string) => {
      const url = new URL(adminUrl);
      url.username = role;
      url.password = '';
      url.pathname = `/${dbName}`;
      return url.toString();
    };
    const logLines: string[] = [];
    let database: Database;
    let server: RunningServer;
    let tenant: CreatedTenant;
    let asServerRole: pg.Client;

    async function admin(statement: string): Promise<void> {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(statement);
      } finally {
        await client.end();
      }
    }

    beforeAll(async () => {
      // The setup docs/production.md gives a DBA, on a database of its own.
      await admin(`create role ${owner} login`);
      await admin(`create role ${app} login`);
      await admin(`create database ${dbName} owner ${owner}`);
      const config = loadConfig(
        {
          HOST: '127.0.0.1',
          LOG_LEVEL: 'info',
          DATABASE_URL: urlFor(app),
          MIGRATION_DATABASE_URL: urlFor(owner),
          CREATE_DEMO_TENANT: 'false',
          WEBHOOK_POLL_INTERVAL: '50ms',
        },
        featureConfigSections,
      );
      const capture = new Writable({
        write(chunk, _encoding, done) {
          logLines.push(String(chunk));
          done();
        },
      });
      database = withKeyRing(await openDatabase({ url: urlFor(app), poolSize: 4 }), testKeyRing);
      server = await startServer({
        config: { ...config, PORT: 0 },
        database,
        logger: createLogger('info', capture),
        features: serverFeatures(),
      });
      tenant = await createTenant(database.db, { name: 'Clinic' });
      asServerRole = new pg.Client({ connectionString: urlFor(app) });
      await asServerRole.connect();
    }, 120_000);

    afterAll(async () => {
      await asServerRole?.end();
      await server?.close();
      await admin(`drop database if exists ${dbName} with (force)`);
      await admin(`drop role if exists ${app}`);
      await admin(`drop role if exists ${owner}`);
    }, 60_000);

    async function api<T = Record<string, unknown>>(
      method: string,
      path: string,
      body?: unknown,
    ): Promise<T> {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${tenant.apiKey}`,
          'content-type': 'application/json',
          ...(method === 'GET' ? {} : { 'idempotency-key': crypto.randomUUID() }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return JSON.parse(text) as T;
    }

    const eur = (amount: number) => ({ amount, currency: 'EUR' });

    test('finding 16: the server migrates as the owner, runs as the other role, and API writes work', async () => {
      expect(logLines.join('')).toContain('server database role granted');
      const { rows: owners } = await asServerRole.query<{ owner: string }>(
        `select distinct tableowner as owner from pg_tables where schemaname = 'public'`,
      );
      expect(owners).toEqual([{ owner }]);

      const patient = await api<{ id: string }>('POST', '/api/v1/patients', patientBody());
      const appointment = await api<{ id: string }>(
        'POST',
        '/api/v1/appointments',
        appointmentBody(patient.id),
      );
      await api('POST', `/api/v1/appointments/${appointment.id}/cancel`, {
        reason: 'Patient asked',
      });
      const invoice = await api<{ id: string }>('POST', '/api/v1/invoices', {
        patientId: patient.id,
        currency: 'EUR',
        lines: [{ description: 'Package', quantity: 1, unitPrice: eur(5_000) }],
      });
      const payment = await api<{ id: string }>('POST', '/api/v1/payments', {
        invoiceId: invoice.id,
        amount: eur(5_000),
        method: 'card',
        source: 'gateway',
      });
      // The ledger: an escrow hold and a release insert entries and move account balances.
      const escrow = await api<Escrow>('POST', '/api/v1/escrows', {
        paymentId: payment.id,
        milestones: [
          { code: 'admission', amount: eur(2_000) },
          { code: 'surgery', amount: eur(3_000) },
        ],
      });
      const released = await api<Escrow>(
        'POST',
        `/api/v1/escrows/${escrow.id}/milestones/admission/release`,
        {},
      );
      expect(released.released).toEqual(eur(2_000));
      const audit = await api<{ data: unknown[] }>('GET', '/api/v1/audit-events?limit=100');
      expect(audit.data.length).toBeGreaterThanOrEqual(6);
      const { rows: entries } = await asServerRole.query<{ n: number }>(
        'select count(*)::int as n from ledger_entries',
      );
      expect(entries[0]?.n).toBeGreaterThan(0);
      expect(logLines.join('')).not.toMatch(/permission denied|42501/);
    }, 60_000);

    const refusedStatements: Array<[string, string]> = [
      ['disable the audit trigger', 'alter table audit_events disable trigger all'],
      [
        'disable one audit trigger',
        'alter table audit_events disable trigger audit_events_no_update_delete',
      ],
      ['disable the ledger trigger', 'alter table ledger_entries disable trigger all'],
      [
        'replace the audit trigger function',
        `create or replace function audit_events_append_only() returns trigger
           language plpgsql as $$ begin return old; end $$`,
      ],
      ['drop the audit trigger function', 'drop function audit_events_append_only() cascade'],
      ['drop the audit trigger', 'drop trigger audit_events_no_update_delete on audit_events'],
      ['rewrite an audit row', `update audit_events set action = 'nothing.happened'`],
      ['delete audit rows', 'delete from audit_events'],
      ['truncate the audit log', 'truncate audit_events'],
      ['rewrite a ledger entry', 'update ledger_entries set amount = 1'],
      ['delete ledger entries', 'delete from ledger_entries'],
      ['truncate the ledger', 'truncate ledger_entries cascade'],
      ['delete operator actions', 'delete from operator_actions'],
      ['truncate a mutable table', 'truncate patients cascade'],
      ['alter a table', 'alter table audit_events drop column hash'],
      ['drop a table', 'drop table audit_events'],
      ['create a table of its own', 'create table shadow (id int)'],
      ['record a migration', `insert into kysely_migration values ('9999-x', now())`],
    ];

    test.each(refusedStatements)(
      'finding 16: the server role cannot %s',
      async (_what, statement) => {
        const error = await asServerRole.query(statement).then(
          () => undefined,
          (e: unknown) => e as { code?: string },
        );
        expect(error?.code).toBe('42501');
      },
    );

    test('finding 16: after the attempts the audit chain verifies; two servers start together; the server role alone starts once migrated', async () => {
      const report = await verifyAuditChain(database.db, { tenantId: tenant.tenantId });
      expect(report.broken).toBeNull();
      expect(report.tenants[0]?.rows).toBeGreaterThanOrEqual(6);
      // Two processes starting together both migrate and grant; the grants take turns.
      const together = await Promise.all(
        [1, 2].map(async () =>
          startServer({
            config: { ...server.context.config, PORT: 0 },
            database: withKeyRing(
              await openDatabase({ url: urlFor(app), poolSize: 2 }),
              testKeyRing,
            ),
            logger: createLogger('silent'),
            features: serverFeatures(),
          }),
        ),
      );
      await Promise.all(together.map((running) => running.close()));
      // The deployment-job way: migrations ran as the owner, this process gets DATABASE_URL only.
      const { MIGRATION_DATABASE_URL: _owner, ...serverOnly } = server.context.config;
      const restarted = await startServer({
        config: { ...serverOnly, PORT: 0 },
        database: withKeyRing(await openDatabase({ url: urlFor(app), poolSize: 2 }), testKeyRing),
        logger: createLogger('silent'),
        features: serverFeatures(),
      });
      const health = await fetch(`${restarted.url}/readyz`);
      await restarted.close();
      expect(health.status).toBe(200);
    }, 60_000);
  },
);
