/**
 * Helpers the fake providers share: reading form or JSON bodies, and an
 * idempotency-key replay cache that behaves like the real providers' (same
 * key + same body → same answer; same key + other body → error).
 */

import { HttpResponse, type JsonBodyType } from 'msw';

/**
 * Reads an `application/x-www-form-urlencoded` body into a plain object.
 *
 * @example
 * const form = await readForm(request);
 */
export async function readForm(request: Request): Promise<Record<string, string>> {
  return Object.fromEntries(new URLSearchParams(await request.text()));
}

/**
 * Remembers answers by idempotency key.
 *
 * @example
 * const replay = new ReplayCache();
 */
export class ReplayCache {
  private readonly answers = new Map<
    string,
    { fingerprint: string; status: number; body: unknown }
  >();

  /** Forgets every stored answer. */
  clear(): void {
    this.answers.clear();
  }

  /** The stored answer, `'mismatch'` when the key was used with another body, or undefined. */
  lookup(
    key: string | null,
    fingerprint: string,
  ): { status: number; body: unknown } | 'mismatch' | undefined {
    if (!key) return undefined;
    const hit = this.answers.get(key);
    if (!hit) return undefined;
    return hit.fingerprint === fingerprint ? { status: hit.status, body: hit.body } : 'mismatch';
  }

  store(key: string | null, fingerprint: string, status: number, body: unknown): void {
    if (key) this.answers.set(key, { fingerprint, status, body });
  }
}

/**
 * Reads an idempotent JSON POST as the REST partners (visa, e-Fatura) answer
 * it: the stored answer for a replayed key and body, 409
 * `IDEMPOTENCY_MISMATCH` for a key reused with another body, 400 `MALFORMED`
 * for a body that is not JSON; otherwise the parsed body, with the key and the
 * text to `store` the answer under.
 *
 * @example
 * const read = await readIdempotentJson(request, this.replay);
 * if (read instanceof Response) return read;
 * this.replay.store(read.key, read.text, 201, answer);
 */
export async function readIdempotentJson(
  request: Request,
  replay: ReplayCache,
): Promise<Response | { body: Record<string, unknown>; key: string | null; text: string }> {
  const text = await request.text();
  const key = request.headers.get('idempotency-key');
  const replayed = replay.lookup(key, text);
  if (replayed === 'mismatch') {
    return partnerError(409, 'IDEMPOTENCY_MISMATCH', 'Key reused with another body');
  }
  if (replayed)
    return HttpResponse.json(replayed.body as JsonBodyType, { status: replayed.status });
  try {
    return { body: JSON.parse(text) as Record<string, unknown>, key, text };
  } catch {
    return partnerError(400, 'MALFORMED', 'Body is not JSON');
  }
}

/**
 * A REST partner's error answer: `{ error: { code, message } }`.
 *
 * @example
 * return partnerError(404, 'NOT_FOUND', 'No such application');
 */
export function partnerError(status: number, code: string, message: string): Response {
  return HttpResponse.json({ error: { code, message } }, { status });
}
