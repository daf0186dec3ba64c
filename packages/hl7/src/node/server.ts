/**
 * An MLLP listener on `node:net` (or `node:tls` when given a certificate).
 * Each connection runs its frames through the handler one at a time, in
 * arrival order, and writes each reply before the next frame is handled —
 * the order HL7 senders rely on. Frames that arrive faster than they are
 * handled wait in a bounded queue (reading pauses when it is full). A frame
 * over `maxFrameBytes` closes the connection before the handler sees any of
 * it; a connection silent for `idleTimeoutMs` is closed; a handler that
 * throws closes its connection (the sender resends, nothing is half-answered).
 */
import {
  type AddressInfo,
  createServer as createNetServer,
  type Server,
  type Socket,
} from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import { isMllpFrameError, MllpFrameError } from '../errors.ts';
import { MllpDecoder } from '../mllp/decoder.ts';
import { encodeFrame } from '../mllp/frame.ts';

/**
 * The peer of one connection, as the handler sees it.
 *
 * @example
 * const allowed = (c: MllpConnection) => c.remoteAddress === '10.0.0.5';
 */
export interface MllpConnection {
  /** Sequence number of the connection within this listener. */
  readonly id: number;
  /** The peer's IP address (IPv4-mapped IPv6 addresses are given as IPv4). */
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** True on a TLS listener. */
  readonly tls: boolean;
}

/**
 * Handles one framed message; resolves to the reply to frame (an ACK), or
 * null to send nothing (enhanced mode with MSH-15 = NE).
 *
 * @example
 * const handler: MllpHandler = async (bytes) => serializeMessage(buildAck(parseMessage(bytes), { outcome: 'accept' }));
 */
export type MllpHandler = (
  message: Uint8Array,
  connection: MllpConnection,
) => Promise<string | Uint8Array | null> | string | Uint8Array | null;

/**
 * Options of {@link createMllpServer}.
 *
 * @example
 * createMllpServer({ handler, maxFrameBytes: 1_048_576, idleTimeoutMs: 300_000 });
 */
export interface MllpServerOptions {
  readonly handler: MllpHandler;
  /** Largest message in bytes (default 1 MiB); a larger frame closes the connection. */
  readonly maxFrameBytes?: number;
  /** Close a connection after this long without traffic (default 5 minutes). */
  readonly idleTimeoutMs?: number;
  /** Most open connections (default 100); more are refused. */
  readonly maxConnections?: number;
  /** Frames received but not yet handled, per connection, before reading pauses (default 32). */
  readonly maxQueuedFrames?: number;
  /** TLS options (`cert`, `key`, optionally `ca` + `requestCert`); plain TCP when absent. */
  readonly tls?: TlsOptions;
  /** Bytes that arrived outside any complete frame (kept by the caller for operators). */
  readonly onUnframed?: (bytes: Uint8Array, connection: MllpConnection) => void;
  /** Why a connection was closed early: frame too large, idle, handler failure. */
  readonly onConnectionError?: (error: Error, connection: MllpConnection) => void;
}

/**
 * A listener made by {@link createMllpServer}.
 *
 * @example
 * const listener = createMllpServer({ handler });
 * const { port } = await listener.listen(2575, '0.0.0.0');
 * await listener.close();
 */
export interface MllpServer {
  readonly server: Server;
  /** Starts listening; resolves to the bound address (port 0 picks a free one). */
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** Open connections. */
  readonly connections: number;
  /**
   * Stops accepting, lets each connection finish the frame in hand (its
   * reply is written), then closes every connection; after `graceMs`
   * (default 5 s) the rest are cut off.
   */
  close(graceMs?: number): Promise<void>;
}

const normaliseAddress = (address: string | undefined) =>
  address?.startsWith('::ffff:') ? address.slice(7) : (address ?? '');

interface Tracked {
  readonly socket: Socket;
  busy: Promise<void> | undefined;
}

/**
 * Creates an MLLP listener.
 *
 * @example
 * const listener = createMllpServer({
 *   handler: (bytes) => serializeMessage(buildAck(parseMessage(bytes), { outcome: 'accept' })),
 * });
 * await listener.listen(0, '127.0.0.1');
 */
export function createMllpServer(options: MllpServerOptions): MllpServer {
  const maxQueued = options.maxQueuedFrames ?? 32;
  const idleTimeoutMs = options.idleTimeoutMs ?? 300_000;
  const open = new Set<Tracked>();
  let nextId = 0;
  let closing = false;

  const onSocket = (socket: Socket) => {
    const connection: MllpConnection = {
      id: ++nextId,
      remoteAddress: normaliseAddress(socket.remoteAddress),
      remotePort: socket.remotePort ?? 0,
      tls: options.tls !== undefined,
    };
    const tracked: Tracked = { socket, busy: undefined };
    open.add(tracked);
    const decoder = new MllpDecoder(
      options.maxFrameBytes === undefined ? {} : { maxFrameBytes: options.maxFrameBytes },
    );
    const queue: Uint8Array[] = [];
    let paused = false;
    const fail = (error: Error) => {
      options.onConnectionError?.(error, connection);
      socket.destroy();
    };

    const drain = async () => {
      // On close, the frame in hand is finished and answered; queued ones are left to be resent.
      while (queue.length > 0 && !socket.destroyed && !closing) {
        const frame = queue.shift()!;
        const reply = await options.handler(frame, connection);
        if (reply !== null && !socket.destroyed) socket.write(encodeFrame(reply));
        if (paused && queue.length < maxQueued / 2 && !closing) {
          paused = false;
          socket.resume();
        }
      }
    };
    const run = () => {
      if (tracked.busy) return;
      tracked.busy = drain()
        .catch((error: unknown) => fail(error instanceof Error ? error : new Error(String(error))))
        .finally(() => {
          tracked.busy = undefined;
          if (queue.length > 0 && !socket.destroyed) run();
        });
    };

    socket.setNoDelay(true);
    socket.setTimeout(idleTimeoutMs, () => {
      // Work in hand is not idleness: the handler may be waiting on storage.
      if (tracked.busy) return;
      fail(new MllpFrameError('idle_timeout', `no traffic for ${idleTimeoutMs} ms`));
    });
    socket.on('data', (chunk: Buffer) => {
      let result: ReturnType<MllpDecoder['push']>;
      try {
        result = decoder.push(chunk);
      } catch (error) {
        fail(isMllpFrameError(error) ? error : new Error(String(error)));
        return;
      }
      for (const bytes of result.unframed) options.onUnframed?.(bytes, connection);
      if (result.frames.length === 0) return;
      queue.push(...result.frames);
      if (queue.length >= maxQueued && !paused) {
        paused = true;
        socket.pause();
      }
      run();
    });
    socket.on('end', () => {
      const rest = decoder.end();
      if (rest) options.onUnframed?.(rest, connection);
      // The peer is done sending: answer what it sent, then close our side.
      const finish = () => socket.end();
      if (tracked.busy) void tracked.busy.then(finish);
      else finish();
    });
    socket.on('error', () => {
      // A reset peer; 'close' follows and cleans up.
    });
    socket.on('close', () => {
      open.delete(tracked);
    });
  };

  const server: Server = options.tls
    ? createTlsServer({ allowHalfOpen: true, ...options.tls }, onSocket)
    : createNetServer({ allowHalfOpen: true }, onSocket);
  server.maxConnections = options.maxConnections ?? 100;

  return {
    server,
    get connections() {
      return open.size;
    },
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    async close(graceMs = 5_000) {
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const { socket } of open) socket.pause();
      const finished = Promise.all(
        [...open].map(async (tracked) => {
          await tracked.busy;
          // end(), not destroy(): the reply just written must reach the peer.
          await new Promise<void>((resolve) => {
            if (tracked.socket.destroyed) return resolve();
            tracked.socket.once('close', () => resolve());
            tracked.socket.end();
          });
        }),
      );
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        finished,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, graceMs);
          timer.unref();
        }),
      ]);
      clearTimeout(timer);
      for (const { socket } of open) socket.destroy();
      await stopped;
    },
  };
}
