/**
 * Table types of the health-id feature, added to the server's `DB` by
 * module augmentation (see src/db/schema.ts).
 */
import type { ConsentPurpose, HiType } from '@clinicbridge/adapters';
import type { Json } from '../db/schema.ts';

/**
 * A patient's ABHA as linked by the clinic. Its presence is what gates the
 * patient's FHIR exchange behind a consent (see gate.ts).
 *
 * @example
 * await db.selectFrom('abha_links').select('abha_address').where('patient_id', '=', patientId).executeTakeFirst();
 */
export interface AbhaLinksTable {
  tenant_id: string;
  patient_id: string;
  /** `XX-XXXX-XXXX-1234`: the last four digits only (the whole number goes to the gateway, never stored). */
  abha_number_masked: string;
  abha_address: string;
  /** `requested`: the gateway acknowledged the link; `manual`: an operator completes it. */
  status: 'requested' | 'manual';
  /** The gateway's REQUEST-ID of the link call, or null for a manual link. */
  request_id: string | null;
  manual_task_id: string | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * The lifecycle of a consent: asked (`requested`, or `manual` when the
 * gateway was down), then the patient's answer and what follows it.
 *
 * @example
 * const status: HealthConsentStatus = 'granted';
 */
export type HealthConsentStatus =
  | 'requested'
  | 'manual'
  | 'granted'
  | 'denied'
  | 'revoked'
  | 'expired';

/**
 * One consent request and, once granted, its artefact.
 *
 * @example
 * await db.selectFrom('health_consents').selectAll().where('status', '=', 'granted').execute();
 */
export interface HealthConsentsTable {
  id: string;
  tenant_id: string;
  patient_id: string;
  status: HealthConsentStatus;
  purpose: ConsentPurpose;
  /** JSON array of HI types. */
  hi_types: Json<HiType[]>;
  /** The period of records the consent covers. */
  date_from: Date;
  date_to: Date;
  /** When the permission ends (ABDM `dataEraseAt`). */
  expires_at: Date;
  /** The gateway's REQUEST-ID of the consent request (matches its on-init callback). */
  request_id: string | null;
  /** The gateway's consent request id (from on-init; named by every notification). */
  consent_request_id: string | null;
  artefact_id: string | null;
  manual_task_id: string | null;
  created_at: Date;
  updated_at: Date;
}

declare module '../db/schema.ts' {
  interface DB {
    abha_links: AbhaLinksTable;
    health_consents: HealthConsentsTable;
  }
}
