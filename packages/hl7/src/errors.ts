/**
 * The errors of `@clinicbridge/hl7`: one base class, `Hl7Error`, with a
 * stable `code`, and one subclass per kind — a message that cannot be read
 * (`Hl7ParseError`), an MLLP stream that breaks its framing or limits
 * (`MllpFrameError`), a message model that cannot be written
 * (`Hl7SerializeError`). Guards match on `name`, so they work across
 * duplicate copies of the package. Messages never quote message content:
 * HL7 carries patient data.
 */
import type { Message } from './message/types.ts';

/**
 * Stable reasons a message could not be read, written or framed.
 *
 * @example
 * const retryable: Hl7ErrorCode[] = ['frame_too_large'];
 */
export type Hl7ErrorCode =
  | 'empty_message'
  | 'missing_msh'
  | 'invalid_delimiters'
  | 'invalid_segment'
  | 'multiple_messages'
  | 'message_too_large'
  | 'too_many_segments'
  | 'too_many_fields'
  | 'too_many_values'
  | 'invalid_model'
  | 'frame_too_large'
  | 'unframed_bytes'
  | 'idle_timeout'
  | 'connection_closed'
  | 'ack_timeout';

/**
 * Base of every error this package throws.
 *
 * @example
 * try { parseMessage(text); } catch (error) { if (isHl7Error(error)) console.warn(error.code); }
 */
export class Hl7Error extends Error {
  override readonly name: string = 'Hl7Error';
  /** Stable reason; safe to log and to return to a sender. */
  readonly code: Hl7ErrorCode;

  constructor(code: Hl7ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/**
 * Where in the text a parse error was found (1-based, like HL7 error locations).
 *
 * @example
 * const at: Hl7Location = { segment: 'PID', segmentIndex: 3, line: 3 };
 */
export interface Hl7Location {
  /** The segment id, when one was read. */
  readonly segment?: string;
  /** 1-based position of the segment in the message. */
  readonly segmentIndex?: number;
  /** 1-based line (segment) number in the text. */
  readonly line?: number;
  /** 1-based field number, when the error is in one field. */
  readonly field?: number;
}

/**
 * Thrown by `parseMessage` (and only this, whatever the input). When the MSH
 * segment was readable, `header` holds a message with that segment alone, so
 * a receiver can still answer with an ACK that echoes MSH-10.
 *
 * @example
 * try { parseMessage(text); } catch (error) {
 *   if (isHl7ParseError(error) && error.header) reply(buildAck(error.header, { outcome: 'error' }));
 * }
 */
export class Hl7ParseError extends Hl7Error {
  override readonly name = 'Hl7ParseError';
  readonly location: Hl7Location;
  /** The message's MSH segment alone, when it could be read. */
  readonly header: Message | undefined;

  constructor(code: Hl7ErrorCode, message: string, location: Hl7Location = {}, header?: Message) {
    super(code, message);
    this.location = location;
    this.header = header;
  }
}

/**
 * Thrown by `serializeMessage` when the model cannot be written as HL7
 * (an invalid segment id, delimiters that clash, an empty field list).
 *
 * @example
 * if (isHl7SerializeError(error)) console.error(error.message);
 */
export class Hl7SerializeError extends Hl7Error {
  override readonly name = 'Hl7SerializeError';
}

/**
 * Thrown (or emitted) by the MLLP decoder, listener and client: a frame over
 * the size limit, an idle connection, a peer that closed early.
 *
 * @example
 * if (isMllpFrameError(error) && error.code === 'frame_too_large') socket.destroy();
 */
export class MllpFrameError extends Hl7Error {
  override readonly name = 'MllpFrameError';
}

const NAMES = new Set(['Hl7Error', 'Hl7ParseError', 'Hl7SerializeError', 'MllpFrameError']);

function named(error: unknown, names: ReadonlySet<string>): boolean {
  return (
    error instanceof Error &&
    names.has(error.name) &&
    typeof (error as { code?: unknown }).code === 'string'
  );
}

/**
 * True for any error of this package.
 *
 * @example
 * if (isHl7Error(error)) log.warn({ code: error.code }, 'hl7 failure');
 */
export function isHl7Error(error: unknown): error is Hl7Error {
  return named(error, NAMES);
}

/**
 * True for a {@link Hl7ParseError}.
 *
 * @example
 * if (isHl7ParseError(error)) console.warn(error.code, error.location.line);
 */
export function isHl7ParseError(error: unknown): error is Hl7ParseError {
  return named(error, new Set(['Hl7ParseError']));
}

/**
 * True for a {@link Hl7SerializeError}.
 *
 * @example
 * if (isHl7SerializeError(error)) console.error('bad model', error.message);
 */
export function isHl7SerializeError(error: unknown): error is Hl7SerializeError {
  return named(error, new Set(['Hl7SerializeError']));
}

/**
 * True for a {@link MllpFrameError}.
 *
 * @example
 * if (isMllpFrameError(error) && error.code === 'idle_timeout') reconnect();
 */
export function isMllpFrameError(error: unknown): error is MllpFrameError {
  return named(error, new Set(['MllpFrameError']));
}
