/**
 * The `HealthIdGateway` port: India's ABDM (Ayushman Bharat Digital
 * Mission) seen from a clinic — link a patient's ABHA to their records
 * (care contexts), ask for consent to receive health information, and decide
 * from a consent artefact whether a given use is allowed right now. The
 * gateway answers asynchronously: calls are acknowledged with a request id
 * and outcomes arrive on callbacks, which `parse*` helpers of the adapter
 * turn into the artefacts defined here.
 */
import { z } from 'zod';
import { ReferenceSchema } from './common.ts';

/**
 * A 14-digit ABHA number, with or without the `XX-XXXX-XXXX-XXXX` dashes.
 *
 * @example
 * AbhaNumberSchema.parse('91-1234-5678-9012'); // '91123456789012'
 */
export const AbhaNumberSchema = z
  .string()
  .regex(/^\d{2}-?\d{4}-?\d{4}-?\d{4}$/, '14-digit ABHA number')
  .transform((value) => value.replaceAll('-', ''));

/**
 * An ABHA address such as `ayesha@sbx` (`@abdm` in production).
 *
 * @example
 * AbhaAddressSchema.parse('ayesha@sbx');
 */
export const AbhaAddressSchema = z
  .string()
  .regex(/^[a-zA-Z0-9._]{3,32}@[a-z]{2,10}$/, 'ABHA address');

/**
 * ABDM consent purposes (the gateway's purpose codes).
 *
 * @example
 * ConsentPurposeSchema.parse('CAREMGT');
 */
export const ConsentPurposeSchema = z.enum([
  'CAREMGT',
  'BTG',
  'PUBHLTH',
  'HPAYMT',
  'DSRCH',
  'PATRQT',
]);

/**
 * ABDM health-information types.
 *
 * @example
 * HiTypeSchema.parse('Prescription');
 */
export const HiTypeSchema = z.enum([
  'OPConsultation',
  'Prescription',
  'DischargeSummary',
  'DiagnosticReport',
  'ImmunizationRecord',
  'HealthDocumentRecord',
  'WellnessRecord',
]);

/** @example const purpose: ConsentPurpose = 'CAREMGT'; */
export type ConsentPurpose = z.infer<typeof ConsentPurposeSchema>;
/** @example const type: HiType = 'Prescription'; */
export type HiType = z.infer<typeof HiTypeSchema>;

const Instant = z.iso.datetime({ offset: true, local: true });

/**
 * Link a patient's ABHA to care contexts, with the linking token the
 * patient's authentication produced.
 *
 * @example
 * LinkAbhaInputSchema.parse({ patientRef: 'pat_1', abhaNumber: '91-1234-5678-9012', abhaAddress: 'ayesha@sbx', linkToken: 't', careContexts: ['visit_1'] });
 */
export const LinkAbhaInputSchema = z.strictObject({
  patientRef: ReferenceSchema,
  abhaNumber: AbhaNumberSchema,
  abhaAddress: AbhaAddressSchema,
  linkToken: z.string().min(1).max(4096),
  /** Opaque visit references; the gateway displays them, so never a diagnosis. */
  careContexts: z.array(ReferenceSchema).min(1).max(50),
  /** The kind of record the care contexts hold. Default `OPConsultation`. */
  hiType: HiTypeSchema.default('OPConsultation'),
});

/**
 * A consent request from the clinic (as HIU) to the patient.
 *
 * @example
 * ConsentRequestInputSchema.parse({ patientRef: 'pat_1', abhaAddress: 'ayesha@sbx', purpose: 'CAREMGT', hiTypes: ['Prescription'], from: '2025-01-01T00:00:00Z', to: '2026-12-01T00:00:00Z', expiresAt: '2027-01-01T00:00:00Z' });
 */
export const ConsentRequestInputSchema = z.strictObject({
  patientRef: ReferenceSchema,
  abhaAddress: AbhaAddressSchema,
  purpose: ConsentPurposeSchema,
  hiTypes: z.array(HiTypeSchema).min(1),
  /** The period of records asked for. */
  from: Instant,
  to: Instant,
  /** When the permission to hold the data ends (ABDM `dataEraseAt`). */
  expiresAt: Instant,
});

/** @example const input: LinkAbhaInput = { patientRef: 'pat_1', abhaNumber: '91123456789012', abhaAddress: 'a@sbx', linkToken: 't', careContexts: ['visit_1'] }; */
export type LinkAbhaInput = z.input<typeof LinkAbhaInputSchema>;
/** @example const input: ConsentRequestInput = { patientRef: 'pat_1', abhaAddress: 'a@sbx', purpose: 'CAREMGT', hiTypes: ['Prescription'], from, to, expiresAt }; */
export type ConsentRequestInput = z.input<typeof ConsentRequestInputSchema>;

/**
 * A consent artefact as the clinic holds it.
 *
 * @example
 * const artefact: ConsentArtefact = { id: 'ca_1', consentRequestId: 'cr_1', status: 'GRANTED', purpose: 'CAREMGT', hiTypes: ['Prescription'], from, to, expiresAt, patientAbhaAddress: 'a@sbx' };
 */
export const ConsentArtefactSchema = z.object({
  id: z.string().min(1),
  consentRequestId: z.string().min(1),
  status: z.enum(['GRANTED', 'REVOKED', 'EXPIRED', 'DENIED']),
  purpose: ConsentPurposeSchema,
  hiTypes: z.array(HiTypeSchema),
  from: z.string(),
  to: z.string(),
  expiresAt: z.string(),
  patientAbhaAddress: z.string(),
});

/** @example const status: ConsentArtefact['status'] = 'GRANTED'; */
export type ConsentArtefact = z.infer<typeof ConsentArtefactSchema>;

/**
 * The gateway acknowledged a call; the outcome arrives on a callback
 * carrying the same `requestId`. `manual` when the gateway was unavailable.
 *
 * @example
 * if (ack.status === 'accepted') pending.set(ack.requestId, patientRef);
 */
export type GatewayAck =
  | { status: 'accepted'; requestId: string }
  | { status: 'manual'; manualTaskId: string };

/**
 * The clinic's side of a national health-id gateway.
 *
 * @example
 * const ack = await gateway.requestConsent({ patientRef: 'pat_1', abhaAddress: 'a@sbx', purpose: 'CAREMGT', hiTypes: ['Prescription'], from, to, expiresAt });
 */
export interface HealthIdGateway {
  readonly provider: string;
  linkAbha(input: LinkAbhaInput): Promise<GatewayAck>;
  requestConsent(input: ConsentRequestInput): Promise<GatewayAck>;
  /** Asks for the artefact of a granted consent; it arrives on the fetch callback. */
  fetchArtefact(input: { artefactId: string; patientRef: string }): Promise<GatewayAck>;
}

/**
 * Whether `artefact` allows `purpose` for every one of `hiTypes` at `at`:
 * granted (not revoked, denied or expired), same purpose, every type
 * covered, and `at` before its expiry.
 *
 * @example
 * if (!isConsentActive(artefact, 'CAREMGT', ['Prescription'], new Date())) throw forbidden();
 */
export function isConsentActive(
  artefact: ConsentArtefact,
  purpose: ConsentPurpose,
  hiTypes: readonly HiType[],
  at: Date,
): boolean {
  if (artefact.status !== 'GRANTED' || artefact.purpose !== purpose) return false;
  const expiry = Date.parse(artefact.expiresAt);
  if (Number.isNaN(expiry) || at.getTime() >= expiry) return false;
  return hiTypes.length > 0 && hiTypes.every((type) => artefact.hiTypes.includes(type));
}

/**
 * Applies a later status (a revocation or expiry notice) to an artefact.
 *
 * @example
 * const current = withStatus(artefact, 'REVOKED');
 */
export const withStatus = (
  artefact: ConsentArtefact,
  status: ConsentArtefact['status'],
): ConsentArtefact => ({ ...artefact, status });
