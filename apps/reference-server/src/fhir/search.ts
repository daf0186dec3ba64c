/**
 * Search parameters of the served FHIR resources, parsed into the kernel's
 * list filters: `_count` (1–100) and the opaque `_cursor` for paging,
 * `_id`, tokens (`identifier=system|value`), references (`patient=Patient/pat_…`)
 * and dates with the FHIR prefixes (`date=ge2026-12-01&date=lt2026-12-08`).
 * Every parameter a resource does not support, every repeated parameter
 * that may not repeat and every malformed value is a 400, so a search
 * never silently returns more than was asked for.
 */
import type { Filter } from '../kernel/owned.ts';
import { ApiError } from '../kernel/problem.ts';

/**
 * Largest and default page of a FHIR search.
 *
 * @example
 * FHIR_MAX_COUNT; // 100
 */
export const FHIR_MAX_COUNT = 100;
const FHIR_DEFAULT_COUNT = 20;

/**
 * The raw query of a search: each parameter with all its values.
 *
 * @example
 * const query: FhirQuery = { date: ['ge2026-12-01'], _count: ['10'] };
 */
export type FhirQuery = Record<string, string[]>;

/**
 * One value of a parameter that may appear once, or undefined.
 *
 * @example
 * single(query, 'patient'); // 'Patient/pat_…'
 */
export function single(query: FhirQuery, name: string): string | undefined {
  const values = query[name];
  if (values === undefined) return undefined;
  if (values.length !== 1 || values[0] === undefined || values[0].length > 200) {
    throw new ApiError('validation_failed', `The search parameter "${name}" must be given once.`);
  }
  if (values[0].includes(',')) {
    throw new ApiError('validation_failed', `Several values for "${name}" are not supported.`);
  }
  return values[0];
}

/**
 * Refuses parameters outside `allowed` (plus the paging and format ones).
 *
 * @example
 * checkParameters(query, ['_id', 'identifier'], 'Patient');
 */
export function checkParameters(query: FhirQuery, allowed: readonly string[], type: string): void {
  for (const name of Object.keys(query)) {
    if (name === '_count' || name === '_cursor' || name === '_format') continue;
    if (!allowed.includes(name)) {
      throw new ApiError(
        'validation_failed',
        `${type} cannot be searched by "${name}"; supported: ${allowed.join(', ')}.`,
      );
    }
  }
  const format = single(query, '_format');
  if (format !== undefined && !['json', 'application/json', FHIR_JSON_FORMAT].includes(format)) {
    throw new ApiError('validation_failed', 'Only JSON is served (_format=json).');
  }
}
const FHIR_JSON_FORMAT = 'application/fhir+json';

/**
 * Paging of a search: page size and the cursor to continue after.
 *
 * @example
 * const { limit, cursor } = paging(query);
 */
export function paging(query: FhirQuery): { limit: number; cursor: string | undefined } {
  const count = single(query, '_count');
  let limit = FHIR_DEFAULT_COUNT;
  if (count !== undefined) {
    if (!/^\d{1,4}$/.test(count) || Number(count) < 1) {
      throw new ApiError('validation_failed', '_count must be a whole number from 1.');
    }
    limit = Math.min(Number(count), FHIR_MAX_COUNT);
  }
  return { limit, cursor: single(query, '_cursor') };
}

/**
 * A token value `system|code`, `|code` or `code`.
 *
 * @example
 * token('https://clinicbridge.dev/fhir/sid/patient-id|pat_1'); // { system: '…', code: 'pat_1' }
 */
export function token(value: string): { system: string | undefined; code: string } {
  const bar = value.indexOf('|');
  if (bar < 0) return { system: undefined, code: value };
  return { system: value.slice(0, bar), code: value.slice(bar + 1) };
}

/**
 * The id a reference value names for `type` (`Patient/pat_1`, `pat_1`, or an absolute URL).
 *
 * @example
 * referencedId('Patient/pat_1', 'Patient'); // 'pat_1'
 */
export function referencedId(value: string, type: string): string {
  const match = new RegExp(`^(?:.*/)?(?:${type}/)?([A-Za-z0-9\\-.]{1,64})$`).exec(value);
  const other = /([A-Z][A-Za-z]+)\/[^/]+$/.exec(value)?.[1];
  if (!match?.[1] || (other !== undefined && other !== type)) {
    throw new ApiError('validation_failed', `The reference must name a ${type} (${type}/<id>).`);
  }
  return match[1];
}

/** Start (inclusive) and end (exclusive) of a FHIR date or dateTime at its precision. */
function dateRange(text: string): [Date, Date] {
  const m =
    /^(\d{4})(?:-(\d{2})(?:-(\d{2})(T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?)?)?$/.exec(
      text,
    );
  if (m) {
    const [, y, mo, d, time] = m;
    if (time) {
      const at = new Date(`${y}-${mo}-${d}${time}`);
      if (!Number.isNaN(at.getTime())) return [at, new Date(at.getTime() + 1000)];
    } else {
      const lo = Date.UTC(Number(y), mo ? Number(mo) - 1 : 0, d ? Number(d) : 1);
      const hi = d
        ? Date.UTC(Number(y), Number(mo) - 1, Number(d) + 1)
        : mo
          ? Date.UTC(Number(y), Number(mo), 1)
          : Date.UTC(Number(y) + 1, 0, 1);
      if (!Number.isNaN(lo) && !Number.isNaN(hi)) return [new Date(lo), new Date(hi)];
    }
  }
  throw new ApiError(
    'validation_failed',
    `"${text}" is not a FHIR date (YYYY, YYYY-MM, YYYY-MM-DD or a dateTime).`,
  );
}

/**
 * Filters on a timestamp column for every `date` value (ANDed): `eq` (the
 * default) is the value's whole range, `ge`/`gt`/`le`/`lt` its bounds.
 * `ne`, `sa`, `eb` and `ap` are refused.
 *
 * @example
 * dateFilters('starts_at', ['ge2026-12-01', 'lt2026-12-08']);
 */
export function dateFilters(column: string, values: readonly string[] | undefined): Filter[] {
  const filters: Filter[] = [];
  for (const raw of values ?? []) {
    if (raw.includes(','))
      throw new ApiError(
        'validation_failed',
        'Several date values in one parameter are not supported.',
      );
    const prefix = /^[a-z]{2}/.exec(raw)?.[0];
    const known =
      prefix === 'eq' || prefix === 'ge' || prefix === 'gt' || prefix === 'le' || prefix === 'lt';
    if (prefix && !known)
      throw new ApiError('validation_failed', `The date prefix "${prefix}" is not supported.`);
    const [lo, hi] = dateRange(known ? raw.slice(2) : raw);
    switch (known ? prefix : 'eq') {
      case 'ge':
        filters.push([column, '>=', lo]);
        break;
      case 'gt':
        filters.push([column, '>=', hi]);
        break;
      case 'le':
        filters.push([column, '<', hi]);
        break;
      case 'lt':
        filters.push([column, '<', lo]);
        break;
      default:
        filters.push([column, '>=', lo], [column, '<', hi]);
    }
  }
  return filters;
}
