/**
 * The visa provider: a visa-processing partner's REST API
 * (`@clinicbridge/adapters/visa`), built when `VISA_API_KEY` is set (or
 * `VISA_API_KEY_FILE`). `VISA_API_URL` points it at the partner's sandbox or
 * a local fake. Without it, the visas feature hands every application to
 * the operators as a manual task.
 */
import type { VisaService } from '@clinicbridge/adapters';
import { createVisaPartnerService } from '@clinicbridge/adapters/visa';
import * as z from 'zod';
import { optionalUrl, optionalValue } from './config-values.ts';
import type { ProviderGroup } from './group.ts';

/**
 * The visa provider's section of the environment.
 *
 * @example
 * visaConfig.parse({ VISA_API_KEY: 'key', VISA_API_URL: 'https://sandbox.visa-partner.example' });
 */
export const visaConfig = z.object({
  /** The partner's API key (bearer). */
  VISA_API_KEY: optionalValue,
  VISA_API_URL: optionalUrl,
  /** The partner's name in metrics, audit rows and manual tasks. */
  VISA_PROVIDER_NAME: z
    .string()
    .regex(/^[a-z0-9-]{1,40}$/, 'lower-case letters, digits and dashes')
    .default('visa-partner'),
});

/**
 * The visa adapter of a process.
 *
 * @example
 * const result = await providers.visas?.submit(application);
 */
export interface VisaProviders {
  readonly visas?: VisaService;
}

/**
 * Builds the visa partner adapter when its key is set.
 *
 * @example
 * const { built, absent } = visaProviders.build(visaConfig.parse(process.env), shared);
 */
export const visaProviders: ProviderGroup<typeof visaConfig, VisaProviders> = {
  config: visaConfig,
  build(config, shared) {
    if (!config.VISA_API_KEY) return { built: {}, absent: ['visa'] };
    return {
      built: {
        visas: createVisaPartnerService({
          metrics: shared.metrics,
          audit: shared.audit,
          sink: shared.manualTasks,
          apiKey: config.VISA_API_KEY,
          provider: config.VISA_PROVIDER_NAME,
          ...(config.VISA_API_URL ? { baseUrl: config.VISA_API_URL } : {}),
        }),
      },
      absent: [],
    };
  },
};
