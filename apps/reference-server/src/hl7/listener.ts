/**
 * The server's MLLP listener: `@clinicbridge/hl7/node`'s listener with the
 * configured limits and TLS, the receive path (src/hl7/receive.ts) as its
 * handler, unframed bytes kept for operators, and its metrics.
 */
import type { AddressInfo } from 'node:net';
import { createMllpServer, isMllpFrameError } from '@clinicbridge/hl7/node';
import type { AppContext } from '../feature.ts';
import type { Hl7Config } from './config.ts';
import { createFacilityDirectory } from './facilities.ts';
import { createInboxWriter, type InboxWriter } from './inbox.ts';
import { hl7Metrics } from './metrics.ts';
import { createFrameHandler, type ReceiveHooks } from './receive.ts';
import { recordReject } from './rejects.ts';

/**
 * A running listener.
 *
 * @example
 * const listener = await startHl7Listener(context, config);
 * console.log(listener.address.port);
 */
export interface Hl7Listener {
  readonly address: AddressInfo;
  readonly inbox: InboxWriter;
  /** Stops accepting, answers the frames in hand, waits for the inbox. */
  close(): Promise<void>;
}

/**
 * A configuration the listener cannot start with.
 *
 * @example
 * if (error instanceof Hl7ListenerConfigError) console.error(error.message);
 */
export class Hl7ListenerConfigError extends Error {
  override readonly name = 'Hl7ListenerConfigError';
}

/**
 * Starts the listener on `HL7_MLLP_HOST:HL7_MLLP_PORT`.
 *
 * @example
 * const listener = await startHl7Listener(context, readSection(context.config, hl7Config));
 */
export async function startHl7Listener(
  context: AppContext,
  config: Hl7Config,
  hooks: ReceiveHooks = {},
): Promise<Hl7Listener> {
  if ((config.HL7_MLLP_TLS_CERT === undefined) !== (config.HL7_MLLP_TLS_KEY === undefined)) {
    throw new Hl7ListenerConfigError('HL7_MLLP_TLS_CERT and HL7_MLLP_TLS_KEY must be set together');
  }
  let connections = () => 0;
  const metrics = hl7Metrics(context.metrics.registry, () => connections());
  const inbox = createInboxWriter(context.db, {
    maxBatch: config.HL7_INBOX_BATCH_MAX,
    maxInFlight: config.HL7_INBOX_CONCURRENCY,
    onCommit: (stored, size) => {
      metrics.batchSize.observe(size);
      // After the ACKs are written (they are, before an immediate runs): on
      // PGlite the processing shares this thread and would delay them.
      if (stored > 0) setImmediate(context.wake);
    },
  });
  const { logger } = context;
  const server = createMllpServer({
    handler: createFrameHandler({
      db: context.db,
      directory: createFacilityDirectory(context.db),
      inbox,
      metrics,
      logger,
      now: context.now,
      maxFrameBytes: config.HL7_MLLP_MAX_FRAME_BYTES,
      hooks,
    }),
    maxFrameBytes: config.HL7_MLLP_MAX_FRAME_BYTES,
    idleTimeoutMs: config.HL7_MLLP_IDLE_TIMEOUT,
    maxConnections: config.HL7_MLLP_MAX_CONNECTIONS,
    ...(config.HL7_MLLP_TLS_CERT && config.HL7_MLLP_TLS_KEY
      ? {
          tls: {
            cert: config.HL7_MLLP_TLS_CERT,
            key: config.HL7_MLLP_TLS_KEY,
            ...(config.HL7_MLLP_TLS_CA
              ? { ca: config.HL7_MLLP_TLS_CA, requestCert: true, rejectUnauthorized: true }
              : {}),
          },
        }
      : {}),
    onUnframed: (bytes, connection) => {
      metrics.messages.inc({ outcome: 'unframed' });
      const text = Buffer.from(bytes).toString('latin1').replaceAll('\u0000', '\u2400');
      recordReject(context.db, {
        kind: 'unframed',
        reason: 'bytes outside an MLLP frame (VT … FS CR)',
        raw: text,
        byteLength: bytes.length,
        sourceAddress: connection.remoteAddress,
        tenantId: null,
        ackCode: null,
        header: null,
        now: context.now(),
      }).catch((err: unknown) => logger.error({ err }, 'hl7 unframed bytes could not be recorded'));
    },
    onConnectionError: (error, connection) => {
      const code = isMllpFrameError(error) ? error.code : 'handler_failed';
      if (code === 'frame_too_large') metrics.messages.inc({ outcome: 'frame_too_large' });
      logger.warn({ source: connection.remoteAddress, code }, 'hl7 connection closed');
    },
  });
  connections = () => server.connections;
  const address = await server.listen(config.HL7_MLLP_PORT ?? 2575, config.HL7_MLLP_HOST);
  logger.info(
    { port: address.port, host: config.HL7_MLLP_HOST, tls: config.HL7_MLLP_TLS_CERT !== undefined },
    'hl7 mllp listener started',
  );
  return {
    address,
    inbox,
    async close() {
      await server.close();
      await inbox.drain();
    },
  };
}
