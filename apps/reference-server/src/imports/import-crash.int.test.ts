import type { ImportJob } from '@clinicbridge/sdk/contract';
import { afterEach, describe, expect, test } from 'vitest';
import { openProcessTestDatabase } from '../../test/helpers/database.ts';
import { spawnTestProcess, type TestProcess } from '../../test/helpers/spawn.ts';

type ServerProcess = TestProcess<{ url: string; apiKey?: string }>;

const spawnServer = (env: Record<string, string>): ServerProcess =>
  spawnTestProcess('test/imports/server-process.ts', env);

let current: ServerProcess | undefined;
let cleanup: (() => Promise<void>) | undefined;

afterEach(async () => {
  current?.child.kill('SIGKILL');
  await current?.exited;
  current = undefined;
  await cleanup?.();
  cleanup = undefined;
});

const kinds = process.env.TEST_DATABASE_URL
  ? (['pglite', 'postgres'] as const)
  : (['pglite'] as const);

const ROWS = 750;
// Every 9th row has an impossible birth date: rejected, not stored.
const content = [
  'givenName,familyName,birthDate,externalRef',
  ...Array.from(
    { length: ROWS },
    (_, i) => `Crash${i},Family${i % 13},${i % 9 === 4 ? '1980-02-30' : '1980-02-28'},CRASH-${i}`,
  ),
].join('\n');
const invalid = Array.from({ length: ROWS }, (_, i) => i).filter((i) => i % 9 === 4).length;

describe('SIGKILL in the middle of a background import', () => {
  test.each(kinds)(
    'on %s: the restarted server resumes after the last committed batch; nothing is applied twice',
    async (kind) => {
      const shared = await openProcessTestDatabase(kind, 'cb-import-crash-');
      cleanup = shared.cleanup;
      const { env, reopen } = shared;

      // Batches of 100 rows: the server dies inside the third.
      current = spawnServer({ ...env, SEED_TENANT: '1', KILL_IN_BATCH: '3' });
      const { url, apiKey } = await current.ready;
      const started = await fetch(`${url}/api/v1/imports`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${apiKey}`,
          'content-type': 'application/json',
          'idempotency-key': 'crash-import-1',
        },
        body: JSON.stringify({ kind: 'patients', format: 'csv', content }),
      });
      expect(started.status).toBe(202);
      const queued = (await started.json()) as ImportJob;
      expect(queued.status).toBe('pending');
      expect(await current.exited).toBe('SIGKILL');

      current = spawnServer(env);
      const restarted = await current.ready;
      const get = async () => {
        const res = await fetch(`${restarted.url}/api/v1/imports/${queued.id}`, {
          headers: { authorization: `Bearer ${apiKey}` },
        });
        return (await res.json()) as ImportJob;
      };
      let job = await get();
      const deadline = Date.now() + 120_000;
      while (job.status !== 'completed' && job.status !== 'failed' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        job = await get();
      }
      expect(job).toMatchObject({
        status: 'completed',
        totalRows: ROWS,
        importedRows: ROWS - invalid,
        failedRows: invalid,
        progress: { rowsRead: ROWS, batches: 8, background: true },
      });
      expect(job.errors.every((e) => e.code !== undefined && e.column === 'birthDate')).toBe(true);
      // Applying the same content again returns the job and applies nothing.
      const again = await fetch(`${restarted.url}/api/v1/imports`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${apiKey}`,
          'content-type': 'application/json',
          'idempotency-key': 'crash-import-2',
        },
        body: JSON.stringify({ kind: 'patients', format: 'csv', content }),
      });
      expect(((await again.json()) as ImportJob).id).toBe(queued.id);

      current.child.kill('SIGTERM');
      await current.exited;
      current = undefined;
      const database = await reopen();
      try {
        const stored = await database.db
          .selectFrom('patients')
          .select('external_ref')
          .where('external_ref', 'like', 'CRASH-%')
          .execute();
        expect(stored).toHaveLength(ROWS - invalid);
        expect(new Set(stored.map((p) => p.external_ref)).size).toBe(ROWS - invalid);
        const audits = await database.db
          .selectFrom('audit_events')
          .select(['action', 'metadata'])
          .where('entity_id', '=', queued.id)
          .orderBy('chain_seq')
          .execute();
        const batches = audits
          .filter((a) => a.action === 'import.batch_applied')
          .map((a) => a.metadata as { firstRow: number; lastRow: number; rows: number });
        expect(batches).toHaveLength(8);
        // Rows 2–751 (row 1 is the header), in ranges that follow each other.
        expect(batches[0]?.firstRow).toBe(2);
        for (let i = 1; i < batches.length; i++) {
          expect(batches[i]?.firstRow).toBe((batches[i - 1]?.lastRow ?? 0) + 1);
        }
        expect(batches.at(-1)?.lastRow).toBe(ROWS + 1);
        expect(audits.filter((a) => a.action === 'import.completed')).toHaveLength(1);
      } finally {
        await database.close();
      }
    },
    300_000,
  );
});
