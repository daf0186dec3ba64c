/**
 * The MLLP listener over real TCP on 127.0.0.1, driven by an independent
 * client: Debian's python3-hl7 (`mllp_send`, and its `MLLPClient` socket
 * for frames split or coalesced; its parser reads our ACKs). A kept-open
 * connection sending 100 messages gets 100 ACKs, each for its own MSH-10;
 * split and coalesced frames are answered; an oversize frame closes the
 * connection with nothing stored; and a server killed with SIGKILL after
 * the inbox write but before the ACK re-ACKs the resend after its restart
 * and applies the message once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMessage, valueAt } from '@clinicbridge/hl7';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { openDatabase } from '../../src/db/database.ts';
import type { DB } from '../../src/db/schema.ts';
import { hl7Config } from '../../src/hl7/config.ts';
import { registerFacility } from '../../src/hl7/facilities.ts';
import { type Hl7Feature, hl7Feature } from '../../src/hl7/feature.ts';
import { openTestDatabase } from '../helpers/database.ts';
import { startTestServer, type TestServer } from '../helpers/http-server.ts';
import { spawnTestProcess, type TestProcess } from '../helpers/spawn.ts';
import { adt } from './messages.ts';
import { mllpSend, pythonMllp, requirePythonHl7 } from './python-client.ts';

const MAX_FRAME = 65_536;
let running: TestServer;
let hl7: Hl7Feature;
let port: number;

beforeAll(async () => {
  requirePythonHl7();
  hl7 = hl7Feature({
    config: hl7Config.parse({
      HL7_MLLP_PORT: '0',
      HL7_MLLP_HOST: '127.0.0.1',
      HL7_MLLP_MAX_FRAME_BYTES: String(MAX_FRAME),
    }),
  });
  running = await startTestServer({
    tenantCount: 1,
    env: { WEBHOOK_DISPATCHER: 'false' },
    features: [hl7],
  });
  await registerFacility(
    running.server.database.db,
    {
      tenantId: running.tenants[0]!.tenantId,
      sendingFacility: 'CITYHOSP',
      allowedSources: ['127.0.0.1'],
    },
    new Date(),
  );
  port = hl7.mllpAddress()!.port;
});
afterAll(() => running?.server.close());

const storedCount = async (prefix: string) =>
  (
    await running.server.database.db
      .selectFrom('hl7_messages')
      .select('control_id')
      .where('control_id', 'like', `${prefix}%`)
      .execute()
  ).length;

describe('the listener with python-hl7 as the client', () => {
  test('a kept-open connection sending 100 messages gets 100 ACKs, each for its own MSH-10', async () => {
    const ids = Array.from({ length: 100 }, (_, i) => `KEPT-${String(i).padStart(3, '0')}`);
    const acks = await mllpSend(
      port,
      ids.map((id, i) =>
        adt({ trigger: 'A01', controlId: id, mrn: `K${i}`, visit: `KV${i}`, location: 'W1^1^1' }),
      ),
    );
    expect(acks).toHaveLength(100);
    expect(acks.map((ack) => valueAt(parseMessage(ack), 'MSA-2'))).toEqual(ids);
    expect(acks.every((ack) => valueAt(parseMessage(ack), 'MSA-1') === 'AA')).toBe(true);
    expect(await storedCount('KEPT-')).toBe(100);
  });

  test('frames split into small writes are answered', async () => {
    const ids = ['SPLIT-1', 'SPLIT-2', 'SPLIT-3'];
    const result = await pythonMllp({
      port,
      mode: 'split',
      chunk: 37,
      messages: ids.map((id) => adt({ trigger: 'A08', controlId: id, mrn: 'S1' })),
      expect: 3,
    });
    expect(result.acks).toEqual(ids.map((controlId) => ({ code: 'AA', controlId })));
    expect(await storedCount('SPLIT-')).toBe(3);
  });

  test('frames coalesced into one write are answered in order', async () => {
    const ids = Array.from({ length: 5 }, (_, i) => `COAL-${i}`);
    const result = await pythonMllp({
      port,
      mode: 'coalesced',
      messages: ids.map((id) => adt({ trigger: 'A08', controlId: id, mrn: 'C1' })),
      expect: 5,
    });
    expect(result.acks).toEqual(ids.map((controlId) => ({ code: 'AA', controlId })));
    expect(await storedCount('COAL-')).toBe(5);
  });

  test('an oversize frame closes the connection and nothing of it is stored', async () => {
    const before = await storedCount('');
    const huge = adt({
      trigger: 'A08',
      controlId: 'HUGE-1',
      mrn: 'H1',
      extra: [`NTE|1||${'x'.repeat(MAX_FRAME)}`],
    });
    const hex = Buffer.concat([
      Buffer.from([0x0b]),
      Buffer.from(huge),
      Buffer.from([0x1c, 0x0d]),
    ]).toString('hex');
    const result = await pythonMllp({ port, mode: 'raw', hex, expect: 0 });
    expect(result).toEqual({ acks: [], closed: true });
    expect(await storedCount('HUGE-')).toBe(0);
    expect(await storedCount('')).toBe(before);
  });
});

interface Ready {
  mllpPort: number;
  url: string;
  apiKey?: string;
}

/** Starts the HL7 server process and resolves once it listens on both ports. */
async function spawnServer(
  env: Record<string, string>,
): Promise<Ready & { process: TestProcess<Ready> }> {
  const spawned = spawnTestProcess<Ready>('test/hl7/server-process.ts', env);
  return { ...(await spawned.ready), process: spawned };
}

type Db = Kysely<DB>;
// PostgreSQL when the tests have one, else PGlite on disk (whose survival of
// SIGKILL the delivery crash test also covers; each of its opens costs seconds).
const kinds = process.env.TEST_DATABASE_URL ? (['postgres'] as const) : (['pglite'] as const);

describe('SIGKILL between the inbox write and the ACK', () => {
  test.each(kinds)(
    'on %s: the resend after the restart is re-ACKed and the message applied once',
    async (kind) => {
      let env: Record<string, string>;
      let inspect: <T>(read: (db: Db) => Promise<T>) => Promise<T>;
      let cleanup: () => Promise<void>;
      if (kind === 'postgres') {
        const database = await openTestDatabase();
        env = {
          DATABASE_URL: process.env.TEST_DATABASE_URL as string,
          TEST_SCHEMA: database.schema as string,
        };
        inspect = (read) => read(database.db);
        cleanup = () => database.close();
      } else {
        // PGlite is one process at a time: the servers use the directory, then this test reads it.
        const dir = await mkdtemp(join(tmpdir(), 'cb-hl7-crash-'));
        env = { DATA_DIR: dir };
        inspect = async (read) => {
          const db = await openDatabase({ dataDir: dir });
          try {
            return await read(db.db);
          } finally {
            await db.close();
          }
        };
        cleanup = () => rm(dir, { recursive: true, force: true });
      }
      try {
        const message = adt({
          trigger: 'A01',
          controlId: 'KILL-1',
          mrn: 'MRN-K',
          visit: 'V-K',
          location: 'W1^1^1',
        });
        const first = await spawnServer({
          ...env,
          SEED_FACILITY: 'CITYHOSP',
          KILL_AFTER_STORE: 'KILL-1',
        });
        const apiKey = first.apiKey as string;
        // The server dies after the commit: mllp_send sees the connection close without a reply.
        expect(await mllpSend(first.mllpPort, [message])).toEqual([]);
        expect(await first.process.exited).toBe('SIGKILL');

        const second = await spawnServer(env);
        try {
          const [ack] = await mllpSend(second.mllpPort, [message]);
          expect(valueAt(parseMessage(ack!), 'MSA-1')).toBe('AA');
          expect(valueAt(parseMessage(ack!), 'MSA-2')).toBe('KILL-1');
          await vi.waitFor(
            async () => {
              const res = await fetch(`${second.url}/api/v1/encounters`, {
                headers: { authorization: `Bearer ${apiKey}` },
              });
              const page = (await res.json()) as { data: { visitNumber: string }[] };
              expect(page.data.map((e) => e.visitNumber)).toEqual(['V-K']);
            },
            { timeout: 20_000, interval: 50 },
          );
        } finally {
          second.process.child.kill('SIGTERM');
          await second.process.exited;
        }
        const state = await inspect(async (db) => ({
          messages: await db
            .selectFrom('hl7_messages')
            .select('status')
            .where('control_id', '=', 'KILL-1')
            .execute(),
          encounters: await db
            .selectFrom('encounters')
            .select('id')
            .where('visit_number', '=', 'V-K')
            .execute(),
          admitted: await db
            .selectFrom('events')
            .select('id')
            .where('type', '=', 'encounter.admitted')
            .execute(),
          patients: await db
            .selectFrom('hl7_patient_identifiers')
            .select('patient_id')
            .where('identifier', '=', 'MRN-K')
            .execute(),
        }));
        // Stored once (by the killed server), applied once (by the restarted one).
        expect(state.messages).toEqual([{ status: 'processed' }]);
        expect(state.encounters).toHaveLength(1);
        expect(state.admitted).toHaveLength(1);
        expect(state.patients).toHaveLength(1);
      } finally {
        await cleanup();
      }
    },
    90_000,
  );
});
