/**
 * `@clinicbridge/hl7/mllp`: MLLP framing for any runtime — `encodeFrame`
 * and the streaming `MllpDecoder` (split and coalesced frames, a frame-size
 * cap). The Node listener and client are in `@clinicbridge/hl7/node`.
 */
export { isMllpFrameError, MllpFrameError } from '../errors.ts';
export { type MllpChunk, MllpDecoder, type MllpDecoderOptions } from './decoder.ts';
export {
  encodeFrame,
  MLLP_CARRIAGE_RETURN,
  MLLP_END_BLOCK,
  MLLP_START_BLOCK,
} from './frame.ts';
