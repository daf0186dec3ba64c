/**
 * Group commit of inbound webhooks (issue 16), over real HTTP: webhooks
 * arriving together are stored by shared INSERTs (rows of one transaction),
 * each answered after its own row committed, and the dedupe semantics are
 * those of one-by-one storing: the first of a provider event id is 202,
 * every repeat (in the same burst or later) 200 with the stored row's id.
 */
import { generateSecret, getScheme } from '@clinicbridge/webhooks';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTestDatabase, type TestDatabase } from '../../test/helpers/database.ts';
import { startTestServer, type TestServer } from '../../test/helpers/http-server.ts';
import { inboundFeature } from './feature.ts';
import { openRawBody } from './raw-body.ts';

const secret = generateSecret();
let database: TestDatabase;
let running: TestServer;

beforeAll(async () => {
  database = await openTestDatabase();
  running = await startTestServer({
    tenantCount: 1,
    database,
    features: [inboundFeature()],
    env: { INBOUND_VISA_SECRET: secret },
  });
}, 120_000);
afterAll(async () => {
  await running.server.close();
  await database.close();
});

async function send(
  id: string,
  payload: object = { type: 'visa.granted', data: { caseId: id } },
): Promise<{ status: number; id: string; duplicate: boolean }> {
  const body = JSON.stringify(payload);
  const headers = getScheme('standard').signSync({ id, payload: body, secret });
  const res = await fetch(`${running.server.url}/webhooks/visa`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const answer = (await res.json()) as { id: string; duplicate: boolean };
  return { status: res.status, ...answer };
}

describe('inbound group commit', () => {
  test('a burst shares INSERTs, every webhook is answered after its commit, and repeats stay duplicates', async () => {
    const ids = Array.from({ length: 24 }, (_, i) => `msg_group_${i}`);
    // Every fourth id is sent twice in the same burst.
    const burst = [...ids, ...ids.filter((_, i) => i % 4 === 0)];
    const answers = await Promise.all(burst.map((id) => send(id)));

    const rows = await database.db
      .selectFrom('inbound_webhooks')
      .select(['id', 'provider_event_id', sql<string>`xmin::text`.as('tx')])
      .where('provider_event_id', 'like', 'msg_group_%')
      .execute();
    expect(rows).toHaveLength(ids.length);
    const rowIdOf = new Map(rows.map((r) => [r.provider_event_id, r.id]));
    for (const id of ids) {
      const mine = answers.filter((_, i) => burst[i] === id);
      // Exactly one 202 per provider event id; every answer names the stored row.
      expect(mine.filter((a) => a.status === 202 && !a.duplicate)).toHaveLength(1);
      expect(mine.filter((a) => a.status === 200 && a.duplicate)).toHaveLength(mine.length - 1);
      for (const answer of mine) expect(answer.id).toBe(rowIdOf.get(id));
    }
    // Rows that one INSERT stored share its transaction. On PostgreSQL the
    // burst arrives while a batch is on the wire; embedded PGlite runs each
    // statement on this thread, so there a burst rarely overlaps a batch.
    const transactions = new Set(rows.map((r) => r.tx)).size;
    if (database.schema !== null) expect(transactions).toBeLessThan(ids.length);
    else expect(transactions).toBeLessThanOrEqual(ids.length);

    const again = await Promise.all(ids.slice(0, 6).map((id) => send(id)));
    for (const [i, answer] of again.entries()) {
      expect(answer).toMatchObject({
        status: 200,
        id: rowIdOf.get(ids[i] as string),
        duplicate: true,
      });
    }
  });

  test('each row of a shared INSERT holds its own webhook: body sealed for its row, type, arrival', async () => {
    // Half the burst carries no event type: those rows store a null type.
    const sent = Array.from({ length: 16 }, (_, i) => ({
      id: `msg_rows_${i}`,
      payload:
        i % 2 === 0
          ? { type: `visa.step_${i}`, data: { caseId: `case-${i}` } }
          : { data: { caseId: `case-${i}`, note: 'no type' } },
    }));
    const before = new Date();
    const answers = await Promise.all(sent.map((w) => send(w.id, w.payload)));
    expect(answers.map((a) => a.status)).toEqual(sent.map(() => 202));

    const rows = await database.db
      .selectFrom('inbound_webhooks')
      .select(['id', 'provider_event_id', 'event_type', 'raw_body', 'raw_body_kid', 'received_at'])
      .where('provider_event_id', 'like', 'msg_rows_%')
      .execute();
    expect(rows).toHaveLength(sent.length);
    for (const [i, w] of sent.entries()) {
      const row = rows.find((r) => r.provider_event_id === w.id);
      expect(row?.id).toBe(answers[i]?.id);
      if (!row) continue;
      expect(row.event_type).toBe(i % 2 === 0 ? `visa.step_${i}` : null);
      // Sealed for this row: it opens here, to exactly what was sent, and not in clear.
      expect(row.raw_body_kid).not.toBeNull();
      expect(row.raw_body).not.toContain('caseId');
      expect(JSON.parse(openRawBody(database.db, row))).toEqual(w.payload);
      // Its own arrival time (the processor, already running, may have moved the other columns on).
      expect(new Date(row.received_at).getTime()).toBeGreaterThanOrEqual(before.getTime() - 1_000);
      expect(new Date(row.received_at).getTime()).toBeLessThanOrEqual(Date.now());
    }
    // A body sealed for one row does not open as another's.
    const [first, second] = rows as [(typeof rows)[0], (typeof rows)[0]];
    expect(() => openRawBody(database.db, { ...second, raw_body: first.raw_body })).toThrow();
  });
});
