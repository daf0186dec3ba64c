/**
 * The e-invoicing provider: a Turkish e-Fatura integrator's REST API
 * (`@clinicbridge/adapters/efatura-rest`), built when `EFATURA_API_KEY` is
 * set (or `EFATURA_API_KEY_FILE`). `EFATURA_API_URL` points it at the
 * integrator's test environment or a local fake. Without it, the
 * e-invoicing feature hands every invoice to the operators as a manual task.
 */
import type { EInvoicing } from '@clinicbridge/adapters';
import { createEFaturaRestInvoicing } from '@clinicbridge/adapters/efatura-rest';
import * as z from 'zod';
import { optionalUrl, optionalValue } from './config-values.ts';
import type { ProviderGroup } from './group.ts';

/**
 * The e-invoicing provider's section of the environment.
 *
 * @example
 * eInvoicingConfig.parse({ EFATURA_API_KEY: 'key', EFATURA_API_URL: 'https://test.efatura-integrator.example' });
 */
export const eInvoicingConfig = z.object({
  /** The integrator's API key (bearer). */
  EFATURA_API_KEY: optionalValue,
  EFATURA_API_URL: optionalUrl,
});

/**
 * The e-invoicing adapter of a process.
 *
 * @example
 * const result = await providers.einvoicing?.submit(submission);
 */
export interface EInvoicingProviders {
  readonly einvoicing?: EInvoicing;
}

/**
 * Builds the e-Fatura integrator adapter when its key is set.
 *
 * @example
 * const { built, absent } = eInvoicingProviders.build(eInvoicingConfig.parse(process.env), shared);
 */
export const eInvoicingProviders: ProviderGroup<typeof eInvoicingConfig, EInvoicingProviders> = {
  config: eInvoicingConfig,
  build(config, shared) {
    if (!config.EFATURA_API_KEY) return { built: {}, absent: ['efatura'] };
    return {
      built: {
        einvoicing: createEFaturaRestInvoicing({
          metrics: shared.metrics,
          audit: shared.audit,
          sink: shared.manualTasks,
          apiKey: config.EFATURA_API_KEY,
          ...(config.EFATURA_API_URL ? { baseUrl: config.EFATURA_API_URL } : {}),
        }),
      },
      absent: [],
    };
  },
};
