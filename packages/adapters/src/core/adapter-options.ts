/**
 * Options every adapter accepts on top of its credentials, passed through to
 * {@link createProviderClient}: where the provider lives, how hard to try,
 * where to report.
 */
import type { ProviderClientOptions } from './client.ts';

/**
 * Shared adapter settings.
 *
 * @example
 * const common: AdapterOptions = { policies: { retry: { maxRetries: 2 } }, metrics, logger };
 */
export type AdapterOptions = Partial<
  Pick<
    ProviderClientOptions,
    | 'baseUrl'
    | 'timeoutMs'
    | 'policies'
    | 'idempotencyStore'
    | 'metrics'
    | 'logger'
    | 'audit'
    | 'tracer'
    | 'fetch'
  >
>;

/**
 * Copies the shared settings that are set (keeps `exactOptionalPropertyTypes` happy).
 *
 * @example
 * createProviderClient({ provider: 'x', baseUrl: 'https://x.test', ...pickAdapterOptions(options) });
 */
export function pickAdapterOptions(options: AdapterOptions): AdapterOptions {
  const picked: AdapterOptions = {};
  for (const key of [
    'timeoutMs',
    'policies',
    'idempotencyStore',
    'metrics',
    'logger',
    'audit',
    'tracer',
    'fetch',
  ] as const) {
    if (options[key] !== undefined) Object.assign(picked, { [key]: options[key] });
  }
  return picked;
}

/**
 * Encodes a path segment coming from input, so an id can never change the path.
 *
 * @example
 * `/v1/payment_intents/${segment(paymentId)}`
 */
export const segment = (value: string): string => encodeURIComponent(value);
