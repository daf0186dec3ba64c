/**
 * Patients, with minimum necessary data: without `read:patients:pii` a
 * patient is an id, a reference and preferences; names and contact details
 * come back only to callers holding the PII scope.
 */
import * as z from 'zod/mini';
import { dateInput, listQuery, page, text, timestamp } from '../common.ts';
import { idSchema } from '../ids.ts';
import { defineOperation } from '../operation.ts';

const languageTag = z
  .string()
  .check(z.regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a BCP 47 language tag'));
const countryCode = z.string().check(z.regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code'));
const phone = z.e164();

/**
 * Consent a patient has given for contact.
 *
 * @example
 * consent.parse({ messaging: true, marketing: false });
 */
export const consent = z.object({ messaging: z.boolean(), marketing: z.boolean() });

/**
 * A patient. PII fields are present only for callers with `read:patients:pii`.
 *
 * @example
 * const p = patient.parse(await res.json());
 */
export const patient = z.object({
  id: idSchema('pat'),
  externalRef: z.nullable(z.string()),
  preferredLanguage: z.string(),
  countryCode: z.nullable(z.string()),
  consent,
  createdAt: timestamp,
  updatedAt: timestamp,
  givenName: z.optional(z.string()),
  familyName: z.optional(z.string()),
  birthDate: z.optional(z.nullable(z.string())),
  email: z.optional(z.nullable(z.string())),
  phone: z.optional(z.nullable(z.string())),
});

/**
 * The fields only `read:patients:pii` may see.
 *
 * @example
 * const withoutPii = Object.fromEntries(Object.entries(p).filter(([k]) => !patientPiiFields.includes(k as never)));
 */
export const patientPiiFields = ['givenName', 'familyName', 'birthDate', 'email', 'phone'] as const;

const patientFields = {
  givenName: text(100),
  familyName: text(100),
  birthDate: z.optional(dateInput),
  email: z.optional(z.email()),
  phone: z.optional(phone),
  externalRef: z.optional(text(100)),
  preferredLanguage: z.optional(languageTag),
  countryCode: z.optional(countryCode),
  consent: z.optional(z.strictObject({ messaging: z.boolean(), marketing: z.boolean() })),
};

const patientParams = z.strictObject({ patientId: idSchema('pat') });

/**
 * Register a patient (`patients.create`).
 *
 * @example
 * await client.request(patientsCreate, ...args); // same arguments as client.patients.create
 */
export const patientsCreate = defineOperation({
  id: 'patients.create',
  method: 'POST',
  path: '/api/v1/patients',
  summary: 'Register a patient',
  scope: 'write:patients',
  write: true,
  status: 201,
  body: z.strictObject(patientFields),
  response: patient,
});

/**
 * Get a patient (`patients.get`).
 *
 * @example
 * await client.request(patientsGet, ...args); // same arguments as client.patients.get
 */
export const patientsGet = defineOperation({
  id: 'patients.get',
  method: 'GET',
  path: '/api/v1/patients/{patientId}',
  summary: 'Get a patient',
  scope: 'read:patients',
  write: false,
  status: 200,
  params: patientParams,
  response: patient,
});

/**
 * List patients (`patients.list`).
 *
 * @example
 * await client.request(patientsList, ...args); // same arguments as client.patients.list
 */
export const patientsList = defineOperation({
  id: 'patients.list',
  method: 'GET',
  path: '/api/v1/patients',
  summary: 'List patients',
  scope: 'read:patients',
  write: false,
  status: 200,
  paginated: true,
  query: listQuery({ externalRef: z.optional(text(100)) }),
  response: page(patient),
});

/**
 * Update a patient (`patients.update`).
 *
 * @example
 * await client.request(patientsUpdate, ...args); // same arguments as client.patients.update
 */
export const patientsUpdate = defineOperation({
  id: 'patients.update',
  method: 'PATCH',
  path: '/api/v1/patients/{patientId}',
  summary: 'Update a patient',
  scope: 'write:patients',
  write: true,
  status: 200,
  params: patientParams,
  body: z.partial(z.strictObject(patientFields)),
  response: patient,
});

/**
 * Operations on patients.
 *
 * @example
 * patientOperations.update.method; // 'PATCH'
 */
export const patientOperations = {
  create: patientsCreate,
  get: patientsGet,
  list: patientsList,
  update: patientsUpdate,
} as const;
