/**
 * The resource types served under `/fhir/R4`. Serving another type is its
 * file in `resources/` and one line here.
 */
import { appointmentSource } from './resources/appointment.ts';
import { encounterSource } from './resources/encounter.ts';
import { patientSource } from './resources/patient.ts';
import type { FhirSource } from './source.ts';

/**
 * Every served type.
 *
 * @example
 * fhirSources.map((source) => source.type); // ['Patient', 'Appointment', 'Encounter']
 */
export const fhirSources: readonly FhirSource[] = [
  patientSource as unknown as FhirSource,
  appointmentSource as unknown as FhirSource,
  encounterSource as unknown as FhirSource,
];
