/**
 * Issue #10, finding 16 (the chain): the audit log was append-only only
 * against plain statements — the role that ran migrations could disable the
 * trigger and rewrite rows unseen. Each tenant's rows now form a SHA-256
 * hash chain written under a per-tenant lock, `0004-core-audit-chain`
 * backfills it, and `audit verify` (the CLI's too) names the first row that
 * breaks it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newId } from '@clinicbridge/sdk/contract';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { verifyAuditChain } from '../../src/audit/verify.ts';
import { openDatabase } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { serverMigrations } from '../../src/features.ts';
import { appendAuditRows } from '../../src/kernel/audit-chain.ts';
import { recordAudit } from '../../src/kernel/change.ts';
import { createTenant } from '../../src/tenants/service.ts';
import { cliTestTimeout, runCli } from '../helpers/cli.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';

const system = { type: 'system', id: 'test' } as const;

/** What the migration role could do: switch the trigger off, rewrite, switch it on. */
async function tamper(database: { db: TestDatabase['db'] }, id: string): Promise<void> {
  await sql`alter table audit_events disable trigger audit_events_no_update_delete`.execute(
    database.db,
  );
  await sql`update audit_events set metadata = '{"status":"rewritten"}' where id = ${id}`.execute(
    database.db,
  );
  await sql`alter table audit_events enable trigger audit_events_no_update_delete`.execute(
    database.db,
  );
}

describe('finding 16: the audit log is a hash chain per tenant', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(() => database.close());

  test('finding 16: concurrent writers of one tenant keep a single intact chain', async () => {
    const { tenantId } = await createTenant(database.db, { name: 'Chained' });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        recordAudit(database.db, {
          tenantId,
          actor: system,
          action: 'test.written',
          entityType: 'test',
          entityId: null,
          metadata: { i, nested: { b: 1, a: [1, 2] } },
        }),
      ),
    );
    const rows = await database.db
      .selectFrom('audit_events')
      .select('chain_seq')
      .where('tenant_id', '=', tenantId)
      .orderBy('chain_seq')
      .execute();
    expect(rows.map((r) => Number(r.chain_seq))).toEqual(rows.map((_, i) => i + 1));
    const report = await verifyAuditChain(database.db, { tenantId });
    expect(report.broken).toBeNull();
    expect(report.tenants[0]?.rows).toBe(rows.length);
  });

  test('finding 16: batched appends of two tenants interleaved with single writers keep both chains intact', async () => {
    const { tenantId } = await createTenant(database.db, { name: 'Batched' });
    const { tenantId: otherTenantId } = await createTenant(database.db, { name: 'Batched too' });
    const single = (i: number) =>
      recordAudit(database.db, {
        tenantId,
        actor: system,
        action: 'test.written',
        entityType: 'test',
        entityId: null,
        metadata: { i },
      });
    const batch = (n: number) =>
      appendAuditRows(
        database.db,
        Array.from({ length: n }, (_, i) => ({
          id: newId('aud'),
          // Every other row on a second tenant's chain: one statement extends both.
          tenantId: i % 2 === 0 ? tenantId : otherTenantId,
          actorType: 'system',
          actorId: 'delivery',
          action: 'delivery.succeeded',
          entityType: 'delivery',
          entityId: `dlv_batch${n}${i}`,
          requestId: null,
          // A Date and an undefined member: hashed as the database keeps them.
          metadata: {
            attemptId: `att_${i}`,
            responseStatus: 200,
            nested: { b: 1, a: [1] },
            at: new Date(Date.UTC(2026, 11, 7)),
            dropped: undefined,
          },
          occurredAt: new Date(),
        })),
      );
    const chainRows = (tenant: string) =>
      database.db
        .selectFrom('audit_events')
        .select(['chain_seq', 'entity_id'])
        .where('tenant_id', '=', tenant)
        .orderBy('chain_seq')
        .execute();
    // Creating the tenants audited already.
    const before = (await chainRows(tenantId)).length;
    const otherBefore = (await chainRows(otherTenantId)).length;
    await Promise.all([single(1), batch(5), single(2), batch(3), single(3)]);
    // 3 single rows, 3 of batch(5) and 2 of batch(3) on the first chain; 2 + 1 on the other.
    const rows = await chainRows(tenantId);
    expect(rows.map((r) => Number(r.chain_seq))).toEqual(
      Array.from({ length: before + 8 }, (_, i) => i + 1),
    );
    const other = await chainRows(otherTenantId);
    expect(other.map((r) => Number(r.chain_seq))).toEqual(
      Array.from({ length: otherBefore + 3 }, (_, i) => i + 1),
    );
    // A batch's rows keep their order on each chain.
    const batchOrder = rows.map((r) => r.entity_id).filter((id) => id?.startsWith('dlv_batch5'));
    expect(batchOrder).toEqual(['dlv_batch50', 'dlv_batch52', 'dlv_batch54']);
    for (const [tenant, count] of [
      [tenantId, before + 8],
      [otherTenantId, otherBefore + 3],
    ] as const) {
      const report = await verifyAuditChain(database.db, { tenantId: tenant });
      expect(report.broken).toBeNull();
      expect(report.tenants[0]?.rows).toBe(count);
    }
  });

  test('finding 16: a row rewritten with the trigger disabled is reported as the first break', async () => {
    const { tenantId } = await createTenant(database.db, { name: 'Tampered' });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      ids.push(
        await recordAudit(database.db, {
          tenantId,
          actor: system,
          action: 'test.written',
          entityType: 'test',
          entityId: null,
          metadata: { i },
        }),
      );
    }
    const target = ids[1] ?? '';
    await tamper(database, target);
    const report = await verifyAuditChain(database.db, { tenantId });
    expect(report.broken).toMatchObject({ tenantId, id: target, reason: 'hash_mismatch' });
    // Other tenants' chains are untouched.
    const others = await verifyAuditChain(database.db);
    expect(others.broken?.id).toBe(target);
  });

  test('finding 16: a deleted row shows as a gap in the chain', async () => {
    const { tenantId } = await createTenant(database.db, { name: 'Gapped' });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(
        await recordAudit(database.db, {
          tenantId,
          actor: system,
          action: 'test.written',
          entityType: 'test',
          entityId: null,
        }),
      );
    }
    await sql`alter table audit_events disable trigger audit_events_no_update_delete`.execute(
      database.db,
    );
    await sql`delete from audit_events where id = ${ids[1] ?? ''}`.execute(database.db);
    await sql`alter table audit_events enable trigger audit_events_no_update_delete`.execute(
      database.db,
    );
    const report = await verifyAuditChain(database.db, { tenantId });
    expect(report.broken).toMatchObject({ id: ids[2], reason: 'sequence_gap' });
  });
});

describe('finding 16: the migration backfills the chain of existing rows', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase({ migrate: false });
  });
  afterAll(() => database.close());

  test('finding 16: rows written before the chain verify after migrating', async () => {
    const before = Object.fromEntries(
      Object.entries(serverMigrations).filter(([name]) => name < '0004'),
    );
    await migrateToLatest(database.db, before);
    const insert = (id: string, tenant: string, minute: number) =>
      sql`insert into audit_events (id, tenant_id, actor_type, actor_id, action, entity_type, entity_id, request_id, metadata, occurred_at)
          values (${id}, ${tenant}, 'system', 'old', 'old.action', 'thing', null, null, ${JSON.stringify({ z: 1, a: 'x' })}::jsonb, ${new Date(Date.UTC(2026, 0, 1, 0, minute))})`.execute(
        database.db,
      );
    await insert('aud_old_2', 'ten_a', 2);
    await insert('aud_old_1', 'ten_a', 1);
    await insert('aud_old_3', 'ten_b', 1);
    await migrateToLatest(database.db, serverMigrations);

    await recordAudit(database.db, {
      tenantId: 'ten_a',
      actor: system,
      action: 'new.action',
      entityType: 'thing',
      entityId: null,
    });
    const report = await verifyAuditChain(database.db);
    expect(report.broken).toBeNull();
    expect(report.tenants).toEqual([
      { tenantId: 'ten_a', rows: 3, head: expect.stringMatching(/^[0-9a-f]{64}$/) },
      { tenantId: 'ten_b', rows: 1, head: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);
    const first = await database.db
      .selectFrom('audit_events')
      .select('id')
      .where('tenant_id', '=', 'ten_a')
      .where('chain_seq', '=', 1)
      .executeTakeFirst();
    expect(first?.id).toBe('aud_old_1');
  });
});

describe('finding 16: pnpm cli audit verify', { timeout: cliTestTimeout(3) }, () => {
  // The CLI runs as an operator runs it, on an on-disk PGlite data directory (as src/cli/cli.int.test.ts).
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cb-audit-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  const { DATABASE_URL: _ignored, ...baseEnv } = process.env;
  const cli = (args: string[]) =>
    runCli(args, { ...baseEnv, DATA_DIR: dataDir, LOG_LEVEL: 'silent' });

  test('finding 16: exits 0 on an intact chain and 1 naming the first broken row', async () => {
    const { tenantId } = JSON.parse(
      (await cli(['create-tenant', '--name', 'Audited', '--json'])).stdout,
    ) as { tenantId: string };
    const intact = await cli(['audit', 'verify', '--tenant', tenantId]);
    expect(intact.stdout).toContain('audit chain intact');

    const database = await openDatabase({ dataDir });
    let target: string;
    try {
      const first = await database.db
        .selectFrom('audit_events')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .orderBy('chain_seq')
        .executeTakeFirstOrThrow();
      target = first.id;
      await tamper(database, target);
    } finally {
      await database.close();
    }
    const failed = await cli(['audit', 'verify', '--json']).then(
      () => null,
      (error: { code: number; stdout: string }) => error,
    );
    expect(failed?.code).toBe(1);
    const report = JSON.parse(failed?.stdout ?? '{}') as { broken: { id: string } | null };
    expect(report.broken?.id).toBe(target);
  });
});
