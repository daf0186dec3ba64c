/**
 * Merging a read of the national catalogue into a tenant's catalogue.
 * Practitioners become `practitioners` rows (keyed by the source's id as
 * `ref`), packages become `services` (keyed by the package code) with their
 * prices per clinic and currency in `service_prices`, and clinics are the
 * `clinic_ref` of those prices. A record's display name is its name in the
 * configured language (else English, else Turkish, else its first); all its
 * names are kept in `catalogue_sync_records` beside a digest of its
 * contents, so a record whose digest did not move is left untouched and a
 * repeated merge of the same data changes nothing. The merge only adds and
 * updates: rows the source no longer lists stay (a package the source marks
 * passive loses its source prices). A practitioner or package naming a
 * clinic the source does not list is rejected.
 */
import { createHash } from 'node:crypto';
import type { CataloguePackage, CatalogueProvider, LocalizedText } from '@clinicbridge/adapters';
import { newId } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/**
 * A complete read of the source: its records, and how many it sent that the adapter rejected.
 *
 * @example
 * const snapshot: CatalogueSnapshot = { providers, packages, rejected: 0 };
 */
export interface CatalogueSnapshot {
  providers: CatalogueProvider[];
  packages: CataloguePackage[];
  rejected: number;
}

/**
 * What a merge did, counted in source records (clinics, practitioners, packages).
 *
 * @example
 * const counts: MergeCounts = { added: 3, updated: 0, unchanged: 12, rejected: 1 };
 */
export interface MergeCounts {
  added: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

/**
 * Whose catalogue, from which source, in which display language, when.
 *
 * @example
 * const target: MergeTarget = { tenantId, source: 'ushas', language: 'en', now: new Date() };
 */
export interface MergeTarget {
  tenantId: string;
  source: string;
  language: string;
  now: Date;
}

/**
 * The display name of a record: `language`, else `en`, else `tr`, else the first name.
 *
 * @example
 * displayName({ tr: 'Diş implantı', en: 'Dental implant' }, 'de'); // 'Dental implant'
 */
export function displayName(names: LocalizedText, language: string): string {
  return names[language] ?? names.en ?? names.tr ?? Object.values(names)[0] ?? '';
}

const sortedNames = (names: LocalizedText) =>
  Object.fromEntries(Object.entries(names).sort(([a], [b]) => a.localeCompare(b)));

function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

// Digests of what the merge writes, insensitive to the order the source lists names and prices in.
const providerDigest = (p: CatalogueProvider) =>
  digest([p.kind, sortedNames(p.names), p.specialty, p.clinicSourceId, p.active]);
const packageDigest = (p: CataloguePackage) =>
  digest([
    sortedNames(p.names),
    p.durationMinutes,
    p.active,
    [...p.prices]
      .map((price) => [price.clinicSourceId, price.currency, price.amountMinor])
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
  ]);

/** The last record per source id (a source listing one twice means its later copy). */
function lastById<T extends { sourceId: string }>(records: readonly T[]): T[] {
  return [...new Map(records.map((record) => [record.sourceId, record])).values()];
}

/**
 * Merges `snapshot` into the tenant's catalogue inside `trx` (see the module header).
 *
 * @example
 * const counts = await db.transaction().execute((trx) => mergeCatalogue(trx, target, snapshot));
 */
export async function mergeCatalogue(
  trx: Kysely<DB>,
  target: MergeTarget,
  snapshot: CatalogueSnapshot,
): Promise<MergeCounts> {
  const { tenantId, source, language, now } = target;
  const counts: MergeCounts = { added: 0, updated: 0, unchanged: 0, rejected: snapshot.rejected };
  const known = new Map(
    (
      await trx
        .selectFrom('catalogue_sync_records')
        .select(['kind', 'source_id', 'content_hash'])
        .where('tenant_id', '=', tenantId)
        .where('source', '=', source)
        .execute()
    ).map((row) => [`${row.kind}:${row.source_id}`, row.content_hash]),
  );
  const providers = lastById(snapshot.providers);
  const clinics = new Set(providers.filter((p) => p.kind === 'clinic').map((p) => p.sourceId));

  /** Counts the record; resolves to true when it must be written. */
  const changed = (kind: string, sourceId: string, hash: string): boolean => {
    const before = known.get(`${kind}:${sourceId}`);
    if (before === hash) {
      counts.unchanged += 1;
      return false;
    }
    if (before === undefined) counts.added += 1;
    else counts.updated += 1;
    return true;
  };
  const remember = async (
    kind: 'clinic' | 'practitioner' | 'package',
    record: { sourceId: string; names: LocalizedText; active: boolean },
    entityId: string | null,
    hash: string,
  ) => {
    await trx
      .insertInto('catalogue_sync_records')
      .values({
        tenant_id: tenantId,
        source,
        kind,
        source_id: record.sourceId,
        entity_id: entityId,
        names: JSON.stringify(sortedNames(record.names)),
        active: record.active,
        content_hash: hash,
        synced_at: now,
      })
      .onConflict((oc) =>
        oc.columns(['tenant_id', 'source', 'kind', 'source_id']).doUpdateSet({
          entity_id: entityId,
          names: JSON.stringify(sortedNames(record.names)),
          active: record.active,
          content_hash: hash,
          synced_at: now,
        }),
      )
      .execute();
  };

  for (const provider of providers) {
    if (provider.kind === 'practitioner' && provider.clinicSourceId !== null) {
      if (!clinics.has(provider.clinicSourceId)) {
        counts.rejected += 1;
        continue;
      }
    }
    const hash = providerDigest(provider);
    if (!changed(provider.kind, provider.sourceId, hash)) continue;
    let entityId: string | null = null;
    if (provider.kind === 'practitioner') {
      const saved = await trx
        .insertInto('practitioners')
        .values({
          id: newId('prc'),
          tenant_id: tenantId,
          ref: provider.sourceId,
          name: displayName(provider.names, language),
          specialty: provider.specialty,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) =>
          oc.columns(['tenant_id', 'ref']).doUpdateSet({
            name: displayName(provider.names, language),
            specialty: provider.specialty,
            updated_at: now,
          }),
        )
        .returning('id')
        .executeTakeFirstOrThrow();
      entityId = saved.id;
    }
    await remember(provider.kind, provider, entityId, hash);
  }

  for (const pkg of lastById(snapshot.packages)) {
    if (pkg.prices.some((price) => !clinics.has(price.clinicSourceId))) {
      counts.rejected += 1;
      continue;
    }
    const hash = packageDigest(pkg);
    if (!changed('package', pkg.sourceId, hash)) continue;
    const saved = await trx
      .insertInto('services')
      .values({
        id: newId('svc'),
        tenant_id: tenantId,
        code: pkg.sourceId,
        name: displayName(pkg.names, language),
        duration_minutes: pkg.durationMinutes,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc.columns(['tenant_id', 'code']).doUpdateSet({
          name: displayName(pkg.names, language),
          duration_minutes: pkg.durationMinutes,
          updated_at: now,
        }),
      )
      .returning('id')
      .executeTakeFirstOrThrow();
    // The source owns the prices at its clinics: they are replaced; prices at other clinics stay.
    await trx
      .deleteFrom('service_prices')
      .where('service_id', '=', saved.id)
      .where('clinic_ref', 'in', (eb) =>
        eb
          .selectFrom('catalogue_sync_records')
          .select('source_id')
          .where('tenant_id', '=', tenantId)
          .where('source', '=', source)
          .where('kind', '=', 'clinic'),
      )
      .execute();
    const prices = pkg.active
      ? [...new Map(pkg.prices.map((p) => [`${p.clinicSourceId}:${p.currency}`, p])).values()]
      : [];
    if (prices.length > 0) {
      await trx
        .insertInto('service_prices')
        .values(
          prices.map((price) => ({
            service_id: saved.id,
            tenant_id: tenantId,
            clinic_ref: price.clinicSourceId,
            currency: price.currency,
            amount: price.amountMinor,
            updated_at: now,
          })),
        )
        .execute();
    }
    await remember('package', pkg, saved.id, hash);
  }
  return counts;
}
