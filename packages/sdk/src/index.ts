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

/**
 * Version of this package.
 *
 * @example
 * console.log(`@clinicbridge/sdk ${VERSION}`);
 */
export const VERSION = '0.1.0';
