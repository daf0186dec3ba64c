/**
 * What the listener refused or could not read, kept for operators: bytes
 * that are not HL7, bytes outside any MLLP frame, and messages answered AE
 * or AR with the reason. Nothing is dropped silently. Each distinct content
 * from one address is one row with a count, so a sender resending the same
 * bad message in a loop does not fill the table; the first sighting raises
 * an operator alert.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { raiseAlert } from '../alerts/raise.ts';
import type { DB } from '../db/schema.ts';
import type { Hl7RejectsTable } from './schema.ts';

/**
 * One refusal to keep.
 *
 * @example
 * const reject: NewReject = { kind: 'unparseable', reason: 'line 3 is not a segment', raw, sourceAddress: '10.0.0.5', tenantId: null, ackCode: 'AR', header: null, now: new Date() };
 */
export interface NewReject {
  readonly kind: Hl7RejectsTable['kind'];
  readonly reason: string;
  readonly raw: string;
  readonly byteLength: number;
  readonly sourceAddress: string;
  readonly tenantId: string | null;
  readonly ackCode: string | null;
  readonly header: {
    sendingApplication: string;
    sendingFacility: string;
    controlId: string;
  } | null;
  readonly now: Date;
}

/**
 * Records a refusal (or counts a repeat of one); true when it is new.
 *
 * @example
 * await recordReject(db, { kind: 'rejected', reason: 'unsupported version 2.1', … });
 */
export async function recordReject(db: Kysely<DB>, reject: NewReject): Promise<boolean> {
  const sha = createHash('sha256').update(reject.raw).digest('hex');
  return db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('hl7_rejects')
      .values({
        id: `rej_${randomUUID().replaceAll('-', '')}`,
        tenant_id: reject.tenantId,
        source_address: reject.sourceAddress,
        kind: reject.kind,
        ack_code: reject.ackCode,
        reason: reject.reason.slice(0, 500),
        sending_application: reject.header?.sendingApplication.slice(0, 200) ?? null,
        sending_facility: reject.header?.sendingFacility.slice(0, 200) ?? null,
        control_id: reject.header?.controlId.slice(0, 200) ?? null,
        raw: reject.raw,
        raw_sha256: sha,
        byte_length: reject.byteLength,
        count: 1,
        first_seen_at: reject.now,
        last_seen_at: reject.now,
      })
      .onConflict((oc) =>
        oc.columns(['raw_sha256', 'kind', 'source_address']).doUpdateSet((eb) => ({
          count: eb('hl7_rejects.count', '+', 1),
          last_seen_at: reject.now,
        })),
      )
      .returning(['id', 'count'])
      .executeTakeFirstOrThrow();
    const fresh = inserted.count === 1;
    if (fresh && (reject.kind === 'unparseable' || reject.kind === 'unframed')) {
      await raiseAlert(trx, {
        tenantId: reject.tenantId,
        kind: 'hl7_message_unreadable',
        message: `an HL7 sender at ${reject.sourceAddress} sent bytes that could not be read: ${reject.reason}`,
        details: { hl7RejectId: inserted.id },
        now: reject.now,
      });
    }
    return fresh;
  });
}

/**
 * A refusal as an operator sees it (with a clipped, printable preview of the bytes).
 *
 * @example
 * const [latest]: Hl7RejectSummary[] = await listRejects(db);
 */
export interface Hl7RejectSummary {
  id: string;
  kind: string;
  ackCode: string | null;
  reason: string;
  sender: string | null;
  controlId: string | null;
  sourceAddress: string;
  byteLength: number;
  count: number;
  preview: string;
  lastSeenAt: string;
}

const PREVIEW = 200;

/**
 * A one-line preview of raw bytes that shows their structure without the
 * patient data in them: the MSH line as sent (it names systems, not
 * people), then each segment id with letters as `x` and digits as `9`;
 * segment breaks as `⏎`, control characters as `·`. The bytes themselves
 * are one click away (`/ops/hl7/rejects/:id`).
 *
 * @example
 * previewOf('MSH|^~\\&|A\rPID|1||Ada'); // 'MSH|^~\\&|A⏎PID|9||xxx'
 */
export function previewOf(raw: string): string {
  const lines = raw.slice(0, PREVIEW).split(/\r\n|\r|\n/);
  const shown = lines.map((line, i) => {
    if (i === 0 && line.startsWith('MSH')) return line;
    const id = /^[A-Z][A-Z0-9]{2}/.test(line) ? line.slice(0, 3) : '';
    return id + line.slice(id.length).replace(/\p{L}/gu, 'x').replace(/\p{N}/gu, '9');
  });
  const flat = shown
    .join('⏎')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this replaces.
    .replace(/[\u0000-\u001f\u007f]/g, '·');
  return raw.length > PREVIEW ? `${flat}…` : flat;
}

/**
 * One refusal with its bytes as text, for the operator who opens it.
 *
 * @example
 * const reject = await getReject(db, 'rej_…');
 */
export async function getReject(
  db: Kysely<DB>,
  id: string,
): Promise<(Hl7RejectSummary & { raw: string }) | undefined> {
  const row = await db
    .selectFrom('hl7_rejects')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? { ...summarise(row), raw: row.raw } : undefined;
}

function summarise(r: Selectable<Hl7RejectsTable>): Hl7RejectSummary {
  return {
    id: r.id,
    kind: r.kind,
    ackCode: r.ack_code,
    reason: r.reason,
    sender:
      r.sending_facility === null ? null : `${r.sending_application ?? ''}@${r.sending_facility}`,
    controlId: r.control_id,
    sourceAddress: r.source_address,
    byteLength: r.byte_length,
    count: r.count,
    preview: previewOf(r.raw),
    lastSeenAt: r.last_seen_at.toISOString(),
  };
}

/**
 * Recent refusals, newest first.
 *
 * @example
 * const rejects = await listRejects(db, 50);
 */
export async function listRejects(db: Kysely<DB>, limit = 100): Promise<Hl7RejectSummary[]> {
  const rows = await db
    .selectFrom('hl7_rejects')
    .selectAll()
    .orderBy('last_seen_at', 'desc')
    .limit(Math.min(limit, 1_000))
    .execute();
  return rows.map(summarise);
}
