/**
 * The keys that sign OAuth access tokens (ES256). The newest unretired key
 * signs; `rotateSigningKey` retires it and makes a new one, and a retired
 * key stays in the JWKS and keeps verifying until every token it signed has
 * expired (retirement + token lifetime). Keys live in the database so
 * every server process on one PostgreSQL signs and verifies alike.
 *
 * A running process learns of a rotation three ways: rotation notifies
 * `SIGNING_KEYS_CHANNEL` at commit and `watch()` marks the cache stale (the
 * next token is signed with the new key); whatever happens to that
 * notification, `current()` re-reads the keys when its copy is older than
 * `recheckMs` (default 5 s, the documented bound on signing with a retired
 * key); and verifying a token with an unknown `kid` reloads at once (at
 * most once a second).
 */
import { type CryptoKey, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/database.ts';
import { listenForNotifications } from '../db/notifications.ts';
import type { DB, Row } from '../db/schema.ts';

/**
 * The channel `rotateSigningKey` notifies (payload: the schema) when it commits.
 *
 * @example
 * await client.query(`listen ${SIGNING_KEYS_CHANNEL}`);
 */
export const SIGNING_KEYS_CHANNEL = 'clinicbridge_signing_keys';

/**
 * How long a process may keep signing with a key another process retired
 * when the change notification is lost (or on PGlite across processes).
 *
 * @example
 * new SigningKeys(db, { tokenTtlSeconds: 900, recheckMs: SIGNING_KEYS_RECHECK_MS });
 */
export const SIGNING_KEYS_RECHECK_MS = 5_000;

/**
 * The only algorithm the server signs with and accepts.
 *
 * @example
 * await jwtVerify(token, key, { algorithms: [SIGNING_ALG] });
 */
export const SIGNING_ALG = 'ES256';

interface LoadedKey {
  kid: string;
  createdAt: Date;
  retiredAt: Date | null;
  publicJwk: JWK;
  privateJwk: JWK;
  publicKey?: CryptoKey;
  privateKey?: CryptoKey;
}

/**
 * Creates a new signing key row; returns its kid.
 *
 * @example
 * await createSigningKey(db, new Date());
 */
export async function createSigningKey(db: Kysely<DB>, now: Date): Promise<string> {
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const kid = `key_${now.getTime().toString(36)}_${crypto.randomUUID().slice(0, 8)}`;
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: SIGNING_ALG, use: 'sig' };
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALG };
  await db
    .insertInto('signing_keys')
    .values({
      kid,
      alg: SIGNING_ALG,
      private_jwk: JSON.stringify(privateJwk),
      public_jwk: JSON.stringify(publicJwk),
      created_at: now,
      retired_at: null,
    })
    .execute();
  return kid;
}

/**
 * Retires every active key and creates a new one; returns the new kid.
 * Running processes that `watch()` hear of it when the transaction commits.
 *
 * @example
 * const kid = await rotateSigningKey(db, new Date());
 */
export async function rotateSigningKey(db: Kysely<DB>, now: Date): Promise<string> {
  return db.transaction().execute(async (trx) => {
    await trx
      .updateTable('signing_keys')
      .set({ retired_at: now })
      .where('retired_at', 'is', null)
      .execute();
    const kid = await createSigningKey(trx, now);
    // Delivered at commit, so a listener that reloads sees the new key.
    await sql`select pg_notify(${SIGNING_KEYS_CHANNEL}, current_schema())`.execute(trx);
    return kid;
  });
}

/**
 * Signing keys cached in memory, reloaded from the database on demand.
 *
 * @example
 * const keys = new SigningKeys(db, { tokenTtlSeconds: 900 });
 * const { kid, key } = await keys.current();
 */
export class SigningKeys {
  readonly #db: Kysely<DB>;
  readonly #ttlMs: number;
  readonly #now: () => Date;
  readonly #elapsedMs: () => number;
  readonly #recheckMs: number;
  #keys: LoadedKey[] = [];
  #loadedAt = Number.NEGATIVE_INFINITY;
  #stale = false;
  #reloading: Promise<void> | undefined;

  /**
   * `now` is the wall clock for token expiry; `elapsedMs` the monotonic one
   * that ages the cache (default `performance.now`), injectable so the
   * recheck bound is tested without sleeping.
   */
  constructor(
    db: Kysely<DB>,
    options: {
      tokenTtlSeconds: number;
      now?: () => Date;
      recheckMs?: number;
      elapsedMs?: () => number;
    },
  ) {
    this.#db = db;
    this.#ttlMs = options.tokenTtlSeconds * 1000;
    this.#now = options.now ?? (() => new Date());
    this.#recheckMs = options.recheckMs ?? SIGNING_KEYS_RECHECK_MS;
    this.#elapsedMs = options.elapsedMs ?? (() => performance.now());
  }

  /**
   * Listens for rotations on `database`; returns the function that stops.
   *
   * @example
   * const stop = await keys.watch(database); await stop();
   */
  watch(database: Database): Promise<() => Promise<void>> {
    return listenForNotifications(database, SIGNING_KEYS_CHANNEL, () => this.invalidate());
  }

  /** Marks the cached keys stale: the next `current()` reads them again. */
  invalidate(): void {
    this.#stale = true;
  }

  /** Reloads keys from the database, creating the first key when there is none. */
  reload(): Promise<void> {
    // Concurrent callers share one read.
    this.#reloading ??= this.#load().finally(() => {
      this.#reloading = undefined;
    });
    return this.#reloading;
  }

  async #load(): Promise<void> {
    this.#stale = false;
    let rows = await this.#rows();
    if (!rows.some((r) => r.retired_at === null)) {
      await createSigningKey(this.#db, this.#now());
      rows = await this.#rows();
    }
    // Keep imported CryptoKeys across reloads: a key's material never changes, only its retirement.
    const previous = new Map(this.#keys.map((k) => [k.kid, k]));
    this.#keys = rows.map((r) => {
      const known = previous.get(r.kid);
      return {
        kid: r.kid,
        createdAt: r.created_at,
        retiredAt: r.retired_at,
        publicJwk: r.public_jwk as JWK,
        privateJwk: r.private_jwk as JWK,
        ...(known?.publicKey ? { publicKey: known.publicKey } : {}),
        ...(known?.privateKey ? { privateKey: known.privateKey } : {}),
      };
    });
    this.#loadedAt = this.#elapsedMs();
  }

  /** The key that signs new tokens: never one retired longer ago than the recheck bound. */
  async current(): Promise<{ kid: string; key: CryptoKey }> {
    if (
      this.#keys.length === 0 ||
      this.#stale ||
      this.#elapsedMs() - this.#loadedAt >= this.#recheckMs
    ) {
      await this.reload();
    }
    const active = this.#keys.filter((k) => k.retiredAt === null).at(-1);
    if (!active) throw new Error('no active signing key');
    active.privateKey ??= (await importJWK(active.privateJwk, SIGNING_ALG)) as CryptoKey;
    return { kid: active.kid, key: active.privateKey };
  }

  /** The public key for `kid` while it may still verify tokens; null otherwise. */
  async verificationKey(kid: string): Promise<CryptoKey | null> {
    let key = this.#keys.find((k) => k.kid === kid);
    // Another process may have rotated; reload at most once a second per process.
    if (!key && this.#elapsedMs() - this.#loadedAt > 1000) {
      await this.reload();
      key = this.#keys.find((k) => k.kid === kid);
    }
    if (!key || !this.#publishable(key)) return null;
    key.publicKey ??= (await importJWK(key.publicJwk, SIGNING_ALG)) as CryptoKey;
    return key.publicKey;
  }

  /** The JSON Web Key Set: active keys and retired keys whose tokens may still be live. */
  async jwks(): Promise<{ keys: JWK[] }> {
    if (this.#keys.length === 0) await this.reload();
    return { keys: this.#keys.filter((k) => this.#publishable(k)).map((k) => k.publicJwk) };
  }

  #publishable(key: LoadedKey): boolean {
    return key.retiredAt === null || key.retiredAt.getTime() + this.#ttlMs > this.#now().getTime();
  }

  #rows(): Promise<Row<'signing_keys'>[]> {
    return this.#db.selectFrom('signing_keys').selectAll().orderBy('created_at').execute();
  }
}
