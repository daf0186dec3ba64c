/**
 * The clinic's side of ABDM for one patient: link their ABHA (the link
 * that puts their FHIR exchange behind consent), ask for a consent, and
 * read which consents they have. Calls go through the `HealthIdGateway`
 * port; when the gateway is down the adapter leaves a manual task on
 * `/ops` and the row says `manual`, so the patient is never stuck.
 */
import { randomBytes } from 'node:crypto';
import {
  AbhaAddressSchema,
  AbhaNumberSchema,
  ConsentPurposeSchema,
  type GatewayAck,
  type HealthIdGateway,
  HiTypeSchema,
  isProviderError,
} from '@clinicbridge/adapters';
import type { Kysely } from 'kysely';
import * as z from 'zod';
import type { DB, Row } from '../db/schema.ts';
import { ApiError } from '../kernel/problem.ts';
import { callForTenant } from '../providers/index.ts';

/**
 * What the feature's operations need.
 *
 * @example
 * const deps: HealthIdDeps = { gateway: providers.healthId, now: () => new Date() };
 */
export interface HealthIdDeps {
  readonly gateway: HealthIdGateway | undefined;
  readonly now: () => Date;
}

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A consent id, `hcn_` and 24 random base-62 characters. */
function consentId(): string {
  const bytes = randomBytes(24);
  let id = 'hcn_';
  for (const byte of bytes) id += ALPHABET[byte % 62];
  return id;
}

const Instant = z.iso.datetime({ offset: true });

/**
 * A consent request as an operator enters it.
 *
 * @example
 * ConsentRequestSchema.parse({ purpose: 'CAREMGT', hiTypes: ['OPConsultation'], from: '2026-01-01T00:00:00Z', to: '2026-12-31T00:00:00Z', expiresAt: '2027-06-30T00:00:00Z' });
 */
export const ConsentRequestSchema = z
  .strictObject({
    purpose: ConsentPurposeSchema,
    hiTypes: z.array(HiTypeSchema).min(1).max(7),
    from: Instant,
    to: Instant,
    expiresAt: Instant,
  })
  .refine((value) => Date.parse(value.from) <= Date.parse(value.to), {
    message: 'from must not be after to',
    path: ['to'],
  });

/**
 * The ABHA of a patient as an operator enters it.
 *
 * @example
 * AbhaLinkSchema.parse({ abhaNumber: '91-1234-5678-9012', abhaAddress: 'ayesha@sbx', linkToken: 'token from the patient’s authentication' });
 */
export const AbhaLinkSchema = z.strictObject({
  abhaNumber: AbhaNumberSchema,
  abhaAddress: AbhaAddressSchema,
  linkToken: z.string().min(1).max(4096),
});

function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ApiError('validation_failed', 'Check the highlighted fields and send the form again.', {
    errors: parsed.error.issues.slice(0, 10).map((issue) => ({
      path: issue.path.join('.') || '(form)',
      message: issue.message,
      code: issue.code,
    })),
  });
}

function gatewayOf(deps: HealthIdDeps): HealthIdGateway {
  if (!deps.gateway)
    throw new ApiError(
      'not_implemented',
      'ABDM is not configured on this server: set the ABDM_* variables (see docs/configuration.md).',
    );
  return deps.gateway;
}

async function requirePatient(db: Kysely<DB>, tenantId: string, patientId: string) {
  const found = await db
    .selectFrom('patients')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', patientId)
    .executeTakeFirst();
  if (!found)
    throw new ApiError('not_found', `No patient ${patientId.slice(0, 80)} in this tenant.`);
}

/** Runs a gateway call for the tenant; a refusal that retrying cannot fix becomes a 422. */
async function callGateway(tenantId: string, call: () => Promise<GatewayAck>): Promise<GatewayAck> {
  try {
    return await callForTenant(tenantId, call);
  } catch (error) {
    if (!isProviderError(error)) throw error;
    throw new ApiError(
      'unprocessable',
      `The ABDM gateway refused the call (${error.code}${error.providerCode ? `, ${error.providerCode}` : ''}); check the ABHA details and try again.`,
    );
  }
}

/**
 * Links a patient's ABHA: the gateway is asked to link the patient's
 * record (one care context, the patient id) and the link is stored at
 * once, so the patient's FHIR exchange is gated from now on. A second link
 * replaces the first.
 *
 * @example
 * const link = await linkAbha(db, deps, { tenantId, patientId, abhaNumber: '91-1234-5678-9012', abhaAddress: 'ayesha@sbx', linkToken });
 */
export async function linkAbha(
  db: Kysely<DB>,
  deps: HealthIdDeps,
  input: { tenantId: string; patientId: string } & Record<string, unknown>,
): Promise<Row<'abha_links'>> {
  const gateway = gatewayOf(deps);
  const { tenantId, patientId, ...fields } = input;
  const abha = parse(AbhaLinkSchema, fields);
  await requirePatient(db, tenantId, patientId);
  const ack = await callGateway(tenantId, () =>
    gateway.linkAbha({ patientRef: patientId, ...abha, careContexts: [patientId] }),
  );
  const now = deps.now();
  const row = {
    tenant_id: tenantId,
    patient_id: patientId,
    abha_number_masked: `XX-XXXX-XXXX-${abha.abhaNumber.slice(-4)}`,
    abha_address: abha.abhaAddress,
    status: ack.status === 'accepted' ? ('requested' as const) : ('manual' as const),
    request_id: ack.status === 'accepted' ? ack.requestId : null,
    manual_task_id: ack.status === 'manual' ? ack.manualTaskId : null,
    created_at: now,
    updated_at: now,
  };
  await db
    .insertInto('abha_links')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'patient_id']).doUpdateSet({
        abha_number_masked: row.abha_number_masked,
        abha_address: row.abha_address,
        status: row.status,
        request_id: row.request_id,
        manual_task_id: row.manual_task_id,
        updated_at: now,
      }),
    )
    .execute();
  return row;
}

/**
 * Asks the patient (through their consent manager) for a consent; the row
 * is `requested` until the gateway's notification grants or denies it, or
 * `manual` when the gateway was unavailable.
 *
 * @example
 * const consent = await requestConsent(db, deps, { tenantId, patientId, purpose: 'CAREMGT', hiTypes: ['OPConsultation'], from, to, expiresAt });
 */
export async function requestConsent(
  db: Kysely<DB>,
  deps: HealthIdDeps,
  input: { tenantId: string; patientId: string } & Record<string, unknown>,
): Promise<Row<'health_consents'>> {
  const gateway = gatewayOf(deps);
  const { tenantId, patientId, ...fields } = input;
  const terms = parse(ConsentRequestSchema, fields);
  const now = deps.now();
  if (Date.parse(terms.expiresAt) <= now.getTime())
    throw new ApiError('validation_failed', 'expiresAt must be in the future.', {
      errors: [{ path: 'expiresAt', message: 'must be in the future', code: 'too_small' }],
    });
  const link = await db
    .selectFrom('abha_links')
    .select('abha_address')
    .where('tenant_id', '=', tenantId)
    .where('patient_id', '=', patientId)
    .executeTakeFirst();
  if (!link)
    throw new ApiError(
      'conflict',
      'The patient has no linked ABHA: link it first, then ask for consent.',
    );
  const ack = await callGateway(tenantId, () =>
    gateway.requestConsent({ patientRef: patientId, abhaAddress: link.abha_address, ...terms }),
  );
  const row = {
    id: consentId(),
    tenant_id: tenantId,
    patient_id: patientId,
    status: ack.status === 'accepted' ? ('requested' as const) : ('manual' as const),
    purpose: terms.purpose,
    hi_types: terms.hiTypes,
    date_from: new Date(terms.from),
    date_to: new Date(terms.to),
    expires_at: new Date(terms.expiresAt),
    request_id: ack.status === 'accepted' ? ack.requestId : null,
    consent_request_id: null,
    artefact_id: null,
    manual_task_id: ack.status === 'manual' ? ack.manualTaskId : null,
    created_at: now,
    updated_at: now,
  };
  await db
    .insertInto('health_consents')
    .values({ ...row, hi_types: JSON.stringify(row.hi_types) })
    .execute();
  return row;
}

/**
 * The patient's link and latest consents (at most 50), for the operator page.
 *
 * @example
 * const { link, consents } = await patientHealthId(db, tenantId, patientId);
 */
export async function patientHealthId(db: Kysely<DB>, tenantId: string, patientId: string) {
  const link = await db
    .selectFrom('abha_links')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('patient_id', '=', patientId)
    .executeTakeFirst();
  const consents = await db
    .selectFrom('health_consents')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('patient_id', '=', patientId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(50)
    .execute();
  return { link, consents };
}
