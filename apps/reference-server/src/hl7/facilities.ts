/**
 * Sending facilities: which tenant a message belongs to (by MSH-4, and
 * MSH-3 when a facility registers one application), and whether it may
 * come from the address it came from. A facility with no allowed source
 * accepts nothing. The listener reads facilities through a short cache
 * (one lookup per message would cost a round trip on the hot path).
 */
import { newId } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import {
  embeddedIpv4,
  type IpAddress,
  type IpRange,
  parseIp,
  parseIpRange,
  rangeContains,
} from '../delivery/ip.ts';

/**
 * A registered sending facility.
 *
 * @example
 * const facility: Facility = (await directory.find('ADT1', 'CITYHOSP'))!;
 */
export interface Facility {
  readonly id: string;
  readonly tenantId: string;
  readonly sendingFacility: string;
  readonly sendingApplication: string | null;
  readonly allowedSources: readonly string[];
  readonly processingId: string;
  readonly utcOffsetMinutes: number;
  readonly ranges: readonly IpRange[];
}

/**
 * What registering a facility takes.
 *
 * @example
 * await registerFacility(db, { tenantId, sendingFacility: 'CITYHOSP', allowedSources: ['10.20.0.0/16'] }, new Date());
 */
export interface FacilityInput {
  tenantId: string;
  sendingFacility: string;
  sendingApplication?: string | null | undefined;
  allowedSources: readonly string[];
  processingId?: string | undefined;
  utcOffsetMinutes?: number | undefined;
}

/**
 * A facility setting that cannot be used (an address that is not one).
 *
 * @example
 * if (error instanceof FacilityInputError) console.error(error.message);
 */
export class FacilityInputError extends Error {
  override readonly name = 'FacilityInputError';
}

function ranges(sources: readonly string[]): IpRange[] {
  return sources.map((source) => {
    const range = parseIpRange(source.trim());
    if (!range) {
      throw new FacilityInputError(
        `"${source.slice(0, 60)}" is not an IP address or CIDR range (e.g. 10.20.0.0/16)`,
      );
    }
    return range;
  });
}

/**
 * Checks a facility's settings without touching the database; throws a
 * {@link FacilityInputError} that says what to fix.
 *
 * @example
 * checkFacilityInput({ tenantId, sendingFacility: 'CITYHOSP', allowedSources: ['10.0.0.0/8'] });
 */
export function checkFacilityInput(input: FacilityInput): void {
  if (!/^[^\s|^~\\&]{1,100}$/.test(input.sendingFacility)) {
    throw new FacilityInputError('the sending facility must be 1–100 characters, as in MSH-4');
  }
  ranges(input.allowedSources);
  const offset = input.utcOffsetMinutes ?? 0;
  if (!Number.isInteger(offset) || offset < -720 || offset > 840) {
    throw new FacilityInputError('the UTC offset must be whole minutes between -720 and +840');
  }
  if (!['P', 'T', 'D'].includes(input.processingId ?? 'P')) {
    throw new FacilityInputError('the processing id must be P, T or D (MSH-11)');
  }
}

/**
 * Registers a sending facility for a tenant, or updates the one with the
 * same facility and application. Returns its id.
 *
 * @example
 * const id = await registerFacility(db, { tenantId, sendingFacility: 'CITYHOSP', sendingApplication: 'ADT1', allowedSources: ['10.0.0.5'], utcOffsetMinutes: 330 }, new Date());
 */
export async function registerFacility(
  db: Kysely<DB>,
  input: FacilityInput,
  now: Date,
): Promise<string> {
  checkFacilityInput(input);
  const offset = input.utcOffsetMinutes ?? 0;
  const processingId = input.processingId ?? 'P';
  const application = input.sendingApplication ?? null;
  const values = {
    tenant_id: input.tenantId,
    allowed_sources: JSON.stringify(input.allowedSources.map((s) => s.trim())),
    processing_id: processingId,
    utc_offset_minutes: offset,
    updated_at: now,
  };
  const existing = await db
    .selectFrom('hl7_facilities')
    .select('id')
    .where('sending_facility', '=', input.sendingFacility)
    .where((eb) =>
      application === null
        ? eb('sending_application', 'is', null)
        : eb('sending_application', '=', application),
    )
    .executeTakeFirst();
  if (existing) {
    await db.updateTable('hl7_facilities').set(values).where('id', '=', existing.id).execute();
    return existing.id;
  }
  const id = newId('fac');
  await db
    .insertInto('hl7_facilities')
    .values({
      id,
      sending_facility: input.sendingFacility,
      sending_application: application,
      created_at: now,
      ...values,
    })
    .execute();
  return id;
}

/**
 * Whether `address` (as the socket reports it) is one the facility allows.
 *
 * @example
 * sourceAllowed(facility, '10.20.1.7'); // true for 10.20.0.0/16
 */
export function sourceAllowed(facility: Facility, address: string): boolean {
  const parsed = parseIp(address);
  if (!parsed) return false;
  const candidates = [parsed, embeddedIpv4(parsed)].filter((a): a is IpAddress => !!a);
  return facility.ranges.some((range) => candidates.some((a) => rangeContains(range, a)));
}

/**
 * Facilities by sender, cached for `ttlMs`.
 *
 * @example
 * const directory = createFacilityDirectory(db);
 * const facility = await directory.find('ADT1', 'CITYHOSP');
 */
export interface FacilityDirectory {
  /** The facility for MSH-3/MSH-4: registered for that application, else for any. */
  find(sendingApplication: string, sendingFacility: string): Promise<Facility | undefined>;
  /** Forgets the cache (after a registration in this process). */
  invalidate(): void;
}

/**
 * Creates a {@link FacilityDirectory} that reloads every facility at most
 * every `ttlMs` (default 5 s); concurrent misses share one load.
 *
 * @example
 * const directory = createFacilityDirectory(db, { ttlMs: 1_000 });
 */
export function createFacilityDirectory(
  db: Kysely<DB>,
  options: { ttlMs?: number; now?: () => number } = {},
): FacilityDirectory {
  const ttlMs = options.ttlMs ?? 5_000;
  const now = options.now ?? Date.now;
  let loaded: { at: number; byKey: Map<string, Facility> } | undefined;
  let loading: Promise<Map<string, Facility>> | undefined;
  const key = (application: string | null, facility: string) =>
    `${facility}\u0000${application ?? ''}`;
  const load = async (): Promise<Map<string, Facility>> => {
    const rows = await db.selectFrom('hl7_facilities').selectAll().execute();
    const byKey = new Map<string, Facility>();
    for (const row of rows) {
      let parsed: IpRange[];
      try {
        parsed = ranges(row.allowed_sources);
      } catch {
        parsed = [];
      }
      byKey.set(key(row.sending_application, row.sending_facility), {
        id: row.id,
        tenantId: row.tenant_id,
        sendingFacility: row.sending_facility,
        sendingApplication: row.sending_application,
        allowedSources: row.allowed_sources,
        processingId: row.processing_id,
        utcOffsetMinutes: row.utc_offset_minutes,
        ranges: parsed,
      });
    }
    loaded = { at: now(), byKey };
    return byKey;
  };
  return {
    async find(sendingApplication, sendingFacility) {
      let byKey = loaded && now() - loaded.at < ttlMs ? loaded.byKey : undefined;
      if (!byKey) {
        loading ??= load().finally(() => {
          loading = undefined;
        });
        byKey = await loading;
      }
      return (
        byKey.get(key(sendingApplication, sendingFacility)) ?? byKey.get(key(null, sendingFacility))
      );
    },
    invalidate() {
      loaded = undefined;
    },
  };
}
