/** The real clock: `Date.now` and a `setTimeout` sleep that honours an AbortSignal. */
import type { Clock } from './types.ts';

/**
 * The default clock. Tests swap it (or use fake timers, which it follows).
 *
 * @example
 * await systemClock.sleep(100, signal);
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};
