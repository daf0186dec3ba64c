/**
 * The `CatalogueSource` port: a national health-tourism catalogue (such as
 * USHAŞ / HealthTürkiye) read page by page — the providers it lists
 * (clinics and the practitioners working at them) and the packages they
 * offer (a service with its names in several languages and its prices per
 * clinic and currency). The source only ever answers; nothing the platform
 * holds is sent to it. A `version` marker that changes whenever the
 * catalogue changes lets a reader skip a full read when nothing changed.
 * Records the source sends in a shape the port cannot accept are returned
 * as rejections (the record's id and the failing field paths), so one bad
 * record never hides the others.
 */
import { z } from 'zod';
import { CurrencySchema } from './common.ts';

/**
 * The source's own id of a provider or package.
 *
 * @example
 * CatalogueSourceIdSchema.parse('USH-F-1001');
 */
export const CatalogueSourceIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'source id: letters, digits, dot, underscore, hyphen');

/**
 * A text in several languages, by BCP 47 language tag (`tr`, `en`, `ar`, `de`, `pt-BR`).
 *
 * @example
 * LocalizedTextSchema.parse({ tr: 'Diş implantı', en: 'Dental implant' });
 */
export const LocalizedTextSchema = z
  .record(
    z.string().regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'language tag'),
    z.string().trim().min(1).max(200),
  )
  .refine((names) => {
    const count = Object.keys(names).length;
    return count >= 1 && count <= 20;
  }, 'one to twenty languages');

/**
 * Names by language tag.
 *
 * @example
 * const names: LocalizedText = { tr: 'Diş implantı', en: 'Dental implant' };
 */
export type LocalizedText = z.infer<typeof LocalizedTextSchema>;

/**
 * A clinic or a practitioner the catalogue lists. A practitioner names the
 * clinic they work at; `specialty` is the source's code, not free text.
 *
 * @example
 * CatalogueProviderSchema.parse({ sourceId: 'USH-D-7', kind: 'practitioner', names: { tr: 'Dr. Ayşe Kaya' }, specialty: 'dentistry', clinicSourceId: 'USH-F-1001', active: true });
 */
export const CatalogueProviderSchema = z.strictObject({
  sourceId: CatalogueSourceIdSchema,
  kind: z.enum(['clinic', 'practitioner']),
  names: LocalizedTextSchema,
  specialty: z
    .string()
    .regex(/^[a-z0-9_-]{1,64}$/, 'specialty code')
    .nullable(),
  clinicSourceId: CatalogueSourceIdSchema.nullable(),
  active: z.boolean(),
});

/**
 * A provider of the catalogue.
 *
 * @example
 * const clinic: CatalogueProvider = { sourceId: 'USH-F-1001', kind: 'clinic', names: { en: 'Bosphorus Dental' }, specialty: null, clinicSourceId: null, active: true };
 */
export type CatalogueProvider = z.infer<typeof CatalogueProviderSchema>;

/**
 * A package price at one clinic, in minor units of its currency.
 *
 * @example
 * CataloguePriceSchema.parse({ clinicSourceId: 'USH-F-1001', currency: 'EUR', amountMinor: 125000 });
 */
export const CataloguePriceSchema = z.strictObject({
  clinicSourceId: CatalogueSourceIdSchema,
  currency: CurrencySchema,
  amountMinor: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
});

/**
 * A package: one service with its names, its usual duration and its prices.
 *
 * @example
 * CataloguePackageSchema.parse({ sourceId: 'DENT-IMPL-4', names: { tr: 'Diş implantı', en: 'Dental implant' }, durationMinutes: 90, prices: [{ clinicSourceId: 'USH-F-1001', currency: 'EUR', amountMinor: 125000 }], active: true });
 */
export const CataloguePackageSchema = z.strictObject({
  sourceId: CatalogueSourceIdSchema,
  names: LocalizedTextSchema,
  durationMinutes: z.int().min(1).max(100_000).nullable(),
  prices: z.array(CataloguePriceSchema).max(200),
  active: z.boolean(),
});

/**
 * A package of the catalogue.
 *
 * @example
 * const pkg: CataloguePackage = { sourceId: 'DENT-IMPL-4', names: { en: 'Dental implant' }, durationMinutes: 90, prices: [], active: true };
 */
export type CataloguePackage = z.infer<typeof CataloguePackageSchema>;

/**
 * A record the source sent that the port could not accept: its id when it
 * had a readable one, and the paths (never values) that failed.
 *
 * @example
 * const rejection: CatalogueRejection = { sourceId: 'USH-D-9', fields: ['names'] };
 */
export interface CatalogueRejection {
  sourceId: string | null;
  fields: string[];
}

/**
 * One page of a listing. `nextCursor` is null on the last page.
 *
 * @example
 * for (let page = await source.listProviders({}); ; page = await source.listProviders({ cursor: page.nextCursor })) { if (!page.nextCursor) break; }
 */
export interface CataloguePage<T> {
  items: T[];
  rejected: CatalogueRejection[];
  nextCursor: string | null;
}

/**
 * Where a listing continues and how many records a page may hold (1–500, default 100).
 *
 * @example
 * CataloguePageRequestSchema.parse({ cursor: 'c2', limit: 100 });
 */
export const CataloguePageRequestSchema = z.strictObject({
  cursor: z.string().min(1).max(512).optional(),
  limit: z.int().min(1).max(500).optional(),
});

/**
 * Input of a listing.
 *
 * @example
 * const request: CataloguePageRequest = { limit: 200 };
 */
export type CataloguePageRequest = z.infer<typeof CataloguePageRequestSchema>;

/**
 * The catalogue's version marker: equal markers mean equal contents.
 *
 * @example
 * if ((await source.version()).version === lastSynced) return 'unchanged';
 */
export interface CatalogueVersion {
  version: string;
  updatedAt: string;
}

/**
 * A national catalogue of providers and packages.
 *
 * @example
 * const { version } = await source.version();
 * const page = await source.listPackages({ limit: 100 });
 */
export interface CatalogueSource {
  readonly provider: string;
  version(): Promise<CatalogueVersion>;
  listProviders(request: CataloguePageRequest): Promise<CataloguePage<CatalogueProvider>>;
  listPackages(request: CataloguePageRequest): Promise<CataloguePage<CataloguePackage>>;
}
