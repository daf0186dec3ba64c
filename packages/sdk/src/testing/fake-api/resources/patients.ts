/**
 * Patients in the fake API. PII (names, birth date, contact) is stored but
 * returned only to callers holding `read:patients:pii`, as the server does.
 */
import {
  hasScope,
  newId,
  type Patient,
  patientOperations,
  patientPiiFields,
} from '../../../contract/index.ts';
import type { Caller } from '../auth.ts';
import { type BoundHandler, defineHandler, type OperationContext } from '../context.ts';
import { filterRows, findOr404 } from '../lookup.ts';
import { paginate } from '../pagination.ts';

/**
 * A patient as `caller` may see it.
 *
 * @example
 * presentPatient(stored, caller);
 */
export function presentPatient(patient: Patient, caller: Caller): Patient {
  if (hasScope(caller.scopes, 'read:patients:pii')) return patient;
  const visible: Record<string, unknown> = { ...patient };
  for (const field of patientPiiFields) delete visible[field];
  return visible as Patient;
}

/**
 * Registers a patient in the tenant; shared with CSV/NDJSON imports.
 *
 * @example
 * createPatient(ctx, { givenName: 'Ada', familyName: 'Yılmaz' });
 */
export function createPatient(
  ctx: Pick<OperationContext<typeof patientOperations.create>, 'tenant' | 'now'>,
  b: OperationContext<typeof patientOperations.create>['body'],
): Patient {
  const patient: Patient = {
    id: newId('pat'),
    externalRef: b.externalRef ?? null,
    preferredLanguage: b.preferredLanguage ?? 'en',
    countryCode: b.countryCode ?? null,
    consent: b.consent ?? { messaging: false, marketing: false },
    createdAt: ctx.now,
    updatedAt: ctx.now,
    givenName: b.givenName,
    familyName: b.familyName,
    birthDate: b.birthDate ?? null,
    email: b.email ?? null,
    phone: b.phone ?? null,
  };
  return ctx.tenant.patients.insert(patient);
}

/**
 * Handlers of the patient operations.
 *
 * @example
 * const byId = new Map(patientHandlers.map((h) => [h.op.id, h]));
 */
export const patientHandlers: BoundHandler[] = [
  defineHandler(patientOperations.create, (ctx) => ({
    body: presentPatient(createPatient(ctx, ctx.body), ctx.caller),
  })),
  defineHandler(patientOperations.get, (ctx) => ({
    body: presentPatient(
      findOr404(ctx.tenant.patients, ctx.params.patientId, 'patient'),
      ctx.caller,
    ),
  })),
  defineHandler(patientOperations.list, (ctx) => {
    const { limit, cursor, externalRef } = ctx.query;
    const page = paginate(
      ctx.op.id,
      filterRows(ctx.tenant.patients, { externalRef }),
      { limit, cursor },
      'asc',
    );
    return { body: { ...page, data: page.data.map((p) => presentPatient(p, ctx.caller)) } };
  }),
  defineHandler(patientOperations.update, (ctx) => {
    const current = findOr404(ctx.tenant.patients, ctx.params.patientId, 'patient');
    const changes = Object.fromEntries(Object.entries(ctx.body).filter(([, v]) => v !== undefined));
    const updated = ctx.tenant.patients.update({ ...current, ...changes, updatedAt: ctx.now });
    return { body: presentPatient(updated, ctx.caller) };
  }),
];
