/**
 * Table types of the claims feature, added to the server's `DB` by module
 * augmentation (see src/db/schema.ts).
 */
import type { ClaimAction, ClaimStatus } from '@clinicbridge/sdk/contract';
import type { Json } from '../db/schema.ts';

/**
 * A stored reason code of the payer.
 *
 * @example
 * const reason: StoredReason = { code: '197', system: 'https://x12.org/codes/claim-adjustment-reason-codes' };
 */
export interface StoredReason {
  code: string;
  system: string | null;
}

/**
 * A claim: its status, the request pending with the payer, and what the payer said.
 *
 * @example
 * await db.selectFrom('claims').selectAll().where('pending_action', 'is not', null).execute();
 */
export interface ClaimsTable {
  id: string;
  tenant_id: string;
  patient_id: string;
  invoice_id: string;
  payer_ref: string;
  member_id: string;
  status: ClaimStatus;
  pending_action: ClaimAction | null;
  eligibility: 'unknown' | 'eligible' | 'ineligible';
  diagnoses: Json<{ system: string; code: string }[]>;
  currency: string;
  amount: number;
  approved_amount: number | null;
  paid_amount: number | null;
  reason_codes: Json<StoredReason[]>;
  preauthorization_ref: string | null;
  provider_claim_id: string | null;
  provider_version: string | null;
  remittance_ref: string | null;
  resubmissions: number;
  last_error: string | null;
  /** When the background job looks at the claim next (a pending request, or a status poll). */
  next_check_at: Date | null;
  /** Consecutive failed attempts talking to the payer, for the backoff. */
  attempts: number;
  created_at: Date;
  updated_at: Date;
}

/**
 * A supporting document of a claim; the bytes leave only to the payer.
 *
 * @example
 * await db.selectFrom('claim_documents').select(['kind', 'size']).where('claim_id', '=', id).execute();
 */
export interface ClaimDocumentsTable {
  id: string;
  tenant_id: string;
  claim_id: string;
  kind:
    | 'invoice'
    | 'discharge_summary'
    | 'prescription'
    | 'lab_report'
    | 'imaging_report'
    | 'other';
  content_type: string;
  title: string;
  /** The bytes, base64. */
  data: string;
  size: number;
  sha256: string;
  created_at: Date;
}

declare module '../db/schema.ts' {
  interface DB {
    claims: ClaimsTable;
    claim_documents: ClaimDocumentsTable;
  }
}
