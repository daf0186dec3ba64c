/**
 * `@clinicbridge/hl7/node`: MLLP over TCP or TLS on Node — a listener
 * (`createMllpServer`) with a frame-size cap, an idle timeout, a bounded
 * per-connection queue and graceful close, and a client (`MllpClient`).
 */
export { isMllpFrameError, MllpFrameError } from '../errors.ts';
export { MllpClient, type MllpClientOptions } from './client.ts';
export {
  createMllpServer,
  type MllpConnection,
  type MllpHandler,
  type MllpServer,
  type MllpServerOptions,
} from './server.ts';
