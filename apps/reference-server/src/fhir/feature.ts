/**
 * The FHIR feature: the tenant's patients, appointments and encounters as
 * read-only FHIR R4 at `/fhir/R4` (see routes.ts). When the ABDM gateway is
 * configured, the data of patients whose ABHA is linked leaves only under
 * their consent (../health-id/gate.ts; the health-id feature holds the tables).
 */
import type { Feature } from '../feature.ts';
import { patientsWithoutConsent } from '../health-id/gate.ts';
import { mountFhirRoutes } from './routes.ts';
import { fhirSources } from './sources.ts';

/**
 * The FHIR feature (no tables of its own: it reads the resources' tables).
 *
 * @example
 * const features: Feature[] = [...resourceFeatures, fhirFeature];
 */
export const fhirFeature: Feature = {
  name: 'fhir',
  routes: (app, context) =>
    mountFhirRoutes(
      app,
      context,
      fhirSources,
      context.providers.healthId ? patientsWithoutConsent : undefined,
    ),
};
