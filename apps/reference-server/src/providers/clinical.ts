/**
 * The clinical providers: a FHIR R4 server (each tenant's client with its
 * own breaker and its token under `fhir:token:{tenant}`), the payer or TPA
 * for insurance claims (its FHIR R4 financial API), and an Orthanc
 * DICOMweb archive. Tokens go to the OAuth2 token cache shared by the
 * process; secrets may come from `<NAME>_FILE`.
 */
import type { ImagingArchive, InsuranceGateway } from '@clinicbridge/adapters';
import { InMemoryTokenCache } from '@clinicbridge/adapters';
import {
  createTenantFhirClients,
  type FhirAuth,
  type TenantFhirClients,
} from '@clinicbridge/adapters/fhir';
import { createFhirInsuranceGateway } from '@clinicbridge/adapters/insurance';
import { createOrthancArchive } from '@clinicbridge/adapters/orthanc';
import * as z from 'zod';
import { optionalUrl, optionalValue } from './config-values.ts';
import type { ProviderGroup } from './group.ts';

/**
 * The clinical providers' section of the environment.
 *
 * @example
 * clinicalConfig.parse({ FHIR_BASE_URL: 'https://hapi.clinic.example/fhir' });
 */
export const clinicalConfig = z.object({
  /** The clinic's FHIR R4 server; without a token URL it is called without credentials. */
  FHIR_BASE_URL: optionalUrl,
  FHIR_TOKEN_URL: optionalUrl,
  FHIR_CLIENT_ID: optionalValue,
  /** Client secret (client credentials); or FHIR_PRIVATE_KEY for SMART backend services. */
  FHIR_CLIENT_SECRET: optionalValue,
  /** PKCS#8 PEM private key for SMART backend services (`private_key_jwt`). */
  FHIR_PRIVATE_KEY: optionalValue,
  FHIR_PRIVATE_KEY_ALG: z.enum(['RS384', 'ES384']).default('RS384'),
  FHIR_KEY_ID: optionalValue,
  FHIR_SCOPE: z.string().default('system/*.rs'),
  /** The payer's (insurer or TPA) FHIR R4 financial API. */
  INSURANCE_FHIR_URL: optionalUrl,
  INSURANCE_TOKEN_URL: optionalUrl,
  INSURANCE_CLIENT_ID: optionalValue,
  INSURANCE_CLIENT_SECRET: optionalValue,
  /** The clinic's provider id at the payer. */
  INSURANCE_PROVIDER_REF: z.string().min(1).max(64).default('clinicbridge'),
  /** Orthanc (DICOMweb): base URL and HTTP Basic credentials. */
  ORTHANC_URL: optionalUrl,
  ORTHANC_USERNAME: optionalValue,
  ORTHANC_PASSWORD: optionalValue,
});

/**
 * The clinical adapters of a process.
 *
 * @example
 * const status = await providers.insurance?.getClaimStatus({ providerClaimId: '17' });
 */
export interface ClinicalProviders {
  /** FHIR clients by tenant (every tenant reaches the configured server). */
  readonly fhir?: TenantFhirClients;
  readonly insurance?: InsuranceGateway;
  /** The DICOM archive: a patient's studies, and anonymised copies only. */
  readonly imaging?: ImagingArchive;
}

type ClinicalConfig = z.infer<typeof clinicalConfig>;

function fhirAuth(config: ClinicalConfig): FhirAuth {
  if (!config.FHIR_TOKEN_URL || !config.FHIR_CLIENT_ID) return { kind: 'none' };
  if (config.FHIR_PRIVATE_KEY) {
    return {
      kind: 'private_key_jwt',
      tokenUrl: config.FHIR_TOKEN_URL,
      clientId: config.FHIR_CLIENT_ID,
      privateKey: config.FHIR_PRIVATE_KEY,
      alg: config.FHIR_PRIVATE_KEY_ALG,
      scope: config.FHIR_SCOPE,
      ...(config.FHIR_KEY_ID ? { kid: config.FHIR_KEY_ID } : {}),
    };
  }
  return {
    kind: 'client_credentials',
    tokenUrl: config.FHIR_TOKEN_URL,
    clientId: config.FHIR_CLIENT_ID,
    clientSecret: config.FHIR_CLIENT_SECRET ?? '',
    scope: config.FHIR_SCOPE,
  };
}

/**
 * Builds the configured clinical adapters.
 *
 * @example
 * const { built, absent } = clinicalProviders.build(clinicalConfig.parse(process.env), shared);
 */
export const clinicalProviders: ProviderGroup<typeof clinicalConfig, ClinicalProviders> = {
  config: clinicalConfig,
  build(config, shared) {
    const hooks = { metrics: shared.metrics, audit: shared.audit };
    const tokenCache = shared.tokenCache ?? new InMemoryTokenCache();
    const absent: string[] = [];
    const baseUrl = config.FHIR_BASE_URL;
    const fhir = baseUrl
      ? createTenantFhirClients({
          ...hooks,
          tokenCache,
          connectionFor: () => ({ baseUrl, auth: fhirAuth(config) }),
        })
      : undefined;
    if (!fhir) absent.push('fhir');
    const insurance = config.INSURANCE_FHIR_URL
      ? createFhirInsuranceGateway({
          ...hooks,
          baseUrl: config.INSURANCE_FHIR_URL,
          providerRef: config.INSURANCE_PROVIDER_REF,
          tokenCache,
          tokenKey: 'insurance:token',
          auth:
            config.INSURANCE_TOKEN_URL && config.INSURANCE_CLIENT_ID
              ? {
                  kind: 'client_credentials',
                  tokenUrl: config.INSURANCE_TOKEN_URL,
                  clientId: config.INSURANCE_CLIENT_ID,
                  clientSecret: config.INSURANCE_CLIENT_SECRET ?? '',
                }
              : { kind: 'none' },
        })
      : undefined;
    if (!insurance) absent.push('insurance');
    const imaging = config.ORTHANC_URL
      ? createOrthancArchive({
          ...hooks,
          baseUrl: config.ORTHANC_URL,
          ...(config.ORTHANC_USERNAME ? { username: config.ORTHANC_USERNAME } : {}),
          ...(config.ORTHANC_PASSWORD ? { password: config.ORTHANC_PASSWORD } : {}),
        })
      : undefined;
    if (!imaging) absent.push('orthanc');
    return {
      built: {
        ...(fhir ? { fhir } : {}),
        ...(insurance ? { insurance } : {}),
        ...(imaging ? { imaging } : {}),
      },
      absent,
    };
  },
};
