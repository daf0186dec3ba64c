/**
 * The national health-id gateway: India's ABDM (`@clinicbridge/adapters/abdm`),
 * built when the clinic's client id and secret, its HIU and HIP ids and the
 * requesting doctor are all set (the secret may come from
 * `ABDM_CLIENT_SECRET_FILE`). `ABDM_API_URL` points it at the sandbox
 * (default), production or a local fake. Without it the health-id feature
 * is off: no ABHA can be linked, so no patient's FHIR exchange is gated.
 */
import type { HealthIdGateway } from '@clinicbridge/adapters';
import { createAbdmGateway } from '@clinicbridge/adapters/abdm';
import * as z from 'zod';
import { optionalUrl, optionalValue } from './config-values.ts';
import type { ProviderGroup } from './group.ts';

/**
 * The ABDM section of the environment.
 *
 * @example
 * abdmConfig.parse({ ABDM_CLIENT_ID: 'SBX_001', ABDM_CLIENT_SECRET: 's', ABDM_HIU_ID: 'clinic-hiu', ABDM_HIP_ID: 'clinic-hip', ABDM_REQUESTER_NAME: 'Dr. Asha Rao', ABDM_REQUESTER_REGISTRATION_NO: 'MH-12345' });
 */
export const abdmConfig = z.object({
  /** Client id and secret of the clinic's ABDM gateway session. */
  ABDM_CLIENT_ID: optionalValue,
  ABDM_CLIENT_SECRET: optionalValue,
  /** The clinic's ids registered with ABDM as health-information user and provider. */
  ABDM_HIU_ID: optionalValue,
  ABDM_HIP_ID: optionalValue,
  /** The doctor on whose behalf consent is asked (name and council registration number). */
  ABDM_REQUESTER_NAME: z.string().min(1).max(200).optional(),
  ABDM_REQUESTER_REGISTRATION_NO: z.string().min(1).max(64).optional(),
  /** Consent manager id: `sbx` (sandbox) or `abdm` (production). */
  ABDM_CM_ID: z
    .string()
    .regex(/^[a-z]{2,10}$/, 'a consent manager id such as sbx or abdm')
    .default('sbx'),
  ABDM_API_URL: optionalUrl,
});

/**
 * The health-id gateway of a process.
 *
 * @example
 * const ack = await providers.healthId?.requestConsent(input);
 */
export interface HealthIdProviders {
  readonly healthId?: HealthIdGateway;
}

/**
 * Builds the ABDM gateway when every required setting is present.
 *
 * @example
 * const { built, absent } = healthIdProviders.build(abdmConfig.parse(process.env), shared);
 */
export const healthIdProviders: ProviderGroup<typeof abdmConfig, HealthIdProviders> = {
  config: abdmConfig,
  build(config, shared) {
    const {
      ABDM_CLIENT_ID: clientId,
      ABDM_CLIENT_SECRET: clientSecret,
      ABDM_HIU_ID: hiuId,
      ABDM_HIP_ID: hipId,
      ABDM_REQUESTER_NAME: name,
      ABDM_REQUESTER_REGISTRATION_NO: registrationNo,
    } = config;
    if (!clientId || !clientSecret || !hiuId || !hipId || !name || !registrationNo)
      return { built: {}, absent: ['abdm'] };
    return {
      built: {
        healthId: createAbdmGateway({
          metrics: shared.metrics,
          audit: shared.audit,
          sink: shared.manualTasks,
          clientId,
          clientSecret,
          hiuId,
          hipId,
          requester: { name, registrationNo },
          cmId: config.ABDM_CM_ID,
          now: shared.now,
          ...(shared.tokenCache ? { tokenCache: shared.tokenCache } : {}),
          ...(config.ABDM_API_URL ? { baseUrl: config.ABDM_API_URL } : {}),
        }),
      },
      absent: [],
    };
  },
};
