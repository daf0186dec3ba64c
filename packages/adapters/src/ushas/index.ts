/**
 * @clinicbridge/adapters/ushas — `CatalogueSource` on a USHAŞ-shaped
 * national health-tourism catalogue API (HealthTürkiye):
 *
 * - `GET /api/v2/catalogue/version` → `{ data: { version, updated_at } }`;
 * - `GET /api/v2/providers?page_size=&cursor=` → `{ data: [{ id, type:
 *   'CLINIC' | 'DOCTOR', name: { tr, en, … }, branch_code, facility_id,
 *   status: 'ACTIVE' | 'PASSIVE' }], meta: { next_cursor } }`;
 * - `GET /api/v2/packages?page_size=&cursor=` → `{ data: [{ code, title:
 *   { tr, en, … }, duration_minutes, prices: [{ facility_id, currency,
 *   amount: '1250.00' }], status }], meta: { next_cursor } }`.
 *
 * Bearer API key. Runs on the resilience core: per-attempt timeouts,
 * retries of transient failures (every call is a read), a breaker and a
 * bulkhead, metrics, the `integration_call` span and the audit hook. A page
 * is validated record by record: a malformed record becomes a rejection
 * with its id and the failing field paths, the others are returned. Nothing
 * is sent but the page request; the calls carry no personal data.
 */
import { z } from 'zod';
import { type AdapterOptions, pickAdapterOptions } from '../core/adapter-options.ts';
import { bearerAuth } from '../core/auth.ts';
import { createProviderClient } from '../core/client.ts';
import { toMinorUnits } from '../core/money.ts';
import {
  type CataloguePackage,
  CataloguePackageSchema,
  type CataloguePage,
  type CataloguePageRequest,
  CataloguePageRequestSchema,
  type CatalogueProvider,
  CatalogueProviderSchema,
  type CatalogueRejection,
  type CatalogueSource,
} from '../ports/catalogue-source.ts';
import { parseInput } from '../ports/validate.ts';
import { mapUshasError } from './errors.ts';

export { mapUshasError } from './errors.ts';

/**
 * USHAŞ settings.
 *
 * @example
 * const options: UshasOptions = { apiKey: process.env.USHAS_API_KEY!, baseUrl: 'https://api.ushas.example.gov.tr' };
 */
export interface UshasOptions extends AdapterOptions {
  apiKey: string;
  /** Label in metrics, errors and spans. Default `ushas`. */
  provider?: string;
}

const Version = z.object({
  data: z.object({ version: z.string().min(1).max(200), updated_at: z.string().max(64) }),
});
const Page = z.object({
  data: z.array(z.unknown()).max(500),
  meta: z.object({ next_cursor: z.string().min(1).max(512).nullable() }),
});

const WireProvider = z.object({
  id: z.string(),
  type: z.enum(['CLINIC', 'DOCTOR']),
  name: z.unknown(),
  branch_code: z.string().nullish(),
  facility_id: z.string().nullish(),
  status: z.enum(['ACTIVE', 'PASSIVE']),
});

const WirePackage = z.object({
  code: z.string(),
  title: z.unknown(),
  duration_minutes: z.number().nullish(),
  prices: z
    .array(z.object({ facility_id: z.string(), currency: z.string(), amount: z.string() }))
    .max(200)
    .default([]),
  status: z.enum(['ACTIVE', 'PASSIVE']),
});

const idOf = (record: unknown, key: 'id' | 'code'): string | null => {
  const value = (record as Record<string, unknown> | null)?.[key];
  return typeof value === 'string' && value.length <= 64 ? value : null;
};

const fieldsOf = (error: z.ZodError): string[] =>
  error.issues.map((issue) => issue.path.join('.') || '(record)');

function readProvider(record: unknown): CatalogueProvider | CatalogueRejection {
  const wire = WireProvider.safeParse(record);
  if (!wire.success) return { sourceId: idOf(record, 'id'), fields: fieldsOf(wire.error) };
  const parsed = CatalogueProviderSchema.safeParse({
    sourceId: wire.data.id,
    kind: wire.data.type === 'CLINIC' ? 'clinic' : 'practitioner',
    names: wire.data.name,
    specialty: wire.data.branch_code ?? null,
    clinicSourceId: wire.data.facility_id ?? null,
    active: wire.data.status === 'ACTIVE',
  });
  return parsed.success
    ? parsed.data
    : { sourceId: idOf(record, 'id'), fields: fieldsOf(parsed.error) };
}

function readPackage(record: unknown): CataloguePackage | CatalogueRejection {
  const wire = WirePackage.safeParse(record);
  if (!wire.success) return { sourceId: idOf(record, 'code'), fields: fieldsOf(wire.error) };
  const prices: { clinicSourceId: string; currency: string; amountMinor: number }[] = [];
  for (const [index, price] of wire.data.prices.entries()) {
    try {
      prices.push({
        clinicSourceId: price.facility_id,
        currency: price.currency,
        amountMinor: toMinorUnits(price.amount, price.currency),
      });
    } catch {
      return { sourceId: wire.data.code, fields: [`prices.${index}.amount`] };
    }
  }
  const parsed = CataloguePackageSchema.safeParse({
    sourceId: wire.data.code,
    names: wire.data.title,
    durationMinutes: wire.data.duration_minutes ?? null,
    prices,
    active: wire.data.status === 'ACTIVE',
  });
  return parsed.success
    ? parsed.data
    : { sourceId: idOf(record, 'code'), fields: fieldsOf(parsed.error) };
}

const isRejection = (value: object): value is CatalogueRejection => 'fields' in value;

/**
 * Creates the USHAŞ catalogue source.
 *
 * @example
 * const source = createUshasCatalogueSource({ apiKey: process.env.USHAS_API_KEY! });
 * const { version } = await source.version();
 * const page = await source.listPackages({ limit: 200 });
 */
export function createUshasCatalogueSource(options: UshasOptions): CatalogueSource {
  const provider = options.provider ?? 'ushas';
  const client = createProviderClient({
    provider,
    baseUrl: options.baseUrl ?? 'https://api.ushas.example.gov.tr',
    auth: bearerAuth(options.apiKey),
    mapError: mapUshasError,
    requestIdHeader: 'x-request-id',
    ...pickAdapterOptions(options),
  });

  async function list<T extends object>(
    listing: 'providers' | 'packages',
    raw: CataloguePageRequest,
    read: (record: unknown) => T | CatalogueRejection,
  ): Promise<CataloguePage<T>> {
    const operation = `catalogue.${listing}.list`;
    const request = parseInput(CataloguePageRequestSchema, raw, provider, operation);
    const page = await client.json({
      operation,
      path: `/api/v2/${listing}`,
      searchParams: { page_size: request.limit ?? 100, cursor: request.cursor },
      schema: Page,
    });
    const items: T[] = [];
    const rejected: CatalogueRejection[] = [];
    for (const record of page.data) {
      const entry = read(record);
      if (isRejection(entry)) rejected.push(entry);
      else items.push(entry);
    }
    return { items, rejected, nextCursor: page.meta.next_cursor };
  }

  return {
    provider,
    async version() {
      const answer = await client.json({
        operation: 'catalogue.version',
        path: '/api/v2/catalogue/version',
        schema: Version,
      });
      return { version: answer.data.version, updatedAt: answer.data.updated_at };
    },
    listProviders: (request) => list('providers', request, readProvider),
    listPackages: (request) => list('packages', request, readPackage),
  };
}
