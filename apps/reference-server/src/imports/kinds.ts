/**
 * What each import kind accepts: its columns, the header aliases that map
 * to them, which are personal (masked in rejects), and how a row of cells
 * becomes the body of the single-record create, validated by the same
 * contract schema as `patients.create` / `appointments.create`.
 */
import {
  appointmentOperations,
  type ImportJob,
  patientOperations,
} from '@clinicbridge/sdk/contract';
import * as z from 'zod/mini';
import {
  capacityColumns,
  capacitySchema,
  pricingColumns,
  pricingSchema,
} from './catalogue-rows.ts';
import {
  leadColumns,
  leadSchema,
  settlementLineColumns,
  settlementLineSchema,
} from './lead-rows.ts';
import type { Column, RowReject } from './row-kind.ts';

export type { RowReject } from './row-kind.ts';

/**
 * An import kind of the contract.
 *
 * @example
 * const kind: ImportKind = 'patients';
 */
export type ImportKind = ImportJob['kind'];

/**
 * An import format of the contract.
 *
 * @example
 * const format: ImportFormat = 'xlsx';
 */
export type ImportFormat = ImportJob['format'];

/**
 * Columns of each kind, canonical name first, then the accepted aliases.
 *
 * @example
 * importColumns.patients.map((c) => c.name); // ['givenName', 'familyName', …]
 */
export const importColumns: Record<ImportKind, readonly Column[]> = {
  patients: [
    {
      name: 'givenName',
      aliases: ['given_name', 'first_name', 'firstname', 'forename'],
      required: true,
      personal: true,
    },
    {
      name: 'familyName',
      aliases: ['family_name', 'last_name', 'lastname', 'surname'],
      required: true,
      personal: true,
    },
    { name: 'birthDate', aliases: ['birth_date', 'date_of_birth', 'dob'], personal: true },
    { name: 'email', aliases: ['email_address', 'e_mail'], personal: true },
    { name: 'phone', aliases: ['phone_number', 'mobile', 'telephone'], personal: true },
    { name: 'externalRef', aliases: ['external_ref', 'external_id', 'mrn'] },
    { name: 'preferredLanguage', aliases: ['preferred_language', 'language'] },
    { name: 'countryCode', aliases: ['country_code', 'country'] },
    { name: 'consentMessaging', aliases: ['consent_messaging'], boolean: true },
    { name: 'consentMarketing', aliases: ['consent_marketing'], boolean: true },
  ],
  appointments: [
    { name: 'patientId', aliases: ['patient_id', 'patient'], required: true },
    { name: 'service', aliases: ['service_name'], required: true },
    { name: 'startsAt', aliases: ['starts_at', 'start', 'start_time'], required: true },
    { name: 'endsAt', aliases: ['ends_at', 'end', 'end_time'], required: true },
    { name: 'clinicianRef', aliases: ['clinician_ref', 'clinician', 'doctor'] },
    { name: 'location', aliases: ['room'] },
    { name: 'notes', aliases: ['note', 'comments'] },
  ],
  pricing: pricingColumns,
  capacity: capacityColumns,
  leads: leadColumns,
  settlement_lines: settlementLineColumns,
};

// Each row is validated by the schema of the create it becomes.
const rowSchemas: Record<ImportKind, z.core.$ZodType> = {
  patients: patientOperations.create.body,
  appointments: appointmentOperations.create.body,
  pricing: pricingSchema,
  capacity: capacitySchema,
  leads: leadSchema,
  settlement_lines: settlementLineSchema,
};

/**
 * Lower case, separators dropped: `First Name`, `first_name` and `firstName` are one key.
 *
 * @example
 * headerKey('First Name') === headerKey('first_name'); // true
 */
export function headerKey(name: string): string {
  return name.toLowerCase().replace(/[\s_\-.]/g, '');
}

/**
 * A header resolved to canonical names: `map` from the file's name to the column.
 * A `mapping` (source header → canonical field, checked by `checkMapping`) is read
 * first; the headers it does not name go through the kind's aliases.
 *
 * @example
 * const { unknown, missing } = resolveHeader('patients', ['First Name', 'surname']);
 * resolveHeader('leads', ['Téléphone'], { Téléphone: 'phone' }).map.get('Téléphone')?.name; // 'phone'
 */
export function resolveHeader(
  kind: ImportKind,
  names: readonly string[],
  mapping?: Readonly<Record<string, string>>,
): { map: Map<string, Column>; unknown: string[]; duplicate: string[]; missing: string[] } {
  const byKey = new Map<string, Column>();
  for (const column of importColumns[kind]) {
    for (const alias of [column.name, ...column.aliases]) byKey.set(headerKey(alias), column);
  }
  for (const [header, field] of Object.entries(mapping ?? {})) {
    const column = importColumns[kind].find((c) => c.name === field);
    if (column) byKey.set(headerKey(header), column);
  }
  const map = new Map<string, Column>();
  const seen = new Set<string>();
  const unknown: string[] = [];
  const duplicate: string[] = [];
  for (const name of names) {
    const column = byKey.get(headerKey(name));
    if (!column) unknown.push(name);
    else if (seen.has(column.name)) duplicate.push(name);
    else {
      seen.add(column.name);
      map.set(name, column);
    }
  }
  const missing = importColumns[kind]
    .filter((c) => c.required && !seen.has(c.name))
    .map((c) => c.name);
  return { map, unknown, duplicate, missing };
}

/**
 * A cell as a reject shows it: personal values keep their first character only.
 *
 * @example
 * maskCell(true, 'Lovelace'); // 'L***'
 */
export function maskCell(personal: boolean | undefined, value: string): string {
  if (!personal || value === '') return value;
  return `${Array.from(value)[0]}***`;
}

const TRUE = new Set(['true', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'no', 'n', '0', '']);

/**
 * Cells (keyed by the file's header) to a validated create body, or the row's rejects.
 *
 * @example
 * const out = rowToInput('patients', resolveHeader('patients', header).map, 2, cells);
 */
export function rowToInput(
  kind: ImportKind,
  header: Map<string, Column>,
  row: number,
  cells: Record<string, string>,
): { ok: true; input: Record<string, unknown> } | { ok: false; rejects: RowReject[] } {
  const body: Record<string, unknown> = {};
  const source = new Map<string, { column: Column; raw: string }>();
  const rejects: RowReject[] = [];
  for (const [name, raw] of Object.entries(cells)) {
    const column = header.get(name);
    if (!column) continue;
    const value = raw.trim();
    source.set(column.name, { column, raw: value });
    if (column.boolean) {
      const lower = value.toLowerCase();
      if (TRUE.has(lower) || FALSE.has(lower)) body[column.name] = TRUE.has(lower);
      else {
        rejects.push({
          row,
          column: column.name,
          value: maskCell(column.personal, value),
          message: 'expected true or false (yes/no, 1/0)',
          code: 'invalid_type',
        });
      }
    } else if (value !== '') body[column.name] = value;
  }
  if (kind === 'patients' && ('consentMessaging' in body || 'consentMarketing' in body)) {
    body.consent = {
      messaging: body.consentMessaging === true,
      marketing: body.consentMarketing === true,
    };
  }
  delete body.consentMessaging;
  delete body.consentMarketing;
  const parsed = z.safeParse(rowSchemas[kind], body);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? '');
      const found = source.get(field);
      const required = importColumns[kind].find((c) => c.name === field);
      const absent = (!found || found.raw === '') && issue.code === 'invalid_type';
      rejects.push({
        row,
        column: field === '' ? null : field,
        value: found ? maskCell(found.column.personal, found.raw) : null,
        message: absent && required ? `${field} is required` : issue.message,
        // zod's `custom` is a cross-field rule (an end before its start).
        code: absent ? 'required' : issue.code === 'custom' ? 'invalid_value' : issue.code,
      });
    }
  }
  return rejects.length > 0
    ? { ok: false, rejects }
    : { ok: true, input: parsed.data as Record<string, unknown> };
}
