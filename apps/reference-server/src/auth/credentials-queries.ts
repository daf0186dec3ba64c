/** Queries on API keys and OAuth clients. Every read that a caller can steer filters on tenant. */
import { CompiledQuery, type Kysely } from 'kysely';
import type { DB, NewRow, Row } from '../db/schema.ts';

/**
 * An API key row as authentication reads it: with the status of its
 * registered integration (null when it has none) and its `version`, a
 * digest of everything authentication depends on (see
 * {@link API_KEY_VERSION_SQL}).
 *
 * @example
 * const key: ApiKeyForAuth | undefined = await findApiKeyByHash(db, hash);
 */
export type ApiKeyForAuth = Row<'api_keys'> & {
  integration_status: Row<'integrations'>['status'] | null;
  version: string;
};

/**
 * SQL of an API key's version over `api_keys k left join integrations i`:
 * a digest of the whole key row except `last_used_at`, and of its
 * integration's status. Any change that can refuse the key or change what
 * it may do (status, expiry, scopes, tier, allowlist, certificate,
 * integration) changes it; recording use does not.
 *
 * @example
 * const text = `select ${API_KEY_VERSION_SQL} from api_keys k left join integrations i on i.id = k.integration_id where k.id = $1`;
 */
export const API_KEY_VERSION_SQL = `md5((to_jsonb(k) - 'last_used_at')::text || coalesce(i.status, ''))`;

/**
 * The API key with this hash, whatever its tenant (the hash is the
 * credential), in one hand-written statement: this runs on every request
 * that does not use the cache of http/operations.ts.
 *
 * @example
 * const key = await findApiKeyByHash(db, hashSecret(presented));
 */
export async function findApiKeyByHash(
  db: Kysely<DB>,
  keyHash: string,
): Promise<ApiKeyForAuth | undefined> {
  const { rows } = await db.executeQuery<ApiKeyForAuth>(CompiledQuery.raw(FIND_API_KEY, [keyHash]));
  return rows[0];
}

const FIND_API_KEY = `select k.*, i.status as integration_status, ${API_KEY_VERSION_SQL} as version
  from api_keys k left join integrations i on i.id = k.integration_id
  where k.key_hash = $1`;

/**
 * Records use of a key at most once a minute, so reads stay reads.
 *
 * @example
 * await touchApiKey(db, key.id, new Date());
 */
export async function touchApiKey(db: Kysely<DB>, id: string, now: Date): Promise<void> {
  await db
    .updateTable('api_keys')
    .set({ last_used_at: now })
    .where('id', '=', id)
    .where((eb) =>
      eb.or([
        eb('last_used_at', 'is', null),
        eb('last_used_at', '<', new Date(now.getTime() - 60_000)),
      ]),
    )
    .execute();
}

/**
 * Inserts an API key row.
 *
 * @example
 * await insertApiKey(trx, row);
 */
export async function insertApiKey(db: Kysely<DB>, row: NewRow<'api_keys'>): Promise<void> {
  await db.insertInto('api_keys').values(row).execute();
}

/**
 * One API key of a tenant, locked for update when asked.
 *
 * @example
 * const key = await findApiKey(trx, tenantId, 'tok_…', { lock: true });
 */
export function findApiKey(
  db: Kysely<DB>,
  tenantId: string,
  id: string,
  options: { lock?: boolean } = {},
): Promise<Row<'api_keys'> | undefined> {
  let query = db
    .selectFrom('api_keys')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id);
  if (options.lock) query = query.forUpdate();
  return query.executeTakeFirst();
}

/**
 * Marks an API key revoked.
 *
 * @example
 * await revokeApiKeyRow(trx, tenantId, id, new Date());
 */
export async function revokeApiKeyRow(
  db: Kysely<DB>,
  tenantId: string,
  id: string,
  now: Date,
): Promise<void> {
  await db
    .updateTable('api_keys')
    .set({ status: 'revoked', revoked_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

/**
 * The OAuth client with this id.
 *
 * @example
 * const client = await findOAuthClient(db, 'cli_…');
 */
export function findOAuthClient(
  db: Kysely<DB>,
  id: string,
): Promise<Row<'oauth_clients'> | undefined> {
  return db.selectFrom('oauth_clients').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Inserts an OAuth client row.
 *
 * @example
 * await insertOAuthClient(trx, row);
 */
export async function insertOAuthClient(
  db: Kysely<DB>,
  row: NewRow<'oauth_clients'>,
): Promise<void> {
  await db.insertInto('oauth_clients').values(row).execute();
}

/**
 * Updates an OAuth client of the tenant (its status or secret); resolves to the new row.
 *
 * @example
 * await updateOAuthClient(trx, 'ten_…', 'cli_…', { status: 'revoked' });
 */
export function updateOAuthClient(
  db: Kysely<DB>,
  tenantId: string,
  id: string,
  set: { status?: 'revoked'; secret_hash?: string },
): Promise<Row<'oauth_clients'> | undefined> {
  return db
    .updateTable('oauth_clients')
    .set(set)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}
