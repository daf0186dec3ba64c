/**
 * The HTTP hot path of webhook delivery: one POST per attempt dispatched
 * on undici's keep-alive agent with a handler of its own (`request` would add
 * a response stream, an AbortSignal and a promise wrapper per attempt; it is
 * about 4× the throughput of `fetch` on this hardware). Every attempt is
 * bounded in time and in what it keeps: redirects are not followed, only the
 * first 4 KiB of the response body is read, and the SSRF guard vets the
 * target before and while connecting.
 */
import { performance } from 'node:perf_hooks';
import { Agent, buildConnector, type Dispatcher } from 'undici';
import { isTargetRefusedError, type TargetGuard } from './ssrf.ts';

/**
 * Bytes of a response body kept for the attempt record.
 *
 * @example
 * result.snippet && Buffer.byteLength(result.snippet) <= RESPONSE_SNIPPET_BYTES + 3; // true
 */
export const RESPONSE_SNIPPET_BYTES = 4096;

/**
 * One outbound attempt.
 *
 * @example
 * await sender.send({ url: 'https://partner.example/hooks', body, headers: signDelivery(input) });
 */
export interface SendInput {
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * What an attempt produced; never throws for a partner's failure.
 *
 * @example
 * const { ok, status, gone } = await sender.send(input);
 */
export interface SendResult {
  /** True for a 2xx answer. */
  readonly ok: boolean;
  /** HTTP status, or null when no response arrived (timeout, refused, DNS). */
  readonly status: number | null;
  readonly latencyMs: number;
  /** Why the attempt failed, in words safe to show to the tenant; null on success. */
  readonly error: string | null;
  /** The first 4 KiB of the response body, decoded as UTF-8; null when none. */
  readonly snippet: string | null;
  /** The receiver answered 410 Gone: the endpoint should be disabled. */
  readonly gone: boolean;
}

/**
 * Options of {@link createSender}.
 *
 * @example
 * createSender({ guard, timeoutMs: 15_000, connectionsPerOrigin: 5 });
 */
export interface SenderOptions {
  readonly guard: TargetGuard;
  /** Per-attempt limit covering connect, headers and the snippet read; default 15 s. */
  readonly timeoutMs?: number;
  /** Sockets kept open per origin; default 50. */
  readonly connectionsPerOrigin?: number;
  /** Monotonic clock in ms (injectable for tests). */
  readonly now?: () => number;
  /** `user-agent` sent with every delivery. */
  readonly userAgent?: string;
}

/**
 * Sends webhook attempts; `close` releases its sockets.
 *
 * @example
 * const sender: Sender = createSender({ guard }); await sender.close();
 */
export interface Sender {
  send(input: SendInput): Promise<SendResult>;
  close(): Promise<void>;
}

/** URLs whose verdict a sender keeps at most (see `vetted` in {@link createSender}). */
const VETTED_URLS = 1_000;

const snippetDecoder = new TextDecoder('utf-8', { fatal: false });

/** Where a URL's requests go: undici's dispatch takes origin and path apart. */
interface Target {
  readonly origin: string;
  readonly path: string;
}

/** What one exchange produced: the status and the first bytes of the body. */
interface Answer {
  readonly status: number;
  readonly snippet: string | null;
}

/** Aborts an exchange whose snippet is complete; never reported. */
const SNIPPET_COMPLETE = new Error('response snippet complete');

/**
 * One POST through the agent's dispatcher, with a handler that keeps the
 * first {@link RESPONSE_SNIPPET_BYTES} of the body and drops the socket
 * past them. No response stream, promise wrapper or AbortSignal per
 * attempt, as `request` would make: `abort` stops the exchange from outside
 * (the timeout) and is a no-op once it settled.
 */
function exchange(
  agent: Agent,
  target: Target,
  body: string,
  headers: Record<string, string>,
): { answer: Promise<Answer>; abort: (reason: Error) => void } {
  let controller: Dispatcher.DispatchController | undefined;
  let stopped: Error | undefined;
  let settle: { resolve: (answer: Answer) => void; reject: (error: unknown) => void } | undefined;
  const answer = new Promise<Answer>((resolve, reject) => {
    settle = { resolve, reject };
  });
  let status = 0;
  const chunks: Buffer[] = [];
  let kept = 0;
  const finish = () => {
    settle?.resolve({
      status,
      snippet: kept === 0 ? null : snippetDecoder.decode(Buffer.concat(chunks, kept)),
    });
    settle = undefined;
  };
  const fail = (error: unknown) => {
    settle?.reject(error);
    settle = undefined;
  };
  agent.dispatch(
    { origin: target.origin, path: target.path, method: 'POST', body, headers },
    {
      onRequestStart(started) {
        controller = started;
        if (stopped) started.abort(stopped);
      },
      onResponseStart(_controller, statusCode) {
        status = statusCode;
      },
      onResponseData(current, chunk) {
        if (settle === undefined) return;
        const room = RESPONSE_SNIPPET_BYTES - kept;
        chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
        kept += Math.min(chunk.length, room);
        if (kept >= RESPONSE_SNIPPET_BYTES) {
          // Stop reading a large body: the socket is dropped rather than drained.
          finish();
          current.abort(SNIPPET_COMPLETE);
        }
      },
      onResponseEnd() {
        finish();
      },
      onResponseError(_controller, error) {
        fail(error);
      },
    },
  );
  return {
    answer,
    abort(reason) {
      stopped = reason;
      fail(reason);
      controller?.abort(reason);
    },
  };
}

function describeFailure(error: unknown, timedOut: boolean, timeoutMs: number): string {
  if (timedOut) return `timed out after ${timeoutMs} ms`;
  if (isTargetRefusedError(error)) return `target refused: ${error.message}`;
  const code = (error as { code?: unknown }).code;
  const causeCode = (error as { cause?: { code?: unknown } }).cause?.code;
  const known =
    typeof code === 'string' ? code : typeof causeCode === 'string' ? causeCode : undefined;
  switch (known) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection reset by the receiver';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name does not resolve';
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connect timed out';
    default:
      return known ? `network error (${known})` : 'network error';
  }
}

/**
 * A connector whose DNS lookup is vetted by the guard for the port being
 * dialled (allowlist exceptions are per port; Node's lookup never sees the
 * port). One connector per port, built on first use, so TLS sessions are
 * still cached.
 */
function guardedConnector(guard: TargetGuard, timeout: number): buildConnector.connector {
  const connectors = new Map<number, buildConnector.connector>();
  return (connectOptions, callback) => {
    const port = Number(connectOptions.port) || (connectOptions.protocol === 'https:' ? 443 : 80);
    let connector = connectors.get(port);
    if (!connector) {
      connector = buildConnector({ lookup: guard.lookupForPort(port), timeout });
      connectors.set(port, connector);
    }
    connector(connectOptions, callback);
  };
}

/**
 * Creates a sender with its own keep-alive agent.
 *
 * @example
 * const sender = createSender({ guard: createTargetGuard(), timeoutMs: 15_000 });
 * const result = await sender.send({ url, body, headers });
 * if (result.gone) await disableEndpoint(id);
 */
export function createSender(options: SenderOptions): Sender {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const now = options.now ?? (() => performance.now());
  const agent = new Agent({
    connections: options.connectionsPerOrigin ?? 50,
    keepAliveTimeout: 30_000,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connect: guardedConnector(options.guard, Math.min(timeoutMs, 10_000)),
  });
  const userAgent = options.userAgent ?? 'ClinicBridge-Webhooks/1';
  // URLs that passed the guard with a verdict of their own (no DNS answer in
  // it), with their origin and path: checked and parsed once, not per
  // attempt. The addresses are vetted on every connection anyway
  // (`lookupForPort`). Bounded: emptied when full.
  const vetted = new Map<string, Target>();
  const vet = async (url: string): Promise<Target> => {
    const known = vetted.get(url);
    if (known) return known;
    const checked = await options.guard.check(url, { deferResolution: true });
    const target = {
      origin: checked.url.origin,
      path: `${checked.url.pathname}${checked.url.search}`,
    };
    if (checked.resolvedNow) return target;
    if (vetted.size >= VETTED_URLS) vetted.clear();
    vetted.set(url, target);
    return target;
  };

  const send = async (input: SendInput): Promise<SendResult> => {
    const started = now();
    let timedOut = false;
    let attempt: ReturnType<typeof exchange> | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      attempt?.abort(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    try {
      const target = await vet(input.url);
      attempt = exchange(agent, target, input.body, {
        'content-type': 'application/json',
        'user-agent': userAgent,
        ...input.headers,
      });
      if (timedOut) attempt.abort(new Error(`timed out after ${timeoutMs} ms`));
      const { status, snippet } = await attempt.answer;
      const ok = status >= 200 && status < 300;
      let error: string | null = null;
      if (status >= 300 && status < 400) error = `redirect not followed (HTTP ${status})`;
      else if (!ok) error = `HTTP ${status}`;
      return {
        ok,
        status,
        latencyMs: Math.round(now() - started),
        error,
        snippet,
        gone: status === 410,
      };
    } catch (error) {
      return {
        ok: false,
        status: null,
        latencyMs: Math.round(now() - started),
        error: describeFailure(error, timedOut, timeoutMs),
        snippet: null,
        gone: false,
      };
    } finally {
      clearTimeout(timer);
    }
  };

  return { send, close: () => agent.close() };
}
