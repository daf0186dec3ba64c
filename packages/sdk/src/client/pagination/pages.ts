/**
 * Cursor pagination. A list call returns a `PageIterable`: iterate it with
 * `for await` to walk every item across pages (one request per page, made
 * only when the previous page is used up), or call `.page()` for one page.
 */
import type { ApiResult, RateLimitInfo } from '../core/types.ts';

/**
 * One page of a list, with the request id of the response that carried it.
 *
 * @example
 * const { data, nextCursor, requestId }: PageResult<Appointment> = await client.appointments.list().page();
 */
export interface PageResult<T> {
  data: T[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
  requestId: string | undefined;
  /** The response that carried this page (its body already read; see `raw`). */
  response: Response;
  status: number;
  /** Attempts made for this page, 1 when the first one succeeded. */
  attempts: number;
  rateLimit: RateLimitInfo | undefined;
  /** The body as received, before validation. */
  raw: unknown;
}

/**
 * What a list operation returns.
 *
 * @example
 * for await (const appointment of client.appointments.list({ status: 'scheduled' })) {
 *   console.log(appointment.id);
 * }
 * const first = await client.appointments.list({ limit: 10 }).page();
 */
export interface PageIterable<T> extends AsyncIterable<T> {
  /** The page at the query's `cursor` (the first page when none). */
  page(): Promise<PageResult<T>>;
  /** Every page in turn. */
  pages(): AsyncIterableIterator<PageResult<T>>;
}

/**
 * Fetches the page at `cursor` (undefined for the first).
 *
 * @example
 * const fetchPage: PageFetcher<Appointment> = (cursor) => sendOperation(config, appointmentsList, { query: { cursor } });
 */
export type PageFetcher<T> = (
  cursor: string | undefined,
) => Promise<ApiResult<{ data: T[]; nextCursor: string | null }>>;

/**
 * Wraps a page fetcher into a `PageIterable`.
 *
 * @example
 * const items = paginate((cursor) => sendOperation(config, op, { query: { ...query, cursor } }), undefined);
 */
export function paginate<T>(fetchPage: PageFetcher<T>, start: string | undefined): PageIterable<T> {
  const page = async (cursor: string | undefined): Promise<PageResult<T>> => {
    const { data, ...response } = await fetchPage(cursor);
    return { ...response, data: data.data, nextCursor: data.nextCursor };
  };
  async function* pages(): AsyncIterableIterator<PageResult<T>> {
    const seen = new Set<string>();
    let cursor = start;
    for (;;) {
      const current = await page(cursor);
      yield current;
      const next = current.nextCursor;
      // A cursor seen before would loop forever; the list is over.
      if (next === null || seen.has(next)) return;
      seen.add(next);
      cursor = next;
    }
  }
  return {
    page: () => page(start),
    pages,
    async *[Symbol.asyncIterator]() {
      for await (const p of pages()) yield* p.data;
    },
  };
}
