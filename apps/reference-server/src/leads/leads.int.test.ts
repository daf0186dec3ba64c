/**
 * Leads over real HTTP against a started server on 127.0.0.1: imported
 * leads are stored encrypted (no name, phone, email or notes in clear; the
 * envelope bound to its row) and de-duplicated through blind indexes of the
 * E.164 phone and the lower-cased email, also against leads stored in
 * clear before encryption, which the leads job then encrypts; the leads
 * API lists them page by page by source and campaign and returns personal
 * fields only to callers holding `read:patients:pii`.
 */
import type { ImportJob, Lead, Page } from '@clinicbridge/sdk/contract';
import { newId } from '@clinicbridge/sdk/contract';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer, tenantClient } from '../../test/helpers/http-server.ts';
import { importsFeature } from '../imports/feature.ts';
import { reencryptLeads } from './reencrypt.ts';

let running: TestServer;
const admin = tenantClient(() => running, 0);
const other = tenantClient(() => running, 1);
/** A key of the first tenant with `read:imports` only: no personal fields. */
let plainKey: string;

beforeAll(async () => {
  running = await startTestServer({ tenantCount: 2, features: [importsFeature] });
  const token = await admin.api<{ apiKey: string }>('POST', '/api/v1/integration-tokens', {
    name: 'lead reader',
    scopes: ['read:imports'],
  });
  plainKey = token.apiKey;
}, 120_000);
afterAll(() => running?.server.close());

const importLeads = (content: string) =>
  admin.api<ImportJob>('POST', '/api/v1/imports', { kind: 'leads', format: 'csv', content });

async function getAs<T>(key: string, path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${running.server.url}${path}`, {
    headers: { authorization: `Bearer ${key}` },
  });
  return { status: res.status, body: (await res.json()) as T };
}

const rowsOf = (campaign: string) =>
  running.server.database.db
    .selectFrom('leads')
    .selectAll()
    .where('campaign', '=', campaign)
    .orderBy('id')
    .execute();

describe('stored encrypted, de-duplicated by blind index', () => {
  test('no personal field is stored in clear; duplicates in the file and against stored leads are refused', async () => {
    const job = await importLeads(
      [
        'name,phone,email,source,campaign,agent,notes',
        'Zeynep Kaya,+90 532 111 22 33,Zeynep@Example.com,agent,enc-1,AG-7,calls after six',
        'Ali Veli,0090 532 111 22 44,,agent,enc-1,AG-7,',
        'Copy,+905321112233,,agent,enc-1,,',
      ].join('\n'),
    );
    expect(job).toMatchObject({ totalRows: 3, importedRows: 2, failedRows: 1 });
    expect(job.errors).toEqual([
      expect.objectContaining({ row: 4, column: 'phone', code: 'duplicate', value: '+***' }),
    ]);
    const rows = await rowsOf('enc-1');
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row).toMatchObject({ name: null, phone: null, email: null, notes: null });
      expect(row.pii).toMatch(/^pii1\./);
      expect(row.pii_kid).toBe('test-1');
      expect(row.phone_index).toMatch(/^[0-9a-f]{64}$/);
      for (const clear of ['Zeynep', 'Kaya', '5321112233', 'example.com', 'six', 'Ali']) {
        expect(JSON.stringify(row)).not.toContain(clear);
      }
    }
    // The envelope is bound to its row: moved onto the other lead, it does not open.
    const [a, b] = rows as [(typeof rows)[0], (typeof rows)[0]];
    const db = running.server.database.db;
    await db.updateTable('leads').set({ pii: a.pii }).where('id', '=', b.id).execute();
    expect((await admin.call('GET', `/api/v1/leads/${b.id}`)).status).toBe(500);
    await db.updateTable('leads').set({ pii: b.pii }).where('id', '=', b.id).execute();

    // Same phone written another way, same email in another case: both already stored.
    const again = await importLeads(
      'phone,email,source\n+90 (532) 111-22-44,,web\n,ZEYNEP@example.COM,web\n+905329999999,,web\n',
    );
    expect(again).toMatchObject({ totalRows: 3, importedRows: 1, failedRows: 2 });
    expect(again.errors.map((e) => [e.row, e.code])).toEqual([
      [2, 'duplicate'],
      [3, 'duplicate'],
    ]);
  });

  test('leads stored in clear are matched, then encrypted by the leads job', async () => {
    const db = running.server.database.db;
    const tenantId = running.tenants[0]!.tenantId;
    const legacy = newId('lea');
    await db
      .insertInto('leads')
      .values({
        id: legacy,
        tenant_id: tenantId,
        name: 'Old Lead',
        phone: '+905320000777',
        email: 'old@example.com',
        source: 'agent',
        campaign: 'legacy-1',
        agent_ref: null,
        country_code: 'TR',
        notes: 'from before',
        created_at: new Date('2026-01-02T00:00:00Z'),
        pii: null,
        pii_kid: null,
        phone_index: null,
        email_index: null,
      })
      .execute();
    const dry = await admin.api<ImportJob>('POST', '/api/v1/imports', {
      kind: 'leads',
      format: 'csv',
      content: 'email,source\nOLD@example.com,web\n',
      dryRun: true,
    });
    expect(dry.errors).toEqual([expect.objectContaining({ code: 'duplicate' })]);
    // The scheduler may run the job too; either way it ends with nothing left in clear.
    for (let pass = 0; pass < 100 && (await reencryptLeads(db, { batch: 2 })) > 0; pass++) {}
    const row = await db
      .selectFrom('leads')
      .selectAll()
      .where('id', '=', legacy)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      name: null,
      phone: null,
      email: null,
      notes: null,
      pii_kid: 'test-1',
    });
    expect(row.email_index).toMatch(/^[0-9a-f]{64}$/);
    const read = await admin.api<Lead>('GET', `/api/v1/leads/${legacy}`);
    expect(read).toMatchObject({
      name: 'Old Lead',
      phone: '+905320000777',
      email: 'old@example.com',
      notes: 'from before',
      createdAt: '2026-01-02T00:00:00.000Z',
    });
    const after = await admin.api<ImportJob>('POST', '/api/v1/imports', {
      kind: 'leads',
      format: 'csv',
      content: 'phone,source\n+905320000777,web\n',
      dryRun: true,
    });
    expect(after.errors).toEqual([expect.objectContaining({ code: 'duplicate', column: 'phone' })]);
  });
});

describe('the leads API', () => {
  test('list by source and campaign, page by page; personal fields only with the PII scope', async () => {
    await importLeads(
      [
        'name,email,source,campaign,agent_ref,country',
        'One,one@example.com,agent,api-1,AG-1,TR',
        'Two,two@example.com,agent,api-1,AG-1,TR',
        'Three,three@example.com,web,api-1,,DE',
        'Four,four@example.com,agent,api-2,AG-2,TR',
      ].join('\n'),
    );
    const seen: Lead[] = [];
    let cursor: string | null = null;
    do {
      const page: Page<Lead> = await admin.api<Page<Lead>>(
        'GET',
        `/api/v1/leads?campaign=api-1&source=agent&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.data);
      cursor = page.nextCursor;
    } while (cursor);
    // One import's rows share their time: the page order between them is by id.
    expect(seen.map((l) => l.name).sort()).toEqual(['One', 'Two']);
    const leadOne = seen.find((l) => l.name === 'One');
    expect(leadOne).toMatchObject({
      source: 'agent',
      campaign: 'api-1',
      agentRef: 'AG-1',
      countryCode: 'TR',
      email: 'one@example.com',
      phone: null,
      notes: null,
    });

    const plain = await getAs<Page<Lead>>(plainKey, '/api/v1/leads?campaign=api-1');
    expect(plain.status).toBe(200);
    expect(plain.body.data).toHaveLength(3);
    for (const lead of plain.body.data) {
      for (const field of ['name', 'phone', 'email', 'notes'])
        expect(lead).not.toHaveProperty(field);
    }
    const one = await getAs<Lead>(plainKey, `/api/v1/leads/${leadOne?.id}`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual({
      id: leadOne?.id,
      source: 'agent',
      campaign: 'api-1',
      agentRef: 'AG-1',
      countryCode: 'TR',
      marketingConsent: false,
      createdAt: leadOne?.createdAt,
    });
    expect((await other.call('GET', `/api/v1/leads/${leadOne?.id}`)).status).toBe(404);
    expect((await other.api<Page<Lead>>('GET', '/api/v1/leads?campaign=api-1')).data).toEqual([]);
  });
});
