/**
 * The catalogue merge against a started server's database, read back over
 * real HTTP: multi-language names (display name in the configured
 * language, every name kept), prices per clinic and currency in minor
 * units, an identical re-run (even with names and prices listed in another
 * order) changes nothing, a change in one language is one update,
 * references to unknown clinics are rejected, and a passive package loses
 * its source prices.
 */
import type { CataloguePackage, CatalogueProvider } from '@clinicbridge/adapters';
import type { Page, Practitioner, Service } from '@clinicbridge/sdk/contract';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer, tenantClient } from '../../test/helpers/http-server.ts';
import { type CatalogueSnapshot, displayName, mergeCatalogue } from './merge.ts';

let running: TestServer;
const { api } = tenantClient(() => running);
const db = () => running.server.database.db;
const tenantId = () => running.tenants[0]?.tenantId ?? '';

beforeAll(async () => {
  running = await startTestServer({ tenantCount: 1 });
}, 90_000);
afterAll(() => running?.server.close());

const clinic = (sourceId: string, en: string): CatalogueProvider => ({
  sourceId,
  kind: 'clinic',
  names: { tr: `${en} Klinik`, en },
  specialty: null,
  clinicSourceId: null,
  active: true,
});

const snapshot = (): CatalogueSnapshot => ({
  providers: [
    clinic('USH-F-1001', 'Bosphorus Dental'),
    clinic('USH-F-1002', 'Anatolia Eye'),
    {
      sourceId: 'USH-D-7',
      kind: 'practitioner',
      names: { tr: 'Dr. Ayşe Kaya', en: 'Dr Ayse Kaya', ar: 'د. عائشة كايا' },
      specialty: 'dentistry',
      clinicSourceId: 'USH-F-1001',
      active: true,
    },
  ],
  packages: [
    {
      sourceId: 'DENT-IMPL-4',
      names: { tr: 'Diş implantı (4 adet)', en: 'Dental implants (4)', ar: 'زراعة الأسنان' },
      durationMinutes: 120,
      prices: [
        { clinicSourceId: 'USH-F-1001', currency: 'EUR', amountMinor: 250_050 },
        { clinicSourceId: 'USH-F-1001', currency: 'TRY', amountMinor: 9_500_000 },
      ],
      active: true,
    },
    {
      sourceId: 'EYE-LASIK',
      names: { tr: 'LASIK göz ameliyatı', de: 'LASIK-Augenoperation' },
      durationMinutes: 45,
      prices: [{ clinicSourceId: 'USH-F-1002', currency: 'EUR', amountMinor: 150_000 }],
      active: true,
    },
  ],
  rejected: 0,
});

const merge = (data: CatalogueSnapshot, language = 'en') =>
  db()
    .transaction()
    .execute((trx) =>
      mergeCatalogue(
        trx,
        { tenantId: tenantId(), source: 'ushas', language, now: new Date() },
        data,
      ),
    );

const serviceByCode = async (code: string) =>
  (await api<Page<Service>>('GET', '/api/v1/services?limit=100')).data.find((s) => s.code === code);

describe('catalogue merge', () => {
  test('a first merge adds every record; names and prices reach the catalogue API', async () => {
    expect(await merge(snapshot())).toEqual({ added: 5, updated: 0, unchanged: 0, rejected: 0 });
    const implant = await serviceByCode('DENT-IMPL-4');
    expect(implant).toMatchObject({ name: 'Dental implants (4)', durationMinutes: 120 });
    expect(implant?.prices).toEqual([
      { clinicRef: 'USH-F-1001', price: { amount: 250_050, currency: 'EUR' } },
      { clinicRef: 'USH-F-1001', price: { amount: 9_500_000, currency: 'TRY' } },
    ]);
    // No English name: the Turkish one is shown; the German one is kept beside it.
    expect((await serviceByCode('EYE-LASIK'))?.name).toBe('LASIK göz ameliyatı');
    const practitioners = await api<Page<Practitioner>>('GET', '/api/v1/practitioners?limit=100');
    expect(practitioners.data.find((p) => p.ref === 'USH-D-7')).toMatchObject({
      name: 'Dr Ayse Kaya',
      specialty: 'dentistry',
    });
    const kept = await db()
      .selectFrom('catalogue_sync_records')
      .select('names')
      .where('tenant_id', '=', tenantId())
      .where('source_id', '=', 'EYE-LASIK')
      .executeTakeFirstOrThrow();
    expect(kept.names).toEqual({ de: 'LASIK-Augenoperation', tr: 'LASIK göz ameliyatı' });
  });

  test('the same data again, in another order, changes nothing', async () => {
    expect(await merge(snapshot())).toEqual({ added: 0, updated: 0, unchanged: 5, rejected: 0 });
    const shuffled = snapshot();
    shuffled.providers.reverse();
    const implant = shuffled.packages[0] as CataloguePackage;
    implant.names = { ar: 'زراعة الأسنان', en: 'Dental implants (4)', tr: 'Diş implantı (4 adet)' };
    implant.prices.reverse();
    const before = await serviceByCode('DENT-IMPL-4');
    expect(await merge(shuffled)).toEqual({ added: 0, updated: 0, unchanged: 5, rejected: 0 });
    expect((await serviceByCode('DENT-IMPL-4'))?.updatedAt).toBe(before?.updatedAt);
  });

  test('a change in one language is one update; a price change replaces the clinic prices', async () => {
    const changed = snapshot();
    const implant = changed.packages[0] as CataloguePackage;
    implant.names.ar = 'زراعة أسنان (4)';
    implant.prices = [{ clinicSourceId: 'USH-F-1001', currency: 'EUR', amountMinor: 240_000 }];
    expect(await merge(changed)).toEqual({ added: 0, updated: 1, unchanged: 4, rejected: 0 });
    expect((await serviceByCode('DENT-IMPL-4'))?.prices).toEqual([
      { clinicRef: 'USH-F-1001', price: { amount: 240_000, currency: 'EUR' } },
    ]);
  });

  test('references to clinics the source does not list are rejected; a passive package loses its prices', async () => {
    const data = snapshot();
    data.providers.push({
      sourceId: 'USH-D-99',
      kind: 'practitioner',
      names: { en: 'Dr Nowhere' },
      specialty: null,
      clinicSourceId: 'USH-F-404',
      active: true,
    });
    data.packages.push({
      sourceId: 'HAIR-FUE',
      names: { en: 'Hair transplant' },
      durationMinutes: null,
      prices: [{ clinicSourceId: 'USH-F-404', currency: 'EUR', amountMinor: 1 }],
      active: true,
    });
    (data.packages[1] as CataloguePackage).active = false;
    data.rejected = 1; // one the adapter already refused
    expect(await merge(data)).toEqual({ added: 0, updated: 2, unchanged: 3, rejected: 3 });
    expect((await serviceByCode('EYE-LASIK'))?.prices).toEqual([]);
    expect(await serviceByCode('HAIR-FUE')).toBeUndefined();
  });

  test('display names fall back from the configured language to English, then Turkish', () => {
    expect(displayName({ tr: 'Diş implantı', en: 'Dental implant' }, 'de')).toBe('Dental implant');
    expect(displayName({ tr: 'Diş implantı', en: 'Dental implant' }, 'tr')).toBe('Diş implantı');
    expect(displayName({ ar: 'زراعة', tr: 'Diş implantı' }, 'de')).toBe('Diş implantı');
    expect(displayName({ ar: 'زراعة' }, 'de')).toBe('زراعة');
  });
});
