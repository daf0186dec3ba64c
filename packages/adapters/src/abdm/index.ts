/**
 * @clinicbridge/adapters/abdm — `HealthIdGateway` on the ABDM gateway (v3
 * HIE-CM APIs). A session token from client credentials (`/gateway/v3/sessions`,
 * JSON) is cached by the core's OAuth2 strategy; every call carries
 * `REQUEST-ID` (reused by retries, so the gateway sees one request),
 * `TIMESTAMP` and `X-CM-ID`, and is answered `202 Accepted`; outcomes come
 * back on callbacks read by {@link parseConsentNotification} and
 * {@link parseConsentArtefact}. When the gateway is unavailable a call
 * becomes a manual task.
 */
import { z } from 'zod';
import { type AdapterOptions, pickAdapterOptions } from '../core/adapter-options.ts';
import { createProviderClient } from '../core/client.ts';
import { type ManualTaskSink, withManualFallback } from '../core/manual-tasks.ts';
import { oauth2ClientCredentials } from '../core/oauth2.ts';
import type { TokenCache } from '../core/token-cache.ts';
import { ReferenceSchema } from '../ports/common.ts';
import {
  ConsentRequestInputSchema,
  type GatewayAck,
  type HealthIdGateway,
  LinkAbhaInputSchema,
} from '../ports/health-id.ts';
import { parseInput } from '../ports/validate.ts';
import { mapAbdmError } from './errors.ts';

export {
  AbdmCallbackAuthError,
  type AbdmCallbackAuthReason,
  type AbdmCallbackVerifier,
  type AbdmCallbackVerifierOptions,
  createAbdmCallbackVerifier,
  isAbdmCallbackAuthError,
} from './callback-auth.ts';
export {
  type ConsentNotification,
  parseConsentArtefact,
  parseConsentNotification,
} from './callbacks.ts';
export { mapAbdmError } from './errors.ts';

/**
 * ABDM settings.
 *
 * @example
 * const options: AbdmOptions = { clientId, clientSecret, hiuId: 'clinic-hiu', hipId: 'clinic-hip', requester: { name: 'Dr A', registrationNo: 'MH1234' }, sink };
 */
export interface AbdmOptions extends AdapterOptions {
  clientId: string;
  clientSecret: string;
  /** The clinic's HIU and HIP ids registered with ABDM. */
  hiuId: string;
  hipId: string;
  /** Doctor on whose behalf consent is asked. */
  requester: { name: string; registrationNo: string; system?: string };
  /** Consent manager id: `sbx` (sandbox, default) or `abdm`. */
  cmId?: string;
  sink: ManualTaskSink;
  tokenCache?: TokenCache;
  now?: () => Date;
}

const PURPOSE_TEXT: Record<string, string> = {
  CAREMGT: 'Care Management',
  BTG: 'Break the Glass',
  PUBHLTH: 'Public Health',
  HPAYMT: 'Healthcare Payment',
  DSRCH: 'Disease Specific Healthcare Research',
  PATRQT: 'Self Requested',
};

/**
 * Creates the ABDM gateway adapter.
 *
 * @example
 * const abdm = createAbdmGateway({ clientId, clientSecret, hiuId, hipId, requester, sink });
 * const ack = await abdm.requestConsent({ patientRef: 'pat_1', abhaAddress: 'ayesha@sbx', purpose: 'CAREMGT', hiTypes: ['Prescription'], from, to, expiresAt });
 */
export function createAbdmGateway(options: AbdmOptions): HealthIdGateway {
  const baseUrl = options.baseUrl ?? 'https://dev.abdm.gov.in';
  const cmId = options.cmId ?? 'sbx';
  const now = options.now ?? (() => new Date());
  const client = createProviderClient({
    provider: 'abdm',
    baseUrl,
    auth: oauth2ClientCredentials({
      provider: 'abdm',
      tokenUrl: `${baseUrl}/api/hiecm/gateway/v3/sessions`,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      encoding: 'json',
      cacheKey: `abdm:token:${options.clientId}`,
      ...(options.tokenCache ? { cache: options.tokenCache } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    }),
    idempotencyHeader: 'REQUEST-ID',
    mapError: mapAbdmError,
    headers: { 'X-CM-ID': cmId },
    ...pickAdapterOptions(options),
  });

  function call(
    operation: string,
    path: string,
    json: unknown,
    subjectRef: string,
    summary: string,
    headers: Record<string, string> = {},
  ): Promise<GatewayAck> {
    return withManualFallback(
      {
        sink: options.sink,
        task: { kind: 'health_id', provider: 'abdm', operation, subjectRef, summary },
      },
      async (): Promise<GatewayAck> => {
        const response = await client.send({
          operation,
          method: 'post',
          path,
          json,
          headers: { TIMESTAMP: now().toISOString(), ...headers },
        });
        return { status: 'accepted', requestId: response.idempotencyKey ?? 'unknown' };
      },
      (task) => ({ status: 'manual', manualTaskId: task.id }),
    );
  }

  return {
    provider: 'abdm',
    async linkAbha(raw) {
      const input = parseInput(LinkAbhaInputSchema, raw, 'abdm', 'abha.link');
      return call(
        'abha.link',
        '/api/hiecm/hip/v3/link/carecontext',
        {
          abhaNumber: input.abhaNumber,
          abhaAddress: input.abhaAddress,
          patient: [
            {
              referenceNumber: input.patientRef,
              display: input.patientRef,
              careContexts: input.careContexts.map((ref) => ({
                referenceNumber: ref,
                display: ref,
              })),
              hiType: input.hiType,
              count: input.careContexts.length,
            },
          ],
        },
        input.patientRef,
        'Link the patient’s ABHA to their care contexts in the ABDM portal.',
        { 'X-LINK-TOKEN': input.linkToken, 'X-HIP-ID': options.hipId },
      );
    },
    async requestConsent(raw) {
      const input = parseInput(ConsentRequestInputSchema, raw, 'abdm', 'consent.request');
      return call(
        'consent.request',
        '/api/hiecm/consent/v3/request/init',
        {
          consent: {
            purpose: {
              text: PURPOSE_TEXT[input.purpose],
              code: input.purpose,
              refUri: 'www.abdm.gov.in',
            },
            patient: { id: input.abhaAddress },
            hiu: { id: options.hiuId },
            requester: {
              name: options.requester.name,
              identifier: {
                type: 'REGNO',
                value: options.requester.registrationNo,
                system: options.requester.system ?? 'https://www.mciindia.org',
              },
            },
            hiTypes: input.hiTypes,
            permission: {
              accessMode: 'VIEW',
              dateRange: { from: input.from, to: input.to },
              dataEraseAt: input.expiresAt,
              frequency: { unit: 'HOUR', value: 1, repeats: 0 },
            },
          },
        },
        input.patientRef,
        `Ask the patient for ${input.purpose} consent (${input.hiTypes.join(', ')}) through the ABDM portal.`,
        { 'X-HIU-ID': options.hiuId },
      );
    },
    async fetchArtefact(raw) {
      const input = parseInput(
        z.strictObject({ artefactId: z.string().min(1).max(64), patientRef: ReferenceSchema }),
        raw,
        'abdm',
        'consent.fetch',
      );
      return call(
        'consent.fetch',
        '/api/hiecm/consent/v3/fetch',
        { consentId: input.artefactId },
        input.patientRef,
        'Fetch the granted consent artefact from the ABDM portal.',
        { 'X-HIU-ID': options.hiuId },
      );
    },
  };
}
