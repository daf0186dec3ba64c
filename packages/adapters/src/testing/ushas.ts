/**
 * A fake USHAŞ-shaped national health-tourism catalogue for tests: bearer
 * API key, `GET /api/v2/catalogue/version`, and the cursor-paged listings
 * `GET /api/v2/providers` and `GET /api/v2/packages` (`page_size` 1–500,
 * opaque `cursor`, `{ data, meta: { next_cursor } }`), names as
 * `{ tr, en, … }`, prices as decimal strings per facility and currency, and
 * the error shape `{ error: { code, message } }`. Failure injection
 * (`failNext`) lives in the fake itself, so it also works when the fake is
 * served over HTTP to another process; `asSource()` is the same catalogue as
 * an in-memory `CatalogueSource`.
 */
import { createHash } from 'node:crypto';
import { HttpResponse, http, type JsonBodyType } from 'msw';
import { ProviderError } from '../core/errors.ts';
import { fromMinorUnits, toMinorUnits } from '../core/money.ts';
import {
  type CataloguePackage,
  type CataloguePage,
  type CataloguePageRequest,
  CataloguePageRequestSchema,
  type CatalogueProvider,
  type CatalogueRejection,
  type CatalogueSource,
} from '../ports/catalogue-source.ts';
import { parseInput } from '../ports/validate.ts';

/**
 * Base URL the fake answers on.
 *
 * @example
 * const served = await serveFakeProvider(USHAS_API, fake.handlers());
 */
export const USHAS_API = 'https://api.ushas.example.gov.tr';

type Listing = 'providers' | 'packages';

/** A provider as the source sends it. */
function wireProvider(provider: CatalogueProvider) {
  return {
    id: provider.sourceId,
    type: provider.kind === 'clinic' ? 'CLINIC' : 'DOCTOR',
    name: provider.names,
    branch_code: provider.specialty,
    facility_id: provider.clinicSourceId,
    status: provider.active ? 'ACTIVE' : 'PASSIVE',
  };
}

/** A package as the source sends it. */
function wirePackage(pkg: CataloguePackage) {
  return {
    code: pkg.sourceId,
    title: pkg.names,
    duration_minutes: pkg.durationMinutes,
    prices: pkg.prices.map((price) => ({
      facility_id: price.clinicSourceId,
      currency: price.currency,
      amount: fromMinorUnits(price.amountMinor, price.currency),
    })),
    status: pkg.active ? 'ACTIVE' : 'PASSIVE',
  };
}

const encodeCursor = (offset: number) => Buffer.from(`o:${offset}`).toString('base64url');
function decodeCursor(cursor: string | null): number | undefined {
  if (cursor === null) return 0;
  const match = /^o:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString());
  return match ? Number(match[1]) : undefined;
}

/**
 * State of the fake catalogue.
 *
 * @example
 * const ushas = new FakeUshas();
 * ushas.setCatalogue({ providers: [clinic], packages: [implant] });
 * server.use(...ushas.handlers());
 */
export class FakeUshas {
  readonly apiKey: string;
  /** Every request's method and path with query, in order. */
  readonly requests: string[] = [];
  private providers: unknown[] = [];
  private packages: unknown[] = [];
  private failures: { left: number; status: number } = { left: 0, status: 503 };
  private updatedAt = '2026-12-01T00:00:00Z';

  constructor(apiKey = 'ushas-test-key') {
    this.apiKey = apiKey;
  }

  /** Replaces the catalogue (port-shaped records, sent in the source's wire shape). */
  setCatalogue(catalogue: { providers: CatalogueProvider[]; packages: CataloguePackage[] }): void {
    this.providers = catalogue.providers.map(wireProvider);
    this.packages = catalogue.packages.map(wirePackage);
    this.updatedAt = new Date().toISOString();
  }

  /** Adds a record in the source's wire shape as is (for malformed records). */
  addRaw(listing: Listing, record: unknown): void {
    (listing === 'providers' ? this.providers : this.packages).push(record);
  }

  /** The next `times` requests fail with `status` (default 503) before reaching the catalogue. */
  failNext(times: number, status = 503): void {
    this.failures = { left: times, status };
  }

  /** The version marker: a digest of the contents, so equal contents give equal markers. */
  version(): string {
    return createHash('sha256')
      .update(JSON.stringify([this.providers, this.packages]))
      .digest('hex')
      .slice(0, 20);
  }

  private failure(): number | undefined {
    if (this.failures.left <= 0) return undefined;
    this.failures.left -= 1;
    return this.failures.status;
  }

  private static error(status: number, code: string, message: string) {
    return HttpResponse.json({ error: { code, message } }, { status });
  }

  private answer(request: Request, body: () => JsonBodyType | Response) {
    const url = new URL(request.url);
    this.requests.push(`GET ${url.pathname}${url.search}`);
    const failing = this.failure();
    if (failing !== undefined)
      return FakeUshas.error(failing, 'SERVICE_UNAVAILABLE', 'Try again later');
    if (request.headers.get('authorization') !== `Bearer ${this.apiKey}`)
      return FakeUshas.error(401, 'UNAUTHORIZED', 'Invalid API key');
    const result = body();
    return result instanceof Response ? result : HttpResponse.json(result);
  }

  private page(listing: Listing, url: URL): JsonBodyType | Response {
    const size = Number(url.searchParams.get('page_size') ?? '100');
    if (!Number.isInteger(size) || size < 1 || size > 500)
      return FakeUshas.error(400, 'INVALID_PAGE_SIZE', 'page_size must be 1 to 500');
    const offset = decodeCursor(url.searchParams.get('cursor'));
    if (offset === undefined) return FakeUshas.error(400, 'INVALID_CURSOR', 'Unknown cursor');
    const records = listing === 'providers' ? this.providers : this.packages;
    const data = records.slice(offset, offset + size) as JsonBodyType[];
    const next = offset + size < records.length ? encodeCursor(offset + size) : null;
    return { data, meta: { next_cursor: next, total: records.length } };
  }

  /** MSW handlers for the fake. */
  handlers() {
    return [
      http.get(`${USHAS_API}/api/v2/catalogue/version`, ({ request }) =>
        this.answer(request, () => ({
          data: { version: this.version(), updated_at: this.updatedAt },
        })),
      ),
      http.get(`${USHAS_API}/api/v2/providers`, ({ request }) =>
        this.answer(request, () => this.page('providers', new URL(request.url))),
      ),
      http.get(`${USHAS_API}/api/v2/packages`, ({ request }) =>
        this.answer(request, () => this.page('packages', new URL(request.url))),
      ),
    ];
  }

  /**
   * The same catalogue as an in-memory `CatalogueSource` (no HTTP), with the
   * same failure injection: an injected failure is `provider_unavailable`.
   *
   * @example
   * const source = new FakeUshas().asSource();
   * await source.listProviders({ limit: 50 });
   */
  asSource(): CatalogueSource {
    const provider = 'ushas-fake';
    const guard = (operation: string) => {
      this.requests.push(`call ${operation}`);
      const failing = this.failure();
      if (failing !== undefined)
        throw new ProviderError({
          code: 'provider_unavailable',
          provider,
          operation,
          status: failing,
        });
    };
    const list = <T>(
      listing: Listing,
      raw: CataloguePageRequest,
      read: (record: Record<string, unknown>) => T | undefined,
    ): CataloguePage<T> => {
      const operation = `catalogue.${listing}.list`;
      const request = parseInput(CataloguePageRequestSchema, raw, provider, operation);
      guard(operation);
      const url = new URL(`${USHAS_API}/api/v2/${listing}`);
      url.searchParams.set('page_size', String(request.limit ?? 100));
      if (request.cursor) url.searchParams.set('cursor', request.cursor);
      const page = this.page(listing, url);
      if (page instanceof Response)
        throw new ProviderError({ code: 'invalid_request', provider, operation, status: 400 });
      const { data, meta } = page as {
        data: Record<string, unknown>[];
        meta: { next_cursor: string | null };
      };
      const items: T[] = [];
      const rejected: CatalogueRejection[] = [];
      for (const record of data) {
        const item = read(record);
        if (item) items.push(item);
        else
          rejected.push({
            sourceId:
              typeof (record.id ?? record.code) === 'string'
                ? String(record.id ?? record.code)
                : null,
            fields: ['(record)'],
          });
      }
      return { items, rejected, nextCursor: meta.next_cursor };
    };
    return {
      provider,
      version: async () => {
        guard('catalogue.version');
        return { version: this.version(), updatedAt: this.updatedAt };
      },
      listProviders: async (request) =>
        list('providers', request, (record) => {
          const names = record.name as Record<string, string> | undefined;
          if (typeof record.id !== 'string' || !names || Object.keys(names).length === 0)
            return undefined;
          return {
            sourceId: record.id,
            kind: record.type === 'CLINIC' ? 'clinic' : 'practitioner',
            names,
            specialty: (record.branch_code as string | null) ?? null,
            clinicSourceId: (record.facility_id as string | null) ?? null,
            active: record.status === 'ACTIVE',
          } satisfies CatalogueProvider;
        }),
      listPackages: async (request) =>
        list('packages', request, (record) => {
          const names = record.title as Record<string, string> | undefined;
          const prices = record.prices as
            | { facility_id: string; currency: string; amount: string }[]
            | undefined;
          if (typeof record.code !== 'string' || !names || Object.keys(names).length === 0)
            return undefined;
          return {
            sourceId: record.code,
            names,
            durationMinutes: (record.duration_minutes as number | null) ?? null,
            prices: (prices ?? []).map((price) => ({
              clinicSourceId: price.facility_id,
              currency: price.currency,
              amountMinor: toMinorUnits(price.amount, price.currency),
            })),
            active: record.status === 'ACTIVE',
          } satisfies CataloguePackage;
        }),
    };
  }
}
