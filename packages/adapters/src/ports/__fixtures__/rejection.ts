/**
 * The `ProviderError` a call rejected with, for the port conformance suites:
 * a call that succeeds, or fails with anything else, fails the test.
 */
import { isProviderError, type ProviderError } from '../../core/errors.ts';

/**
 * Awaits `promise` and returns the `ProviderError` it rejected with.
 *
 * @example
 * expect((await rejection(gateway.status({ paymentId: 'pay_unknown' }))).code).toBe('not_found');
 */
export const rejection = async (promise: Promise<unknown>): Promise<ProviderError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isProviderError(error)) throw new Error(`expected a ProviderError, got ${String(error)}`);
  return error;
};
