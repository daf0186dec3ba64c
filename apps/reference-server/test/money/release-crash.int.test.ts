import type { Escrow, LedgerBalance } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import { afterEach, describe, expect, test } from 'vitest';
import type { DB } from '../../src/db/schema.ts';
import { findLedgerViolations } from '../../src/money/verify.ts';
import { openProcessTestDatabase } from '../helpers/database.ts';
import { patientBody } from '../helpers/fixtures.ts';
import { spawnTestProcess, type TestProcess } from '../helpers/spawn.ts';

type ServerProcess = TestProcess<{ url: string; apiKey?: string }>;

const spawnServer = (env: Record<string, string>): ServerProcess =>
  spawnTestProcess('test/money/server-process.ts', env);

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

const eur = (amount: number) => ({ amount, currency: 'EUR' });

/** Counts of what a release leaves in the ledger and the outbox. */
async function releaseTraces(db: Kysely<DB>, escrowId: string) {
  const milestones = await db
    .selectFrom('escrow_milestones')
    .innerJoin('ledger_transfers', 'ledger_transfers.id', 'escrow_milestones.transfer_id')
    .select([
      'escrow_milestones.code',
      'escrow_milestones.status as milestone',
      'ledger_transfers.status as transfer',
      'ledger_transfers.id as transferId',
    ])
    .where('escrow_id', '=', escrowId)
    .orderBy('position')
    .execute();
  const entries = await db
    .selectFrom('ledger_entries')
    .select(['transfer_id'])
    .where(
      'transfer_id',
      'in',
      milestones.map((m) => m.transferId),
    )
    .execute();
  const released = await db
    .selectFrom('events')
    .select('id')
    .where('entity_id', '=', escrowId)
    .where('type', '=', 'escrow.released')
    .execute();
  return {
    milestones: milestones.map((m) => ({
      code: m.code,
      milestone: m.milestone,
      transfer: m.transfer,
      entries: entries.filter((e) => e.transfer_id === m.transferId).length,
    })),
    releasedEvents: released.length,
  };
}

describe('SIGKILL in the middle of an escrow release', () => {
  test.each(kinds)(
    'on %s: after a restart the release is whole or absent; 50 identical requests post once',
    async (kind) => {
      const shared = await openProcessTestDatabase(kind, 'cb-escrow-crash-');
      cleanup = shared.cleanup;
      const { env, reopen } = shared;

      current = spawnServer({ ...env, SEED_TENANT: '1', KILL_IN_RELEASE: '1' });
      const { url, apiKey } = await current.ready;
      const api = async <T>(method: string, path: string, body?: unknown, key?: string) => {
        const res = await fetch(`${url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${apiKey}`,
            'content-type': 'application/json',
            ...(method === 'GET' ? {} : { 'idempotency-key': key ?? crypto.randomUUID() }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return { status: res.status, body: (await res.json()) as T };
      };
      const patient = await api<{ id: string }>('POST', '/api/v1/patients', patientBody());
      const invoice = await api<{ id: string }>('POST', '/api/v1/invoices', {
        patientId: patient.body.id,
        currency: 'EUR',
        lines: [{ description: 'Package', quantity: 1, unitPrice: eur(9_000) }],
      });
      const payment = await api<{ id: string }>('POST', '/api/v1/payments', {
        invoiceId: invoice.body.id,
        amount: eur(9_000),
        method: 'card',
        source: 'gateway',
      });
      const held = await api<Escrow>('POST', '/api/v1/escrows', {
        paymentId: payment.body.id,
        milestones: [
          { code: 'admission', amount: eur(3_000) },
          { code: 'surgery', amount: eur(6_000) },
        ],
      });
      expect(held.status).toBe(201);
      const escrowId = held.body.id;

      // The server dies while releasing: the request gets no answer.
      const dying = await fetch(`${url}/api/v1/escrows/${escrowId}/milestones/surgery/release`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${apiKey}`,
          'content-type': 'application/json',
          'idempotency-key': 'release-surgery-1',
        },
        body: '{}',
      }).then(
        (res) => res.status,
        () => 'no answer' as const,
      );
      expect(dying).toBe('no answer');
      expect(await current.exited).toBe('SIGKILL');

      current = spawnServer(env);
      const restarted = await current.ready;
      const again = async <T>(method: string, path: string, body?: unknown, key?: string) => {
        const res = await fetch(`${restarted.url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${apiKey}`,
            'content-type': 'application/json',
            ...(method === 'GET' ? {} : { 'idempotency-key': key ?? crypto.randomUUID() }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return { status: res.status, body: (await res.json()) as T };
      };
      const after = (await again<Escrow>('GET', `/api/v1/escrows/${escrowId}`)).body;
      const surgery = after.milestones.find((m) => m.code === 'surgery');
      // Whole or absent: the tranche is held (nothing of the release survived) or released.
      expect(['held', 'released']).toContain(surgery?.status);
      const balance = (
        await again<LedgerBalance>('GET', `/api/v1/ledger/accounts/${after.accountId}/balance`)
      ).body;
      const releasedSoFar = surgery?.status === 'released' ? 6_000 : 0;
      expect(balance).toMatchObject({
        posted: 9_000 - releasedSoFar,
        pending: -(9_000 - releasedSoFar),
        available: 0,
      });

      // The client retries with its key: the release happens, whole, once.
      const retried = await again<Escrow>(
        'POST',
        `/api/v1/escrows/${escrowId}/milestones/surgery/release`,
        {},
        'release-surgery-1',
      );
      expect(retried.status).toBe(200);
      expect(retried.body.released).toEqual(eur(6_000));

      // 50 identical requests at once: one Idempotency-Key, one body.
      const answers = await Promise.all(
        Array.from({ length: 50 }, () =>
          again<Record<string, unknown>>(
            'POST',
            `/api/v1/escrows/${escrowId}/milestones/admission/release`,
            {},
            'release-admission-1',
          ),
        ),
      );
      // The first answers 200; the others replay it, or are told the first is in flight (409).
      expect(answers.filter((a) => a.status !== 200 && a.status !== 409)).toEqual([]);
      expect(answers.some((a) => a.status === 200)).toBe(true);
      const final = (await again<Escrow>('GET', `/api/v1/escrows/${escrowId}`)).body;
      expect(final).toMatchObject({ status: 'closed', released: eur(9_000) });

      current.child.kill('SIGTERM');
      await current.exited;
      current = undefined;
      const database = await reopen();
      try {
        expect(await releaseTraces(database.db, escrowId)).toEqual({
          milestones: [
            { code: 'admission', milestone: 'released', transfer: 'posted', entries: 4 },
            { code: 'surgery', milestone: 'released', transfer: 'posted', entries: 4 },
          ],
          releasedEvents: 2,
        });
        expect(await findLedgerViolations(database.db)).toEqual([]);
      } finally {
        await database.close();
      }
    },
    180_000,
  );
});
