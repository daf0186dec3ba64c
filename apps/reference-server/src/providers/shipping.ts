/**
 * The shipping provider: EasyPost (`@clinicbridge/adapters/easypost`),
 * built when `EASYPOST_API_KEY` is set. `EASYPOST_WEBHOOK_SECRET` verifies
 * its tracking webhooks; `EASYPOST_API_URL` points it at a local fake.
 * Without it, the shipping feature hands every dispatch to the operators
 * as a manual task.
 */
import type { Shipping } from '@clinicbridge/adapters';
import { createEasyPostShipping } from '@clinicbridge/adapters/easypost';
import * as z from 'zod';
import { optionalUrl, optionalValue } from './config-values.ts';
import type { ProviderGroup } from './group.ts';

/**
 * The shipping provider's section of the environment.
 *
 * @example
 * shippingProviderConfig.parse({ EASYPOST_API_KEY: 'EZAK…', EASYPOST_WEBHOOK_SECRET: '…' });
 */
export const shippingProviderConfig = z.object({
  EASYPOST_API_KEY: optionalValue,
  EASYPOST_WEBHOOK_SECRET: optionalValue,
  EASYPOST_API_URL: optionalUrl,
});

/**
 * The shipping adapter of a process.
 *
 * @example
 * const quote = await providers.shipping?.rates(request);
 */
export interface ShippingProviders {
  readonly shipping?: Shipping;
}

/**
 * Builds the EasyPost adapter when its key is set.
 *
 * @example
 * const { built } = shippingProviders.build(shippingProviderConfig.parse(process.env), shared);
 */
export const shippingProviders: ProviderGroup<typeof shippingProviderConfig, ShippingProviders> = {
  config: shippingProviderConfig,
  build(config, shared) {
    if (!config.EASYPOST_API_KEY) return { built: {}, absent: ['easypost'] };
    return {
      built: {
        shipping: createEasyPostShipping({
          metrics: shared.metrics,
          audit: shared.audit,
          sink: shared.manualTasks,
          apiKey: config.EASYPOST_API_KEY,
          ...(config.EASYPOST_WEBHOOK_SECRET
            ? { webhookSecret: config.EASYPOST_WEBHOOK_SECRET }
            : {}),
          ...(config.EASYPOST_API_URL ? { baseUrl: config.EASYPOST_API_URL } : {}),
        }),
      },
      absent: [],
    };
  },
};
