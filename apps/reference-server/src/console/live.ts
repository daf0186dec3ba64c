/**
 * The live-update feed of the operator pages, `GET /ops/events`
 * (server-sent events). One poller per server reads the change
 * fingerprint while at least one page listens, and announces
 * `event: change` with the changed topics; a comment line every
 * `heartbeatMs` keeps proxies from timing the stream out. The number of
 * streams is bounded, and `close()` ends them all (on shutdown).
 */
import { changedTopics, type Fingerprint, type Topic } from './changes.ts';

/**
 * How the feed behaves.
 *
 * @example
 * const options: LiveOptions = { pollMs: 2_000, heartbeatMs: 15_000, maxConnections: 50 };
 */
export interface LiveOptions {
  /** How often the fingerprint is read while someone listens. */
  readonly pollMs: number;
  /** How often an idle stream gets a comment line. */
  readonly heartbeatMs: number;
  /** Streams open at once; more are refused with 503. */
  readonly maxConnections: number;
}

/**
 * Default feed settings.
 *
 * @example
 * new LiveHub(read, DEFAULT_LIVE, onError);
 */
export const DEFAULT_LIVE: LiveOptions = { pollMs: 2_000, heartbeatMs: 15_000, maxConnections: 50 };

const encoder = new TextEncoder();

interface Listener {
  send(chunk: string): void;
  end(): void;
}

/**
 * The streams of one server and the poller behind them.
 *
 * @example
 * const hub = new LiveHub(() => databaseFingerprint(db), DEFAULT_LIVE, (err) => logger.warn({ err }));
 * const res = hub.open(request.signal); // null when full
 */
export class LiveHub {
  readonly #read: () => Promise<Fingerprint>;
  readonly #options: LiveOptions;
  readonly #onError: (error: unknown) => void;
  readonly #listeners = new Set<Listener>();
  #last: Fingerprint | null = null;
  #poll: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #polling = false;
  #closed = false;

  constructor(
    read: () => Promise<Fingerprint>,
    options: LiveOptions,
    onError: (error: unknown) => void,
  ) {
    this.#read = read;
    this.#options = options;
    this.#onError = onError;
  }

  /** How many streams are open. */
  get size(): number {
    return this.#listeners.size;
  }

  /**
   * A new event stream, or null when the hub is full or closed. It ends
   * when `signal` aborts (the browser went away) or the hub closes.
   */
  open(signal: AbortSignal): ReadableStream<Uint8Array> | null {
    if (this.#closed || this.#listeners.size >= this.#options.maxConnections) return null;
    let listener: Listener | undefined;
    const stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        let ended = false;
        const self: Listener = {
          send: (chunk) => {
            if (ended) return;
            try {
              controller.enqueue(encoder.encode(chunk));
            } catch {
              self.end();
            }
          },
          end: () => {
            if (ended) return;
            ended = true;
            this.#remove(self);
            try {
              controller.close();
            } catch {
              // Already cancelled by the reader.
            }
          },
        };
        listener = self;
        this.#add(self);
        // Tell the browser how soon to reconnect, and that the stream is open.
        self.send('retry: 5000\n: connected\n\n');
        signal.addEventListener('abort', () => self.end(), { once: true });
      },
      cancel: () => listener?.end(),
    });
    return stream;
  }

  /** Ends every stream and stops polling; later `open` calls get null. */
  close(): void {
    this.#closed = true;
    for (const listener of [...this.#listeners]) listener.end();
    this.#stop();
  }

  #add(listener: Listener) {
    this.#listeners.add(listener);
    if (this.#poll) return;
    this.#last = null;
    this.#poll = setInterval(() => void this.#check(), this.#options.pollMs);
    this.#heartbeat = setInterval(
      () => this.#broadcast(': heartbeat\n\n'),
      this.#options.heartbeatMs,
    );
    void this.#check();
  }

  #remove(listener: Listener) {
    this.#listeners.delete(listener);
    if (this.#listeners.size === 0) this.#stop();
  }

  #stop() {
    clearInterval(this.#poll);
    clearInterval(this.#heartbeat);
    this.#poll = undefined;
    this.#heartbeat = undefined;
  }

  #broadcast(chunk: string) {
    for (const listener of [...this.#listeners]) listener.send(chunk);
  }

  /** Announces what changed since the last read (the first read is the baseline). */
  async #check() {
    if (this.#polling) return;
    this.#polling = true;
    try {
      const now = await this.#read();
      const before = this.#last;
      this.#last = now;
      if (before === null || this.#listeners.size === 0) return;
      const topics: Topic[] = changedTopics(before, now);
      if (topics.length > 0) {
        this.#broadcast(`event: change\ndata: ${JSON.stringify({ topics })}\n\n`);
      }
    } catch (error) {
      this.#onError(error);
    } finally {
      this.#polling = false;
    }
  }
}
