/**
 * A fake Segment HTTP Tracking API for tests: `POST /v1/batch` with Basic
 * auth (write key as user name), the 32 KB event and 500 KB batch limits
 * answered with 400 as Segment does, and deduplication on `messageId`.
 */
import { HttpResponse, http } from 'msw';

/**
 * Base URL the fake answers on.
 *
 * @example
 * server.use(serverErrors({ method: 'post', url: `${SEGMENT_API}/v1/batch` }).handler);
 */
export const SEGMENT_API = 'https://api.segment.io';

/**
 * State of the fake Segment source.
 *
 * @example
 * const segment = new FakeSegment();
 * server.use(...segment.handlers());
 * segment.events.length;
 */
export class FakeSegment {
  readonly writeKey: string;
  /** Accepted events, deduplicated on `messageId`. */
  readonly events: Array<Record<string, unknown>> = [];
  /** Raw bodies of every request. */
  readonly requests: string[] = [];
  private readonly seen = new Set<string>();

  constructor(writeKey = 'fake-write-key') {
    this.writeKey = writeKey;
  }

  /** MSW handlers for the fake. */
  handlers() {
    return [
      http.post(`${SEGMENT_API}/v1/batch`, async ({ request }) => {
        const text = await request.text();
        this.requests.push(text);
        const expected = `Basic ${Buffer.from(`${this.writeKey}:`).toString('base64')}`;
        if (request.headers.get('authorization') !== expected)
          return HttpResponse.json(
            { success: false, message: 'Invalid write key' },
            { status: 401 },
          );
        if (Buffer.byteLength(text) > 500 * 1024)
          return HttpResponse.json({ success: false, message: 'Batch too large' }, { status: 400 });
        const body = JSON.parse(text) as { batch?: Array<Record<string, unknown>> };
        for (const event of body.batch ?? []) {
          if (Buffer.byteLength(JSON.stringify(event)) > 32 * 1024)
            return HttpResponse.json(
              { success: false, message: 'Event too large' },
              { status: 400 },
            );
        }
        for (const event of body.batch ?? []) {
          const id = String(event.messageId);
          if (this.seen.has(id)) continue;
          this.seen.add(id);
          this.events.push(event);
        }
        return HttpResponse.json({ success: true });
      }),
    ];
  }
}
