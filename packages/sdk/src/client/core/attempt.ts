/**
 * One HTTP attempt: fetch and read the body under one timer, so a server that
 * sends headers and then stalls the body still times out. Failures come back
 * as a kind (`timeout`, `connection`, `abort`) for the retry loop to judge.
 */

/**
 * A failed attempt with no usable response.
 *
 * @example
 * if (error instanceof AttemptFailure && error.kind === 'timeout') retry();
 */
export class AttemptFailure {
  readonly kind: 'timeout' | 'connection' | 'abort';
  readonly cause: unknown;

  constructor(kind: 'timeout' | 'connection' | 'abort', cause: unknown) {
    this.kind = kind;
    this.cause = cause;
  }
}

/**
 * A response whose body has been read.
 *
 * @example
 * const { response, text }: AttemptResponse = await sendAttempt(fetch, url, init, 30_000, signal);
 */
export interface AttemptResponse {
  response: Response;
  text: string;
}

/**
 * Sends one request and reads its body within `timeoutMs`.
 *
 * @example
 * const { response, text } = await sendAttempt(fetch, url, { method: 'GET' }, 30_000, signal);
 */
export async function sendAttempt(
  fetchImpl: typeof globalThis.fetch,
  url: string,
  init: RequestInit,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<AttemptResponse> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal;
  try {
    const response = await fetchImpl(url, { ...init, signal: combined });
    const text = await response.text();
    return { response, text };
  } catch (cause) {
    if (signal?.aborted) throw new AttemptFailure('abort', signal.reason);
    if (timeout.signal.aborted) throw new AttemptFailure('timeout', cause);
    throw new AttemptFailure('connection', cause);
  } finally {
    clearTimeout(timer);
  }
}
