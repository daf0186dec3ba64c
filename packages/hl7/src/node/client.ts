/**
 * An MLLP client on `node:net` (or `node:tls`): one connection, messages
 * sent one after another, each `send` resolving to the reply frame that
 * answers it (replies are matched in order, as MLLP defines). A reply that
 * does not come within `timeoutMs` fails that send and closes the
 * connection, since later replies could no longer be matched.
 */
import { connect as connectNet, type Socket } from 'node:net';
import { type ConnectionOptions, connect as connectTls } from 'node:tls';
import { isMllpFrameError, MllpFrameError } from '../errors.ts';
import { decodeMessageBytes } from '../message/parse.ts';
import { MllpDecoder } from '../mllp/decoder.ts';
import { encodeFrame } from '../mllp/frame.ts';

/**
 * Options of {@link MllpClient.connect}.
 *
 * @example
 * const options: MllpClientOptions = { host: '127.0.0.1', port: 2575, timeoutMs: 10_000 };
 */
export interface MllpClientOptions {
  readonly host: string;
  readonly port: number;
  /** TLS connection options (`ca`, `servername`, client `cert`/`key`); plain TCP when absent. */
  readonly tls?: ConnectionOptions;
  /** How long to wait for each reply (default 30 s). */
  readonly timeoutMs?: number;
  /** Largest reply accepted, in bytes (default 1 MiB). */
  readonly maxFrameBytes?: number;
}

interface Pending {
  resolve(reply: string): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * A connected MLLP client.
 *
 * @example
 * const client = await MllpClient.connect({ host: '127.0.0.1', port: 2575 });
 * const ack = await client.send(serializeMessage(message));
 * await client.close();
 */
export class MllpClient {
  readonly #socket: Socket;
  readonly #timeoutMs: number;
  readonly #pending: Pending[] = [];
  #closedError: Error | undefined;

  private constructor(socket: Socket, options: MllpClientOptions) {
    this.#socket = socket;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    const decoder = new MllpDecoder(
      options.maxFrameBytes === undefined ? {} : { maxFrameBytes: options.maxFrameBytes },
    );
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      let frames: Uint8Array[];
      try {
        frames = decoder.push(chunk).frames;
      } catch (error) {
        this.#fail(isMllpFrameError(error) ? error : new Error(String(error)));
        return;
      }
      for (const frame of frames) {
        const next = this.#pending.shift();
        if (!next) continue;
        clearTimeout(next.timer);
        next.resolve(decodeMessageBytes(frame));
      }
    });
    const closed = () =>
      this.#fail(new MllpFrameError('connection_closed', 'the MLLP peer closed the connection'));
    socket.on('close', closed);
    socket.on('error', (error) => this.#fail(error));
  }

  /**
   * Opens a connection.
   *
   * @example
   * const client = await MllpClient.connect({ host: 'mllp.example.org', port: 2575, tls: {} });
   */
  static connect(options: MllpClientOptions): Promise<MllpClient> {
    return new Promise((resolve, reject) => {
      const socket = options.tls
        ? connectTls({ host: options.host, port: options.port, ...options.tls })
        : connectNet({ host: options.host, port: options.port });
      const ready = options.tls ? 'secureConnect' : 'connect';
      socket.once(ready, () => {
        socket.off('error', reject);
        resolve(new MllpClient(socket, options));
      });
      socket.once('error', reject);
    });
  }

  /**
   * Sends one message (text goes as UTF-8); resolves to the reply's text.
   *
   * @example
   * const ack = parseMessage(await client.send(text));
   */
  send(message: string | Uint8Array): Promise<string> {
    if (this.#closedError) return Promise.reject(this.#closedError);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#fail(new MllpFrameError('ack_timeout', `no reply within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      this.#pending.push({ resolve, reject, timer });
      this.#socket.write(encodeFrame(message));
    });
  }

  /**
   * Writes raw bytes (already framed, or deliberately broken) without
   * waiting for anything: for tests of a listener's framing.
   *
   * @example
   * client.writeRaw(Uint8Array.of(0x0b, 0x4d)); // half a frame
   */
  writeRaw(bytes: Uint8Array): void {
    this.#socket.write(bytes);
  }

  /** Closes the connection; sends still waiting fail with `connection_closed`. */
  async close(): Promise<void> {
    if (this.#socket.destroyed) return;
    await new Promise<void>((resolve) => {
      // The peer answers our end with its own; a peer that does not is cut off.
      const timer = setTimeout(() => this.#socket.destroy(), 5_000);
      timer.unref();
      this.#socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.#socket.end();
    });
  }

  #fail(error: Error): void {
    this.#closedError ??= error;
    for (const pending of this.#pending.splice(0)) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    if (!this.#socket.destroyed) this.#socket.destroy();
  }
}
