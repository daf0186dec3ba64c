/**
 * What the live-update feed watches: a small fingerprint per topic, read
 * with cheap queries (partial indexes, open rows only), so a poll tells
 * whether anything an operator page shows has changed — whichever process
 * changed it (an API call, the dispatcher, another server).
 */
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';

/**
 * The topics a change is announced under.
 *
 * @example
 * const topic: Topic = 'deliveries';
 */
export type Topic = 'alerts' | 'deliveries' | 'tasks' | 'endpoints' | 'providers';

/**
 * A fingerprint per topic; a topic changed when its string did.
 *
 * @example
 * const before: Fingerprint = { alerts: '2|…' };
 */
export type Fingerprint = Partial<Record<Topic, string>>;

const stamp = (row: Record<string, unknown> | undefined) =>
  Object.values(row ?? {})
    .map((v) => (v instanceof Date ? v.toISOString() : String(v)))
    .join('|');

/**
 * The database topics' fingerprints.
 *
 * @example
 * const now = await databaseFingerprint(db);
 */
export async function databaseFingerprint(db: Kysely<DB>): Promise<Fingerprint> {
  const [alerts, due, dead, tasks, endpoints] = await Promise.all([
    db
      .selectFrom('operator_alerts')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('created_at').as('latest')])
      .where('resolved_at', 'is', null)
      .executeTakeFirst(),
    // Pending and failed deliveries: the partial index `deliveries_due_idx` covers the filter.
    db
      .selectFrom('deliveries')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('updated_at').as('latest')])
      .where(sql<boolean>`status in ('pending', 'failed')`)
      .executeTakeFirst(),
    db
      .selectFrom('deliveries')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('updated_at').as('latest')])
      .where('status', '=', 'dead')
      .executeTakeFirst(),
    db
      .selectFrom('manual_tasks')
      .select((eb) => [
        eb.fn.countAll<number>().as('n'),
        eb.fn.max('created_at').as('latest'),
        eb.fn.max('assigned_at').as('assigned'),
      ])
      .where('done_at', 'is', null)
      .executeTakeFirst(),
    db
      .selectFrom('webhook_endpoints')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('updated_at').as('latest')])
      .executeTakeFirst(),
  ]);
  return {
    alerts: stamp(alerts),
    deliveries: `${stamp(due)}/${stamp(dead)}`,
    tasks: stamp(tasks),
    endpoints: stamp(endpoints),
  };
}

/**
 * The topics whose fingerprint differs.
 *
 * @example
 * changedTopics({ alerts: '1' }, { alerts: '2' }); // ['alerts']
 */
export function changedTopics(before: Fingerprint, after: Fingerprint): Topic[] {
  const topics = new Set([...Object.keys(before), ...Object.keys(after)] as Topic[]);
  return [...topics].filter((t) => before[t] !== after[t]).sort();
}
