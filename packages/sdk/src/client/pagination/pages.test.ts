/** Cursor pagination over a fake page fetcher: lazy page requests, page metadata, and a repeated cursor. */
import { describe, expect, it } from 'vitest';
import type { ApiResult } from '../core/types.ts';
import { paginate } from './pages.ts';

function pagesOf(pages: Record<string, { data: number[]; nextCursor: string | null }>) {
  const asked: Array<string | undefined> = [];
  const fetchPage = async (cursor: string | undefined) => {
    asked.push(cursor);
    const data = pages[cursor ?? 'first']!;
    const result: ApiResult<typeof data> = {
      data,
      requestId: `req_${cursor ?? 'first'}`,
      response: new Response(JSON.stringify(data), { headers: { 'x-page': cursor ?? 'first' } }),
      status: 200,
      replayed: false,
      attempts: cursor ? 2 : 1,
      idempotencyKey: undefined,
      rateLimit: { limit: 600, remaining: 10, reset: 5 },
      raw: { ...data, extra: 'kept' },
    };
    return result;
  };
  return { fetchPage, asked };
}

describe('paginate', () => {
  it('fetches a page only when the previous one is used up', async () => {
    const { fetchPage, asked } = pagesOf({
      first: { data: [1, 2], nextCursor: 'c2' },
      c2: { data: [3], nextCursor: null },
    });
    const iterator = paginate(fetchPage, undefined)[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toBe(1);
    expect((await iterator.next()).value).toBe(2);
    expect(asked).toEqual([undefined]);
    expect((await iterator.next()).value).toBe(3);
    expect(asked).toEqual([undefined, 'c2']);
    expect((await iterator.next()).done).toBe(true);
  });

  it('gives one page with its raw response, and pages with their request ids', async () => {
    const { fetchPage } = pagesOf({
      first: { data: [1], nextCursor: 'c2' },
      c2: { data: [2], nextCursor: null },
    });
    const list = paginate(fetchPage, undefined);
    const first = await list.page();
    expect(first).toMatchObject({
      data: [1],
      nextCursor: 'c2',
      requestId: 'req_first',
      status: 200,
      attempts: 1,
      rateLimit: { limit: 600, remaining: 10, reset: 5 },
      raw: { data: [1], nextCursor: 'c2', extra: 'kept' },
    });
    expect(first.response.headers.get('x-page')).toBe('first');
    const ids: Array<string | undefined> = [];
    for await (const p of list.pages()) ids.push(p.requestId);
    expect(ids).toEqual(['req_first', 'req_c2']);
  });

  it('stops when the server repeats a cursor instead of looping forever', async () => {
    const { fetchPage, asked } = pagesOf({
      first: { data: [1], nextCursor: 'c2' },
      c2: { data: [2], nextCursor: 'c2' },
    });
    const items: number[] = [];
    for await (const item of paginate(fetchPage, undefined)) items.push(item);
    expect(items).toEqual([1, 2]);
    expect(asked).toEqual([undefined, 'c2']);
  });
});
