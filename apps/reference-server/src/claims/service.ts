/**
 * Claims: created `draft` for one of the patient's invoices (the amount is
 * the invoice total, in its currency), with diagnoses and supporting
 * documents; pre-authorise, submit and resubmit are requests queued for the
 * background job (`worker.ts`), which talks to the payer; withdrawal is
 * immediate. Documents are stored once and never returned: a claim lists
 * their kind, title, size and SHA-256.
 */
import { createHash } from 'node:crypto';
import {
  auditActions,
  type Claim,
  type ClaimAction,
  claimActionsFrom,
  MAX_CLAIM_RESUBMISSIONS,
  newId,
} from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type { DB, Row } from '../db/schema.ts';
import { requireInvoice } from '../invoices/service.ts';
import { auditChange, type ChangeContext } from '../kernel/change.ts';
import { byPatientAndStatus, listPage, type PatientListQuery } from '../kernel/list.ts';
import { insertOwned, updateOwned } from '../kernel/owned.ts';
import { ApiError } from '../kernel/problem.ts';
import { recordChange } from '../kernel/record-change.ts';
import { requireOwned } from '../kernel/require-owned.ts';
import type { ClaimDocumentsTable } from './schema.ts';
import { applyTransition, claimEventData } from './transitions.ts';

type DocumentRow = Pick<ClaimDocumentsTable, 'kind' | 'content_type' | 'title' | 'size' | 'sha256'>;

/**
 * A document as a partner sends it.
 *
 * @example
 * const document: DocumentInput = { kind: 'invoice', contentType: 'application/pdf', title: 'inv.pdf', data: 'JVBERi0…' };
 */
export interface DocumentInput {
  kind: ClaimDocumentsTable['kind'];
  contentType: string;
  title: string;
  data: string;
}

/**
 * The public view of a claim row and its documents.
 *
 * @example
 * toClaim(row, documents).status; // 'draft'
 */
export function toClaim(row: Row<'claims'>, documents: readonly DocumentRow[]): Claim {
  const money = (amount: number | null) =>
    amount === null ? null : { amount, currency: row.currency };
  return {
    id: row.id as `clm_${string}`,
    patientId: row.patient_id as `pat_${string}`,
    invoiceId: row.invoice_id as `inv_${string}`,
    payer: { payerRef: row.payer_ref, memberId: row.member_id },
    status: row.status,
    pendingAction: row.pending_action,
    eligibility: row.eligibility,
    diagnoses: row.diagnoses,
    documents: documents.map((d) => ({
      kind: d.kind,
      contentType: d.content_type,
      title: d.title,
      size: d.size,
      sha256: d.sha256,
    })),
    amount: { amount: row.amount, currency: row.currency },
    approvedAmount: money(row.approved_amount),
    paidAmount: money(row.paid_amount),
    reasonCodes: row.reason_codes.map((r) => ({ code: r.code, system: r.system })),
    preauthorizationRef: row.preauthorization_ref,
    remittanceRef: row.remittance_ref,
    resubmissions: row.resubmissions,
    lastError: row.last_error,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/**
 * A claim row of the tenant, or 404.
 *
 * @example
 * const row = await requireClaim(trx, tenantId, 'clm_…', { lock: true });
 */
export function requireClaim(
  db: Kysely<DB>,
  tenantId: string,
  id: string,
  options: { lock?: boolean } = {},
): Promise<Row<'claims'>> {
  return requireOwned(db, 'claims', tenantId, id, options);
}

/**
 * The documents of a claim, with their bytes (for the payer only).
 *
 * @example
 * const documents = await claimDocumentsWithData(db, tenantId, claimId);
 */
export function claimDocumentsWithData(db: Kysely<DB>, tenantId: string, claimId: string) {
  return db
    .selectFrom('claim_documents')
    .select(['kind', 'content_type', 'title', 'data'])
    .where('tenant_id', '=', tenantId)
    .where('claim_id', '=', claimId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

function claimDocuments(db: Kysely<DB>, tenantId: string, claimId: string) {
  return db
    .selectFrom('claim_documents')
    .select(['kind', 'content_type', 'title', 'size', 'sha256'])
    .where('tenant_id', '=', tenantId)
    .where('claim_id', '=', claimId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

async function view(db: Kysely<DB>, row: Row<'claims'>): Promise<Claim> {
  return toClaim(row, await claimDocuments(db, row.tenant_id, row.id));
}

async function storeDocuments(
  db: Kysely<DB>,
  change: ChangeContext,
  claimId: string,
  documents: readonly DocumentInput[],
): Promise<void> {
  if (documents.length === 0) return;
  await db
    .insertInto('claim_documents')
    .values(
      documents.map((document) => {
        const bytes = Buffer.from(document.data, 'base64');
        return {
          id: `cdoc_${newId('clm').slice(4)}`,
          tenant_id: change.tenantId,
          claim_id: claimId,
          kind: document.kind,
          content_type: document.contentType,
          title: document.title,
          data: document.data,
          size: bytes.byteLength,
          sha256: createHash('sha256').update(bytes).digest('hex'),
          created_at: change.now,
        };
      }),
    )
    .execute();
}

/**
 * Creates a draft claim for an invoice of the tenant.
 *
 * @example
 * await createClaim(trx, change, { invoiceId: 'inv_…', payer: { payerRef: 'star', memberId: 'M-1' } });
 */
export async function createClaim(
  db: Kysely<DB>,
  change: ChangeContext,
  input: {
    invoiceId: string;
    payer: { payerRef: string; memberId: string };
    diagnoses?: { system: string; code: string }[] | undefined;
    documents?: DocumentInput[] | undefined;
  },
): Promise<Claim> {
  const invoice = await requireInvoice(db, change.tenantId, input.invoiceId);
  const row: Row<'claims'> = {
    id: newId('clm'),
    tenant_id: change.tenantId,
    patient_id: invoice.patient_id,
    invoice_id: invoice.id,
    payer_ref: input.payer.payerRef,
    member_id: input.payer.memberId,
    status: 'draft',
    pending_action: null,
    eligibility: 'unknown',
    diagnoses: input.diagnoses ?? [],
    currency: invoice.currency,
    amount: invoice.total,
    approved_amount: null,
    paid_amount: null,
    reason_codes: [],
    preauthorization_ref: null,
    provider_claim_id: null,
    provider_version: null,
    remittance_ref: null,
    resubmissions: 0,
    last_error: null,
    next_check_at: null,
    attempts: 0,
    created_at: change.now,
    updated_at: change.now,
  };
  await insertOwned(db, 'claims', {
    ...row,
    diagnoses: JSON.stringify(row.diagnoses),
    reason_codes: JSON.stringify(row.reason_codes),
  });
  await storeDocuments(db, change, row.id, input.documents ?? []);
  await recordChange(db, change, {
    action: auditActions['claims.create'],
    entityType: 'claim',
    entityId: row.id,
    event: { type: 'claim.created', data: claimEventData(row) },
  });
  return view(db, row);
}

/**
 * Queues a request for the payer: 409 while another is pending, from a
 * status the request cannot start from, or past the resubmission limit.
 * A resubmission may correct the diagnoses and add documents.
 *
 * @example
 * await requestClaimAction(trx, change, 'clm_…', 'submit');
 */
export async function requestClaimAction(
  db: Kysely<DB>,
  change: ChangeContext,
  id: string,
  action: ClaimAction,
  corrections: {
    diagnoses?: { system: string; code: string }[] | undefined;
    documents?: DocumentInput[] | undefined;
  } = {},
): Promise<Claim> {
  const row = await requireClaim(db, change.tenantId, id, { lock: true });
  if (row.pending_action !== null) {
    throw new ApiError(
      'invalid_state_transition',
      `A ${row.pending_action} request for this claim is still in progress; wait for it.`,
    );
  }
  if (!claimActionsFrom[action].includes(row.status)) {
    throw new ApiError(
      'invalid_state_transition',
      `A ${row.status} claim cannot be asked to ${action}.`,
    );
  }
  if (action === 'resubmit' && row.resubmissions >= MAX_CLAIM_RESUBMISSIONS) {
    throw new ApiError(
      'invalid_state_transition',
      `This claim was resubmitted ${MAX_CLAIM_RESUBMISSIONS} times; the payer's last denial stands.`,
    );
  }
  const diagnoses = corrections.diagnoses ?? row.diagnoses;
  await updateOwned(db, 'claims', change.tenantId, id, {
    pending_action: action,
    diagnoses: JSON.stringify(diagnoses),
    next_check_at: change.now,
    attempts: 0,
    last_error: null,
    updated_at: change.now,
  });
  await storeDocuments(db, change, id, corrections.documents ?? []);
  await auditChange(db, change, auditActions[`claims.${action}`], 'claim', id, {
    status: row.status,
  });
  return view(db, {
    ...row,
    pending_action: action,
    diagnoses,
    next_check_at: change.now,
    attempts: 0,
    last_error: null,
    updated_at: change.now,
  });
}

/**
 * Withdraws a claim not with the payer (draft, pre-authorised) or denied.
 *
 * @example
 * await withdrawClaim(trx, change, 'clm_…');
 */
export async function withdrawClaim(
  db: Kysely<DB>,
  change: ChangeContext,
  id: string,
): Promise<Claim> {
  const row = await requireClaim(db, change.tenantId, id, { lock: true });
  if (row.pending_action !== null) {
    throw new ApiError(
      'invalid_state_transition',
      `A ${row.pending_action} request for this claim is in progress; withdraw after it ends.`,
    );
  }
  return view(
    db,
    await applyTransition(db, change, row, 'claim.withdrawn', { next_check_at: null }),
  );
}

/**
 * One claim of the tenant.
 *
 * @example
 * const claim = await getClaim(db, tenantId, 'clm_…');
 */
export async function getClaim(db: Kysely<DB>, tenantId: string, id: string): Promise<Claim> {
  return view(db, await requireClaim(db, tenantId, id));
}

/**
 * Lists claims by patient and status.
 *
 * @example
 * await listClaims(db, tenantId, { status: 'denied' });
 */
export async function listClaims(db: Kysely<DB>, tenantId: string, query: PatientListQuery) {
  const page = await listPage(
    db,
    'claims',
    tenantId,
    query,
    byPatientAndStatus(query),
    (row) => row,
  );
  const documents = page.data.length
    ? await db
        .selectFrom('claim_documents')
        .select(['claim_id', 'kind', 'content_type', 'title', 'size', 'sha256'])
        .where('tenant_id', '=', tenantId)
        .where(
          'claim_id',
          'in',
          page.data.map((r) => r.id),
        )
        .orderBy('created_at')
        .orderBy('id')
        .execute()
    : [];
  return {
    data: page.data.map((row) =>
      toClaim(
        row,
        documents.filter((d) => d.claim_id === row.id),
      ),
    ),
    nextCursor: page.nextCursor,
  };
}
