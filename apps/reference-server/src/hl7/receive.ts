/**
 * What the listener does with one framed message, in order: read it (bytes
 * that are not HL7 are kept for operators and answered AR, or AE when the
 * header was readable); find its sending facility (MSH-4, MSH-3) and
 * check the connection's address and MSH-11 against it (else AR); check
 * type, version and content (else AR or AE, with ERR segments); then write
 * it to the durable inbox and only then answer AA — or CA in enhanced
 * mode. A repeat (same MSH-3, MSH-4, MSH-10) is answered the same way and
 * never stored twice; a failed write is answered AR so the sender retries.
 * MSH-15 decides whether an accept acknowledgement is sent at all.
 */
import {
  type AckError,
  type AckOutcome,
  buildAck,
  decodeMessageBytes,
  hdKey,
  isHl7ParseError,
  type Message,
  type Msh,
  parseMessage,
  readHeader,
  serializeMessage,
  wantsAcceptAck,
} from '@clinicbridge/hl7';
import type { MllpConnection, MllpHandler } from '@clinicbridge/hl7/node';
import { newId } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Logger } from '../observability/logger.ts';
import { type FacilityDirectory, sourceAllowed } from './facilities.ts';
import type { InboxEntry, InboxWriteResult, InboxWriter } from './inbox.ts';
import type { Hl7Metrics } from './metrics.ts';
import { recordReject } from './rejects.ts';
import type { Hl7RejectsTable } from './schema.ts';
import { checkMessage } from './validate.ts';

/**
 * Test seams of the receive path (the crash test kills the process between
 * the inbox write and the ACK).
 *
 * @example
 * const hooks: ReceiveHooks = { afterInboxWrite: (entry) => console.log(entry.controlId) };
 */
export interface ReceiveHooks {
  /** Called after the inbox write committed, before the ACK is written. */
  readonly afterInboxWrite?: (entry: InboxEntry, result: InboxWriteResult) => void;
}

/**
 * What the frame handler needs.
 *
 * @example
 * const handler = createFrameHandler({ db, directory, inbox, metrics, logger, now: () => new Date(), maxFrameBytes: 1_048_576 });
 */
export interface FrameHandlerDeps {
  readonly db: Kysely<DB>;
  readonly directory: FacilityDirectory;
  readonly inbox: InboxWriter;
  readonly metrics: Hl7Metrics;
  readonly logger: Logger;
  readonly now: () => Date;
  readonly maxFrameBytes: number;
  readonly hooks?: ReceiveHooks;
}

// PostgreSQL text holds no NUL; a rejected payload keeps a visible stand-in.
const storable = (text: string) => text.replaceAll('\u0000', '\u2400');

/**
 * Builds the MLLP handler of the listener.
 *
 * @example
 * createMllpServer({ handler: createFrameHandler(deps), maxFrameBytes });
 */
export function createFrameHandler(deps: FrameHandlerDeps): MllpHandler {
  const { metrics, logger } = deps;

  const reply = (
    message: Message | undefined,
    msh: Msh | undefined,
    outcome: AckOutcome,
    errors: readonly AckError[] = [],
  ): string | null => {
    if (msh && !wantsAcceptAck(msh, outcome)) return null;
    return serializeMessage(
      buildAck(message, {
        outcome,
        errors,
        ...(outcome === 'accept' ? {} : { text: errors[0]?.message ?? '' }),
      }),
    );
  };

  const refuse = async (input: {
    kind: Hl7RejectsTable['kind'];
    reason: string;
    text: string;
    byteLength: number;
    connection: MllpConnection;
    tenantId: string | null;
    message: Message | undefined;
    msh: Msh | undefined;
    outcome: 'error' | 'reject';
    errors: readonly AckError[];
  }): Promise<string | null> => {
    const ack = reply(input.message, input.msh, input.outcome, input.errors);
    try {
      await recordReject(deps.db, {
        kind: input.kind,
        reason: input.reason,
        raw: storable(input.text),
        byteLength: input.byteLength,
        sourceAddress: input.connection.remoteAddress,
        tenantId: input.tenantId,
        ackCode: ack === null ? null : input.outcome === 'error' ? 'AE' : 'AR',
        header: input.msh
          ? {
              sendingApplication: hdKey(input.msh.sendingApplication),
              sendingFacility: hdKey(input.msh.sendingFacility),
              controlId: input.msh.controlId,
            }
          : null,
        now: deps.now(),
      });
    } catch (error) {
      logger.error({ err: error, kind: input.kind }, 'hl7 refusal could not be recorded');
    }
    metrics.messages.inc({ outcome: input.kind });
    logger.warn(
      { source: input.connection.remoteAddress, kind: input.kind, reason: input.reason },
      'hl7 message refused',
    );
    return ack;
  };

  return async (bytes, connection) => {
    const started = performance.now();
    const text = decodeMessageBytes(bytes);
    const base = { text, byteLength: bytes.length, connection, tenantId: null };
    let message: Message;
    try {
      message = parseMessage(text, { maxLength: deps.maxFrameBytes });
    } catch (error) {
      if (!isHl7ParseError(error)) throw error;
      const header = error.header;
      return refuse({
        ...base,
        kind: 'unparseable',
        reason: error.message,
        message: header,
        msh: header ? readHeader(header) : undefined,
        outcome: header ? 'error' : 'reject',
        errors: [
          {
            condition: 100,
            message: error.message,
            ...(error.location.segment ? { location: { segment: error.location.segment } } : {}),
          },
        ],
      });
    }
    const msh = readHeader(message);
    const known = { ...base, message, msh };
    if (text.includes('\u0000')) {
      return refuse({
        ...known,
        kind: 'error',
        reason: 'the message holds a NUL byte',
        outcome: 'error',
        errors: [{ condition: 102, message: 'the message holds a NUL byte' }],
      });
    }
    const sendingApplication = hdKey(msh.sendingApplication);
    const sendingFacility = hdKey(msh.sendingFacility);
    const facility = await deps.directory.find(sendingApplication, sendingFacility);
    if (!facility) {
      const reason = `sending facility "${sendingFacility.slice(0, 60)}" is not registered here`;
      return refuse({
        ...known,
        kind: 'rejected',
        reason,
        outcome: 'reject',
        errors: [{ condition: 207, message: reason }],
      });
    }
    const tenantKnown = { ...known, tenantId: facility.tenantId };
    if (!sourceAllowed(facility, connection.remoteAddress)) {
      const reason = `${sendingFacility.slice(0, 60)} may not send from ${connection.remoteAddress}`;
      return refuse({
        ...tenantKnown,
        kind: 'rejected',
        reason,
        outcome: 'reject',
        errors: [{ condition: 207, message: reason }],
      });
    }
    if (msh.processingId !== facility.processingId) {
      const reason = `processing id ${msh.processingId.slice(0, 3) || '(empty)'} is not accepted from this facility; it sends ${facility.processingId}`;
      return refuse({
        ...tenantKnown,
        kind: 'rejected',
        reason,
        outcome: 'reject',
        errors: [{ condition: 202, location: { segment: 'MSH', field: 11 }, message: reason }],
      });
    }
    const verdict = checkMessage(message, msh);
    if (verdict.outcome !== 'accept') {
      return refuse({
        ...tenantKnown,
        kind: verdict.outcome === 'error' ? 'error' : 'rejected',
        reason: verdict.reason,
        outcome: verdict.outcome,
        errors: verdict.errors,
      });
    }
    const entry: InboxEntry = {
      id: newId('hl7'),
      tenantId: facility.tenantId,
      facilityId: facility.id,
      sendingApplication,
      sendingFacility,
      controlId: msh.controlId,
      messageType: msh.messageType.code,
      triggerEvent: verdict.trigger,
      version: msh.versionId,
      raw: text,
      sourceAddress: connection.remoteAddress,
      receivedAt: deps.now(),
    };
    let result: InboxWriteResult;
    try {
      result = await deps.inbox.write(entry);
    } catch (error) {
      // Nothing was stored: AR tells the sender to send it again later.
      logger.error({ err: error, controlId: msh.controlId }, 'hl7 inbox write failed');
      metrics.messages.inc({ outcome: 'storage_failed' });
      return reply(message, msh, 'reject', [
        { condition: 207, message: 'the message could not be stored; send it again later' },
      ]);
    }
    deps.hooks?.afterInboxWrite?.(entry, result);
    metrics.messages.inc({ outcome: result.duplicate ? 'duplicate' : 'accepted' });
    metrics.ackSeconds.observe((performance.now() - started) / 1_000);
    return reply(message, msh, 'accept');
  };
}
