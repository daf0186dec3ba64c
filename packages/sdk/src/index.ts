/**
 * `@clinicbridge/sdk`: the typed client for the ClinicBridge API v1. The
 * contract (zod schemas) is at `@clinicbridge/sdk/contract`, MSW testing
 * handlers at `@clinicbridge/sdk/testing`.
 *
 * @example
 * import { ClinicBridge } from '@clinicbridge/sdk';
 * const client = new ClinicBridge({ baseUrl: 'https://api.clinicbridge.example', apiKey: process.env.CLINICBRIDGE_API_KEY! });
 */
export * from './client/index.ts';

export { VERSION } from './version.ts';
