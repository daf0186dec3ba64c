/**
 * MLLP framing (HL7 v2 over TCP, Minimal Lower Layer Protocol release 2):
 * each message travels as VT (0x0B), the message bytes, FS (0x1C), CR
 * (0x0D). The payload never contains VT or FS: HL7 text has no control
 * characters (the serialiser writes them as `\Xhh\`).
 */

/** Start block, VT. @example bytes[0] === MLLP_START_BLOCK */
export const MLLP_START_BLOCK = 0x0b;
/** End block, FS. @example bytes.at(-2) === MLLP_END_BLOCK */
export const MLLP_END_BLOCK = 0x1c;
/** Carriage return after the end block. @example bytes.at(-1) === MLLP_CARRIAGE_RETURN */
export const MLLP_CARRIAGE_RETURN = 0x0d;

const encoder = new TextEncoder();

/**
 * Wraps one message (text is written as UTF-8) in an MLLP frame.
 *
 * @example
 * socket.write(encodeFrame(serializeMessage(ack)));
 */
export function encodeFrame(message: string | Uint8Array): Uint8Array {
  const payload = typeof message === 'string' ? encoder.encode(message) : message;
  const frame = new Uint8Array(payload.length + 3);
  frame[0] = MLLP_START_BLOCK;
  frame.set(payload, 1);
  frame[payload.length + 1] = MLLP_END_BLOCK;
  frame[payload.length + 2] = MLLP_CARRIAGE_RETURN;
  return frame;
}
