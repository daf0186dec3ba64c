/**
 * The health-id feature (ABDM, India): patients' linked ABHAs and their
 * consent artefacts (requested, granted, denied, revoked, expired), the
 * operator pages that link an ABHA and ask for consent (`/ops/health-id`),
 * and the gateway's consent callbacks on `/webhooks/abdm` (../inbound).
 * The rule it serves lives in `/fhir/R4` (gate.ts): a linked patient's data
 * is exchanged only under a granted, unexpired consent. Without the ABDM
 * provider (ABDM_* unset) nothing can be linked, so nobody is gated.
 */
import type { Feature } from '../feature.ts';
import { healthIdMigrations } from './migrations.ts';
import { mountHealthIdOpsRoutes } from './ops.ts';

/**
 * The health-id feature.
 *
 * @example
 * const features: Feature[] = [fhirFeature, healthIdFeature];
 */
export const healthIdFeature: Feature = {
  name: 'health-id',
  tables: ['abha_links', 'health_consents'],
  migrations: healthIdMigrations,
  routes: (app, context) =>
    mountHealthIdOpsRoutes(app, context, () => ({
      gateway: context.providers.healthId,
      now: context.now,
    })),
};
