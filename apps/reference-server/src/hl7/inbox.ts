/**
 * The durable inbox writer, with group commit. Each accepted message must
 * be committed before its ACK goes out, and one commit per message would
 * cap a listener at the database's commit rate. So a write starts a commit
 * at once when fewer than `maxInFlight` are running, and otherwise queues;
 * each commit that ends takes every queued message in one multi-row INSERT
 * (up to `maxBatch`). One connection writing alone commits each message at
 * once; ten connections share commits, and PostgreSQL flushes the WAL of
 * concurrent commits together. A message
 * already in the inbox under the same (MSH-3, MSH-4, MSH-10) is reported
 * as a duplicate — `ON CONFLICT DO NOTHING` decides, inside the database,
 * so concurrent repeats on several connections or processes agree.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/**
 * One accepted message to store.
 *
 * @example
 * const entry: InboxEntry = { id: newId('hl7'), tenantId, facilityId, sendingApplication: 'ADT1', sendingFacility: 'CITYHOSP', controlId: 'MSG1', messageType: 'ADT', triggerEvent: 'A01', version: '2.5', raw, sourceAddress: '10.0.0.5', receivedAt: new Date() };
 */
export interface InboxEntry {
  readonly id: string;
  readonly tenantId: string;
  readonly facilityId: string;
  readonly sendingApplication: string;
  readonly sendingFacility: string;
  readonly controlId: string;
  readonly messageType: string;
  readonly triggerEvent: string;
  readonly version: string;
  readonly raw: string;
  readonly sourceAddress: string;
  readonly receivedAt: Date;
}

/**
 * The outcome of a write: stored now, or already stored earlier.
 *
 * @example
 * const { duplicate }: InboxWriteResult = await inbox.write(entry);
 */
export interface InboxWriteResult {
  readonly duplicate: boolean;
}

/**
 * A group-committing inbox writer.
 *
 * @example
 * const inbox = createInboxWriter(db, { maxBatch: 200, onCommit: () => wake() });
 * const { duplicate } = await inbox.write(entry);
 */
export interface InboxWriter {
  /** Resolves once the entry is committed (or known to be a repeat); rejects if the commit failed. */
  write(entry: InboxEntry): Promise<InboxWriteResult>;
  /** Waits for the writes in flight. */
  drain(): Promise<void>;
}

interface Pending {
  entry: InboxEntry;
  resolve(result: InboxWriteResult): void;
  reject(error: unknown): void;
}

/**
 * Creates the writer.
 *
 * @example
 * const inbox = createInboxWriter(db, { maxBatch: 200 });
 */
export function createInboxWriter(
  db: Kysely<DB>,
  options: {
    maxBatch?: number;
    /** Commits running at once (default 4): while one waits for its fsync, the next is sent. */
    maxInFlight?: number;
    /** Called after each commit with the number of new messages. */
    onCommit?: (stored: number, batchSize: number) => void;
  } = {},
): InboxWriter {
  const maxBatch = options.maxBatch ?? 200;
  const maxInFlight = options.maxInFlight ?? 4;
  const queue: Pending[] = [];

  const insert = async (batch: readonly Pending[]): Promise<Set<string>> => {
    const rows = await db
      .insertInto('hl7_messages')
      .values(
        batch.map(({ entry }) => ({
          id: entry.id,
          tenant_id: entry.tenantId,
          facility_id: entry.facilityId,
          sending_application: entry.sendingApplication,
          sending_facility: entry.sendingFacility,
          control_id: entry.controlId,
          message_type: entry.messageType,
          trigger_event: entry.triggerEvent,
          version: entry.version,
          raw: entry.raw,
          source_address: entry.sourceAddress,
          status: 'received' as const,
          reason: null,
          attempts: 0,
          received_at: entry.receivedAt,
          processed_at: null,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['sending_application', 'sending_facility', 'control_id']).doNothing(),
      )
      .returning('id')
      .execute();
    return new Set(rows.map((row) => row.id));
  };

  let inFlight = 0;
  let idle: Promise<void> = Promise.resolve();
  let settleIdle: () => void = () => {};
  const commit = async (batch: Pending[]) => {
    try {
      const stored = await insert(batch);
      for (const pending of batch) pending.resolve({ duplicate: !stored.has(pending.entry.id) });
      options.onCommit?.(stored.size, batch.length);
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    }
  };
  // Starts a commit for what is queued while fewer than `maxInFlight` are
  // running; each one ending starts the next with everything queued meanwhile.
  const pump = () => {
    while (queue.length > 0 && inFlight < maxInFlight) {
      if (inFlight === 0) idle = new Promise((resolve) => (settleIdle = resolve));
      inFlight++;
      void commit(queue.splice(0, maxBatch)).finally(() => {
        inFlight--;
        pump();
        if (inFlight === 0) settleIdle();
      });
    }
  };

  return {
    write(entry) {
      return new Promise<InboxWriteResult>((resolve, reject) => {
        queue.push({ entry, resolve, reject });
        pump();
      });
    },
    async drain() {
      while (inFlight > 0) await idle;
    },
  };
}
