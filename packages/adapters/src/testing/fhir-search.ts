/**
 * The search engine of the fake FHIR server: the search parameters it
 * knows per resource type (token, reference, date and string kinds, as the
 * R4 specification defines them) and how a value of each kind matches a
 * resource. Unknown parameters and modifiers are refused (as a server in
 * `Prefer: handling=strict` does), so a test never passes on a filter the
 * fake silently ignored.
 */
import type { Resource } from '@medplum/fhirtypes';

type Kind = 'token' | 'reference' | 'date' | 'string';
interface Param {
  kind: Kind;
  /** Dotted element paths; arrays along the way are flattened. */
  paths: readonly string[];
}

const common: Record<string, Param> = {
  _id: { kind: 'token', paths: ['id'] },
  _lastUpdated: { kind: 'date', paths: ['meta.lastUpdated'] },
  identifier: { kind: 'token', paths: ['identifier'] },
};

const subject = { kind: 'reference', paths: ['subject'] } as const;
const patientRef = { kind: 'reference', paths: ['patient'] } as const;

const byType: Record<string, Record<string, Param>> = {
  Patient: {
    family: { kind: 'string', paths: ['name.family'] },
    given: { kind: 'string', paths: ['name.given'] },
    name: { kind: 'string', paths: ['name.family', 'name.given', 'name.text'] },
    birthdate: { kind: 'date', paths: ['birthDate'] },
    gender: { kind: 'token', paths: ['gender'] },
  },
  Encounter: {
    patient: subject,
    subject,
    date: { kind: 'date', paths: ['period'] },
    status: { kind: 'token', paths: ['status'] },
  },
  Appointment: {
    patient: { kind: 'reference', paths: ['participant.actor'] },
    actor: { kind: 'reference', paths: ['participant.actor'] },
    date: { kind: 'date', paths: ['start'] },
    status: { kind: 'token', paths: ['status'] },
  },
  Observation: {
    patient: subject,
    subject,
    code: { kind: 'token', paths: ['code'] },
    date: { kind: 'date', paths: ['effectiveDateTime', 'effectivePeriod'] },
  },
  ImagingStudy: {
    patient: subject,
    subject,
    started: { kind: 'date', paths: ['started'] },
  },
  Claim: {
    patient: patientRef,
    use: { kind: 'token', paths: ['use'] },
    status: { kind: 'token', paths: ['status'] },
  },
  ClaimResponse: {
    patient: patientRef,
    request: { kind: 'reference', paths: ['request'] },
    outcome: { kind: 'token', paths: ['outcome'] },
  },
  CoverageEligibilityRequest: { patient: patientRef },
  CoverageEligibilityResponse: {
    patient: patientRef,
    request: { kind: 'reference', paths: ['request'] },
  },
  PaymentReconciliation: {
    request: { kind: 'reference', paths: ['request'] },
    'payment-issuer': { kind: 'reference', paths: ['paymentIssuer'] },
  },
};

/** Parameters that shape the result instead of filtering it. */
export const RESULT_PARAMETERS = new Set(['_count', '_offset', '_sort', '_format']);

/**
 * A search the fake refuses, with the OperationOutcome issue to answer.
 *
 * @example
 * throw new UnsupportedSearch('unknown search parameter "foo"');
 */
export class UnsupportedSearch extends Error {
  override readonly name = 'UnsupportedSearch';
}

function valuesAt(node: unknown, path: string[]): unknown[] {
  if (node === undefined || node === null) return [];
  if (Array.isArray(node)) return node.flatMap((item) => valuesAt(item, path));
  if (path.length === 0) return [node];
  const [head, ...rest] = path;
  return valuesAt((node as Record<string, unknown>)[head as string], rest);
}

function matchToken(value: unknown, query: string): boolean {
  const bar = query.indexOf('|');
  const system = bar >= 0 ? query.slice(0, bar) : undefined;
  const code = bar >= 0 ? query.slice(bar + 1) : query;
  const pairs: { system: unknown; code: unknown }[] = [];
  if (typeof value === 'string' || typeof value === 'boolean') {
    pairs.push({ system: undefined, code: String(value) });
  } else if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.coding)) {
      for (const c of v.coding as Record<string, unknown>[])
        pairs.push({ system: c.system, code: c.code });
    } else pairs.push({ system: v.system, code: v.value ?? v.code });
  }
  return pairs.some((p) => {
    if (system !== undefined && system !== '' && p.system !== system) return false;
    if (system === '' && p.system !== undefined) return false;
    return code === '' ? system !== undefined : p.code === code;
  });
}

function matchReference(value: unknown, query: string): boolean {
  const raw = (value as { reference?: unknown } | undefined)?.reference;
  if (typeof raw !== 'string') return false;
  // A versioned reference (`Claim/7/_history/2`) matches a search for the resource.
  const reference = raw.replace(/\/_history\/[^/]+$/, '');
  if (query.includes('/')) return reference === query || reference.endsWith(`/${query}`);
  return reference.endsWith(`/${query}`);
}

function matchString(value: unknown, query: string): boolean {
  return typeof value === 'string' && value.toLowerCase().startsWith(query.toLowerCase());
}

/** The range [lo, hi) a date or dateTime covers at its precision, in epoch ms. */
function range(text: string): [number, number] | undefined {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(T.*)?)?)?$/.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, time] = m;
  if (time) {
    const at = Date.parse(`${y}-${mo}-${d}${time}`);
    return Number.isNaN(at) ? undefined : [at, at + 1000];
  }
  const lo = Date.UTC(Number(y), mo ? Number(mo) - 1 : 0, d ? Number(d) : 1);
  const hi = d
    ? Date.UTC(Number(y), Number(mo) - 1, Number(d) + 1)
    : mo
      ? Date.UTC(Number(y), Number(mo), 1)
      : Date.UTC(Number(y) + 1, 0, 1);
  return [lo, hi];
}

function targetRange(value: unknown): [number, number] | undefined {
  if (typeof value === 'string') return range(value);
  const period = value as { start?: string; end?: string } | undefined;
  if (!period || typeof period !== 'object') return undefined;
  const lo = period.start ? range(period.start)?.[0] : Number.NEGATIVE_INFINITY;
  const hi = period.end ? range(period.end)?.[1] : Number.POSITIVE_INFINITY;
  return lo === undefined || hi === undefined ? undefined : [lo, hi];
}

function matchDate(value: unknown, query: string): boolean {
  const prefix = /^(eq|ne|gt|lt|ge|le)/.exec(query)?.[1] ?? 'eq';
  const search = range(query.replace(/^(eq|ne|gt|lt|ge|le)/, ''));
  if (!search) throw new UnsupportedSearch(`"${query}" is not a FHIR date`);
  const target = targetRange(value);
  if (!target) return false;
  const [slo, shi] = search;
  const [tlo, thi] = target;
  const eq = tlo >= slo && thi <= shi;
  switch (prefix) {
    case 'ne':
      return !eq;
    case 'gt':
      return thi > shi;
    case 'lt':
      return tlo < slo;
    case 'ge':
      return thi > slo;
    case 'le':
      return tlo < shi;
    default:
      return eq;
  }
}

const matchers: Record<Kind, (value: unknown, query: string) => boolean> = {
  token: matchToken,
  reference: matchReference,
  date: matchDate,
  string: matchString,
};

/**
 * Whether `resource` matches every filter of `query` (parameters ANDed,
 * comma-separated values ORed, as in FHIR).
 *
 * @example
 * matches(patient, new URLSearchParams('identifier=urn:oid:1|42')); // true or false
 */
export function matches(resource: Resource, query: URLSearchParams): boolean {
  for (const [rawName, rawValue] of query) {
    if (RESULT_PARAMETERS.has(rawName)) continue;
    if (rawName.includes(':'))
      throw new UnsupportedSearch(`modifier in "${rawName}" is not supported`);
    const param = common[rawName] ?? byType[resource.resourceType]?.[rawName];
    if (!param) throw new UnsupportedSearch(`unknown search parameter "${rawName}"`);
    const values = param.paths.flatMap((path) => valuesAt(resource, path.split('.')));
    const alternatives = rawValue.split(',');
    const match = matchers[param.kind];
    if (!alternatives.some((alt) => values.some((value) => match(value, alt)))) return false;
  }
  return true;
}

/**
 * Throws {@link UnsupportedSearch} when a parameter is unknown for `type`.
 *
 * @example
 * checkParameters('Patient', new URLSearchParams('colour=red')); // throws
 */
export function checkParameters(type: string, query: URLSearchParams): void {
  for (const [name, value] of query) {
    if (RESULT_PARAMETERS.has(name)) continue;
    if (name.includes(':')) throw new UnsupportedSearch(`modifier in "${name}" is not supported`);
    if (!common[name] && !byType[type]?.[name]) {
      throw new UnsupportedSearch(`unknown search parameter "${name}" for ${type}`);
    }
    if ((common[name] ?? byType[type]?.[name])?.kind === 'date') {
      for (const one of value.split(',')) {
        if (!range(one.replace(/^(eq|ne|gt|lt|ge|le)/, ''))) {
          throw new UnsupportedSearch(`"${one}" is not a FHIR date`);
        }
      }
    }
  }
}
