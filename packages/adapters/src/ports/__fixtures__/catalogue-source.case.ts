/**
 * The conformance suite every `CatalogueSource` must pass — each adapter
 * against its fake source, and the fakes themselves: a stable version
 * marker that moves with the contents, complete cursor paging,
 * multi-language names, prices in minor units, malformed records returned
 * as rejections beside the good ones, validation before any call, and
 * failures that are transient `ProviderError`s, never a partial page.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { isProviderError } from '../../core/errors.ts';
import type {
  CataloguePackage,
  CataloguePage,
  CatalogueProvider,
  CatalogueSource,
} from '../catalogue-source.ts';
import { rejection } from './rejection.ts';

/** A source under test and the hooks of the fake behind it. */
export interface CatalogueSourceEnv {
  source: CatalogueSource;
  seed(catalogue: { providers: CatalogueProvider[]; packages: CataloguePackage[] }): void;
  /** Adds a provider record the port cannot accept (no names), with this id. */
  addMalformedProvider(sourceId: string): void;
  /** The next `times` calls to the source fail as an outage. */
  failNext(times: number): void;
  /** Calls that reached the source so far. */
  calls(): number;
  close?(): Promise<void>;
}

export interface CatalogueSourceHarness {
  name: string;
  setup(): Promise<CatalogueSourceEnv>;
}

/**
 * A catalogue of `clinics` clinics with `perClinic` practitioners each and three packages.
 *
 * @example
 * const { providers, packages } = sampleCatalogue(2, 3);
 */
export function sampleCatalogue(
  clinics: number,
  perClinic: number,
): { providers: CatalogueProvider[]; packages: CataloguePackage[] } {
  const providers: CatalogueProvider[] = [];
  for (let c = 1; c <= clinics; c++) {
    const clinic = `USH-F-${1000 + c}`;
    providers.push({
      sourceId: clinic,
      kind: 'clinic',
      names: { tr: `Klinik ${c}`, en: `Clinic ${c}` },
      specialty: null,
      clinicSourceId: null,
      active: true,
    });
    for (let p = 1; p <= perClinic; p++) {
      providers.push({
        sourceId: `USH-D-${c}-${p}`,
        kind: 'practitioner',
        names: { tr: `Dr. Hekim ${c}.${p}`, en: `Dr Physician ${c}.${p}` },
        specialty: p % 2 === 0 ? 'dentistry' : 'ophthalmology',
        clinicSourceId: clinic,
        active: true,
      });
    }
  }
  const firstClinic = 'USH-F-1001';
  const packages: CataloguePackage[] = [
    {
      sourceId: 'DENT-IMPL-4',
      names: { tr: 'Diş implantı (4 adet)', en: 'Dental implants (4)', ar: 'زراعة الأسنان' },
      durationMinutes: 120,
      prices: [
        { clinicSourceId: firstClinic, currency: 'EUR', amountMinor: 250_050 },
        { clinicSourceId: firstClinic, currency: 'TRY', amountMinor: 9_500_000 },
      ],
      active: true,
    },
    {
      sourceId: 'EYE-LASIK',
      names: { tr: 'LASIK göz ameliyatı', en: 'LASIK eye surgery', de: 'LASIK-Augenoperation' },
      durationMinutes: 45,
      prices: [{ clinicSourceId: firstClinic, currency: 'JPY', amountMinor: 180_000 }],
      active: true,
    },
    {
      sourceId: 'HAIR-FUE',
      names: { tr: 'Saç ekimi (FUE)', en: 'Hair transplant (FUE)' },
      durationMinutes: null,
      prices: [],
      active: false,
    },
  ];
  return { providers, packages };
}

async function readAll<T>(
  list: (request: { cursor?: string; limit?: number }) => Promise<CataloguePage<T>>,
  limit: number,
): Promise<{ items: T[]; pages: number; rejected: CataloguePage<T>['rejected'] }> {
  const items: T[] = [];
  const rejected: CataloguePage<T>['rejected'] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const page = await list({ limit, ...(cursor ? { cursor } : {}) });
    pages += 1;
    items.push(...page.items);
    rejected.push(...page.rejected);
    if (!page.nextCursor) return { items, pages, rejected };
    cursor = page.nextCursor;
  }
}

export function describeCatalogueSourceConformance(harness: CatalogueSourceHarness): void {
  describe(`CatalogueSource conformance: ${harness.name}`, () => {
    let env: CatalogueSourceEnv | undefined;
    afterEach(async () => {
      await env?.close?.();
      env = undefined;
    });
    const start = async () => {
      env = await harness.setup();
      return env;
    };

    test('the version marker is stable for the same contents and moves when they change', async () => {
      const env = await start();
      const catalogue = sampleCatalogue(2, 2);
      env.seed(catalogue);
      const first = await env.source.version();
      expect(first.version.length).toBeGreaterThan(0);
      expect((await env.source.version()).version).toBe(first.version);
      const [implant] = catalogue.packages;
      env.seed({
        ...catalogue,
        packages: [{ ...(implant as CataloguePackage), durationMinutes: 150 }],
      });
      expect((await env.source.version()).version).not.toBe(first.version);
    });

    test('providers come page by page, each once, with their names in every language', async () => {
      const env = await start();
      const catalogue = sampleCatalogue(10, 24); // 250 providers
      env.seed(catalogue);
      const read = await readAll((r) => env.source.listProviders(r), 100);
      expect(read.pages).toBe(3);
      expect(read.rejected).toEqual([]);
      expect(read.items).toEqual(catalogue.providers);
      expect(new Set(read.items.map((p) => p.sourceId)).size).toBe(250);
    });

    test('packages carry multi-language names and prices in minor units per clinic and currency', async () => {
      const env = await start();
      const catalogue = sampleCatalogue(1, 1);
      env.seed(catalogue);
      const read = await readAll((r) => env.source.listPackages(r), 2);
      expect(read.pages).toBe(2);
      expect(read.items).toEqual(catalogue.packages);
      expect(read.items[0]?.names.ar).toBe('زراعة الأسنان');
      expect(read.items[1]?.prices).toEqual([
        { clinicSourceId: 'USH-F-1001', currency: 'JPY', amountMinor: 180_000 },
      ]);
    });

    test('a malformed record is a rejection with its id; the others still arrive', async () => {
      const env = await start();
      env.seed(sampleCatalogue(1, 2));
      env.addMalformedProvider('USH-D-BROKEN');
      const read = await readAll((r) => env.source.listProviders(r), 100);
      expect(read.items).toHaveLength(3);
      expect(read.rejected).toHaveLength(1);
      expect(read.rejected[0]?.sourceId).toBe('USH-D-BROKEN');
      expect(read.rejected[0]?.fields.length).toBeGreaterThan(0);
    });

    test('an invalid page request is invalid_request before any call', async () => {
      const env = await start();
      env.seed(sampleCatalogue(1, 1));
      expect((await rejection(env.source.listProviders({ limit: 0 }))).code).toBe(
        'invalid_request',
      );
      expect((await rejection(env.source.listPackages({ limit: 501 }))).code).toBe(
        'invalid_request',
      );
      expect(env.calls()).toBe(0);
    });

    test('a short outage fails only transiently and then the listing is whole', async () => {
      const env = await start();
      const catalogue = sampleCatalogue(2, 2);
      env.seed(catalogue);
      env.failNext(2);
      let page: CataloguePage<CatalogueProvider> | undefined;
      for (let attempt = 0; attempt < 3 && !page; attempt++) {
        try {
          page = await env.source.listProviders({ limit: 100 });
        } catch (error) {
          expect(isProviderError(error) && error.transient).toBe(true);
        }
      }
      expect(page?.items).toEqual(catalogue.providers);
    });

    test('a source that stays down is a transient ProviderError, never a partial page', async () => {
      const env = await start();
      env.seed(sampleCatalogue(2, 2));
      env.failNext(1_000);
      const error = await rejection(env.source.listProviders({ limit: 100 }));
      expect(error.transient).toBe(true);
      expect(error.code).toBe('provider_unavailable');
      expect((await rejection(env.source.version())).transient).toBe(true);
    });
  });
}
