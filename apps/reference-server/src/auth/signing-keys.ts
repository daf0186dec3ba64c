/**
 * The keys that sign OAuth access tokens (ES256). The newest unretired key
 * signs; `rotateSigningKey` retires it and makes a new one, and a retired
 * key stays in the JWKS and keeps verifying until every token it signed has
 * expired (retirement + token lifetime). Keys live in the database so
 * every server process on one PostgreSQL signs and verifies alike; a
 * process that meets an unknown `kid` reloads them.
 */
import { type CryptoKey, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { Kysely } from 'kysely';
import type { DB, Row } from '../db/schema.ts';

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
    return createSigningKey(trx, now);
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
  #keys: LoadedKey[] = [];
  #loadedAt = 0;

  constructor(db: Kysely<DB>, options: { tokenTtlSeconds: number; now?: () => Date }) {
    this.#db = db;
    this.#ttlMs = options.tokenTtlSeconds * 1000;
    this.#now = options.now ?? (() => new Date());
  }

  /** Reloads keys from the database, creating the first key when there is none. */
  async reload(): Promise<void> {
    let rows = await this.#rows();
    if (!rows.some((r) => r.retired_at === null)) {
      await createSigningKey(this.#db, this.#now());
      rows = await this.#rows();
    }
    this.#keys = rows.map((r) => ({
      kid: r.kid,
      createdAt: r.created_at,
      retiredAt: r.retired_at,
      publicJwk: r.public_jwk as JWK,
      privateJwk: r.private_jwk as JWK,
    }));
    this.#loadedAt = Date.now();
  }

  /** The key that signs new tokens. */
  async current(): Promise<{ kid: string; key: CryptoKey }> {
    if (this.#keys.length === 0) await this.reload();
    const active = this.#keys.filter((k) => k.retiredAt === null).at(-1);
    if (!active) throw new Error('no active signing key');
    active.privateKey ??= (await importJWK(active.privateJwk, SIGNING_ALG)) as CryptoKey;
    return { kid: active.kid, key: active.privateKey };
  }

  /** The public key for `kid` while it may still verify tokens; null otherwise. */
  async verificationKey(kid: string): Promise<CryptoKey | null> {
    let key = this.#keys.find((k) => k.kid === kid);
    // Another process may have rotated; reload at most once a second per process.
    if (!key && Date.now() - this.#loadedAt > 1000) {
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
