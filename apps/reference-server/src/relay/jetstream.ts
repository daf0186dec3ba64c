/**
 * The NATS JetStream side of the relay: connects, creates the stream (or
 * adds the relay's subjects and duplicate window to an existing one) and
 * publishes with `Nats-Msg-Id`, so a repeat inside the stream's duplicate
 * window is acknowledged as a duplicate and not stored twice.
 */
import {
  JetStreamApiCodes,
  JetStreamApiError,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { connect, headers } from '@nats-io/transport-node';
import type { RelaySink, SinkConnection } from './sink.ts';

/**
 * Where and how the relay publishes.
 *
 * @example
 * const publisher = await connectJetStream({ servers: 'nats://127.0.0.1:4222', stream: 'CLINICBRIDGE_EVENTS', subjectPrefix: 'clinicbridge', duplicateWindowMs: 120_000, timeoutMs: 5_000 });
 */
export interface JetStreamTarget {
  /** Comma-separated server URLs. */
  readonly servers: string;
  readonly stream: string;
  readonly subjectPrefix: string;
  readonly duplicateWindowMs: number;
  /** First token of the analytics subjects (`<prefix>.<category>.<tenantId>.<event type>`); set when analytics copies are on. */
  readonly analyticsSubjectPrefix?: string | undefined;
  /** Bound on connecting and on each publish acknowledgement. */
  readonly timeoutMs: number;
}

/**
 * The JetStream sink of the relay.
 *
 * @example
 * const relay = createRelay({ ...options, sink: jetStreamSink(target) });
 */
export function jetStreamSink(target: JetStreamTarget): RelaySink {
  return {
    name: 'nats',
    label: 'NATS JetStream',
    setting: 'RELAY_NATS_URL',
    connect: () => connectJetStream(target),
  };
}

/**
 * Connects and ensures the stream; throws when the broker does not answer.
 *
 * @example
 * const connection = await connectJetStream(target);
 * await connection.close();
 */
export async function connectJetStream(target: JetStreamTarget): Promise<SinkConnection> {
  // No reconnecting inside the client: a lost connection fails the publish at
  // once, and the relay backs off and connects again itself.
  const nc = await connect({
    servers: target.servers.split(',').map((s) => s.trim()),
    timeout: target.timeoutMs,
    reconnect: false,
    name: 'clinicbridge-relay',
  });
  try {
    await ensureStream(nc, target);
  } catch (error) {
    await nc.close().catch(() => undefined);
    throw error;
  }
  const js = jetstream(nc, { timeout: target.timeoutMs });
  return {
    async publish(message) {
      const analytics = message.analytics;
      let subject = relaySubject(target.subjectPrefix, message.tenantId, message.type);
      let contentHeaders: ReturnType<typeof headers> | undefined;
      if (analytics) {
        if (!target.analyticsSubjectPrefix)
          throw new Error('analytics copies need RELAY_ANALYTICS_SUBJECT_PREFIX');
        subject = analyticsSubject(
          target.analyticsSubjectPrefix,
          analytics.category,
          message.tenantId,
          message.type,
        );
        contentHeaders = headers();
        contentHeaders.set('Content-Type', analytics.contentType);
      }
      const ack = await js.publish(subject, message.body, {
        msgID: message.id,
        timeout: target.timeoutMs,
        ...(contentHeaders ? { headers: contentHeaders } : {}),
      });
      return { duplicate: ack.duplicate };
    },
    close: () => nc.close(),
  };
}

async function ensureStream(
  nc: Parameters<typeof jetstreamManager>[0],
  target: JetStreamTarget,
): Promise<void> {
  const jsm = await jetstreamManager(nc, { timeout: target.timeoutMs });
  const wanted = [`${target.subjectPrefix}.>`];
  if (target.analyticsSubjectPrefix) wanted.push(`${target.analyticsSubjectPrefix}.>`);
  const duplicateWindow = target.duplicateWindowMs * 1_000_000;
  const existing = await jsm.streams.info(target.stream).catch((error: unknown) => {
    if (isStreamNotFound(error)) return undefined;
    throw error;
  });
  if (!existing) {
    await jsm.streams.add({
      name: target.stream,
      subjects: wanted,
      duplicate_window: duplicateWindow,
    });
    return;
  }
  const subjects = existing.config.subjects ?? [];
  const missing = wanted.filter((subject) => !subjects.includes(subject));
  if (missing.length === 0 && existing.config.duplicate_window === duplicateWindow) return;
  await jsm.streams.update(target.stream, {
    subjects: [...subjects, ...missing],
    duplicate_window: duplicateWindow,
  });
}

function isStreamNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound;
}

/**
 * The subject of an event: `<prefix>.<tenantId>.<event type>` (event types
 * are dotted, e.g. `clinicbridge.ten_1.appointment.created`).
 *
 * @example
 * relaySubject('clinicbridge', 'ten_1', 'appointment.created'); // 'clinicbridge.ten_1.appointment.created'
 */
export function relaySubject(prefix: string, tenantId: string, eventType: string): string {
  return `${prefix}.${tenantId}.${eventType}`;
}

/**
 * The subject of an event's analytics copy: `<prefix>.<category>.<tenantId>.<event type>`.
 *
 * @example
 * analyticsSubject('clinicbridge_analytics', 'user_events', 'ten_1', 'appointment.created');
 * // 'clinicbridge_analytics.user_events.ten_1.appointment.created'
 */
export function analyticsSubject(
  prefix: string,
  category: string,
  tenantId: string,
  eventType: string,
): string {
  return `${prefix}.${category}.${tenantId}.${eventType}`;
}
