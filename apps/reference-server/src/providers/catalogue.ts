/**
 * The national catalogue source: a USHAŞ / HealthTürkiye-shaped catalogue
 * API (`@clinicbridge/adapters/ushas`), built when `USHAS_API_KEY` is set
 * (or `USHAS_API_KEY_FILE`). `USHAS_API_URL` points it at the source's test
 * environment or a local fake. Without it the catalogue sync does not run.
 */
import type { CatalogueSource } from '@clinicbridge/adapters';
import { createUshasCatalogueSource } from '@clinicbridge/adapters/ushas';
import * as z from 'zod';
import { optionalUrl, optionalValue } from './config-values.ts';
import type { ProviderGroup } from './group.ts';

/**
 * The catalogue source's section of the environment.
 *
 * @example
 * catalogueSourceConfig.parse({ USHAS_API_KEY: 'key', USHAS_API_URL: 'https://test.ushas.example' });
 */
export const catalogueSourceConfig = z.object({
  /** The catalogue API's key (bearer). */
  USHAS_API_KEY: optionalValue,
  USHAS_API_URL: optionalUrl,
});

/**
 * The catalogue source of a process.
 *
 * @example
 * const { version } = await providers.catalogueSource!.version();
 */
export interface CatalogueSourceProviders {
  readonly catalogueSource?: CatalogueSource;
}

/**
 * Builds the USHAŞ catalogue source when its key is set.
 *
 * @example
 * const { built, absent } = catalogueSourceProviders.build(catalogueSourceConfig.parse(process.env), shared);
 */
export const catalogueSourceProviders: ProviderGroup<
  typeof catalogueSourceConfig,
  CatalogueSourceProviders
> = {
  config: catalogueSourceConfig,
  build(config, shared) {
    if (!config.USHAS_API_KEY) return { built: {}, absent: ['ushas'] };
    return {
      built: {
        catalogueSource: createUshasCatalogueSource({
          metrics: shared.metrics,
          audit: shared.audit,
          apiKey: config.USHAS_API_KEY,
          ...(config.USHAS_API_URL ? { baseUrl: config.USHAS_API_URL } : {}),
        }),
      },
      absent: [],
    };
  },
};
