/**
 * Helpers the fake providers share: reading form or JSON bodies, and an
 * idempotency-key replay cache that behaves like the real providers' (same
 * key + same body → same answer; same key + other body → error).
 */

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
