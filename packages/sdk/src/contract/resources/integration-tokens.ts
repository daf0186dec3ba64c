/**
 * Integration tokens: scoped API keys a clinic issues to a partner system.
 * The secret is returned once, at creation; the server stores only a hash.
 */
import * as z from 'zod/mini';
import { listQuery, page, text, timestamp, timestampInput } from '../common.ts';
import { idSchema } from '../ids.ts';
import { defineOperation } from '../operation.ts';
import { scope } from '../scopes.ts';

/**
 * Rate-limit tier of a token.
 *
 * @example
 * tokenTier.parse('high');
 */
export const tokenTier = z.enum(['standard', 'high']);

/**
 * An integration token as listed (never with its secret).
 *
 * @example
 * const token = integrationToken.parse(await res.json());
 */
export const integrationToken = z.object({
  id: idSchema('tok'),
  name: z.string(),
  scopes: z.array(scope),
  status: z.enum(['active', 'revoked']),
  tier: tokenTier,
  /** First characters of the key, to recognise it in a list. */
  keyPrefix: z.string(),
  createdBy: z.string(),
  createdAt: timestamp,
  expiresAt: z.nullable(timestamp),
  revokedAt: z.nullable(timestamp),
  lastUsedAt: z.nullable(timestamp),
  /** The addresses and CIDR ranges the token may be used from; absent: any address. */
  allowedIps: z.optional(z.array(z.string())),
  /** The registered integration the token belongs to; absent: none. */
  integrationId: z.optional(idSchema('int')),
});

/**
 * The creation response: the token and its secret, shown this once. A
 * replay of the creation (same `Idempotency-Key`) comes without `apiKey`
 * and with `secretShownOnce: true`: the server never stores the key.
 *
 * @example
 * const { apiKey } = createdIntegrationToken.parse(await res.json()); // store it now: it is not shown again
 */
export const createdIntegrationToken = z.extend(integrationToken, {
  /** The API key; absent from a replayed response. */
  apiKey: z.optional(z.string()),
  /** Set on a replayed response: the key was in the first response only. */
  secretShownOnce: z.optional(z.literal(true)),
});

/**
 * Most entries an IP allowlist of a credential may hold.
 *
 * @example
 * allowedIps.length <= MAX_ALLOWED_IPS;
 */
export const MAX_ALLOWED_IPS = 50;

/**
 * One entry of a credential's IP allowlist: an IPv4 or IPv6 address or CIDR
 * range (`203.0.113.7`, `10.0.0.0/8`, `2001:db8::/32`). No brackets, zone
 * ids or ports.
 *
 * @example
 * ipAllowlistEntry.parse('10.0.0.0/8');
 */
export const ipAllowlistEntry = z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()]);

/**
 * A credential's IP allowlist: 1 to {@link MAX_ALLOWED_IPS} entries. A
 * request authenticated by the credential from any other address is refused
 * with 403 `ip_not_allowed`.
 *
 * @example
 * ipAllowlist.parse(['127.0.0.1/32', '2001:db8::/32']);
 */
export const ipAllowlist = z
  .array(ipAllowlistEntry)
  .check(z.minLength(1), z.maxLength(MAX_ALLOWED_IPS));

const tokenParams = z.strictObject({ tokenId: idSchema('tok') });

/**
 * Who approved a token with a `write:` scope, and why; required for those,
 * recorded in the `integration_token.created` audit row.
 *
 * @example
 * tokenApproval.parse({ approver: 'Dr. Aylin Kaya, clinic manager', reason: 'Lab sync writes results (ticket OPS-112)' });
 */
export const tokenApproval = z.strictObject({
  approver: text(100),
  reason: text(500),
});

/**
 * Who approved a write token, and why.
 *
 * @example
 * const approval: TokenApproval = { approver: 'IT lead', reason: 'CRM sync books appointments' };
 */
export type TokenApproval = z.infer<typeof tokenApproval>;

/**
 * True when any scope is a `write:` scope, so the token needs an `approval`.
 *
 * @example
 * needsApproval(['read:patients', 'write:appointments']); // true
 */
export function needsApproval(scopes: readonly string[]): boolean {
  return scopes.some((s) => s.startsWith('write:'));
}

/**
 * Create an integration token; the API key is returned once (`integrationTokens.create`).
 *
 * @example
 * await client.request(integrationTokensCreate, ...args); // same arguments as client.integrationTokens.create
 */
export const integrationTokensCreate = defineOperation({
  id: 'integrationTokens.create',
  method: 'POST',
  path: '/api/v1/integration-tokens',
  summary:
    "Create an integration token with at most the caller's scopes and tier; write scopes need an approval; the API key is returned once",
  scope: 'admin:tokens',
  write: true,
  status: 201,
  body: z
    .strictObject({
      name: text(100),
      scopes: z.array(scope).check(z.minLength(1), z.maxLength(40)),
      tier: z.optional(tokenTier),
      expiresAt: z.optional(timestampInput),
      /** Required when `scopes` has a `write:` scope: who approved it and why (audited). */
      approval: z.optional(tokenApproval),
      /** Addresses or CIDR ranges the token may be used from (at most 50); absent: any. */
      allowedIps: z.optional(ipAllowlist),
      /** The registered integration the token belongs to (paused with it). */
      integrationId: z.optional(idSchema('int')),
    })
    .check(
      z.refine((b) => b.approval !== undefined || !needsApproval(b.scopes), {
        message: 'a token with a write: scope needs an approval: { approver, reason }',
        path: ['approval'],
      }),
    ),
  response: createdIntegrationToken,
  shownOnce: ['apiKey'],
});

/**
 * List integration tokens (`integrationTokens.list`).
 *
 * @example
 * await client.request(integrationTokensList, ...args); // same arguments as client.integrationTokens.list
 */
export const integrationTokensList = defineOperation({
  id: 'integrationTokens.list',
  method: 'GET',
  path: '/api/v1/integration-tokens',
  summary: 'List integration tokens',
  scope: 'admin:tokens',
  write: false,
  status: 200,
  paginated: true,
  query: listQuery({ status: z.optional(z.enum(['active', 'revoked'])) }),
  response: page(integrationToken),
});

/**
 * Revoke an integration token; takes effect on the next request (`integrationTokens.revoke`).
 *
 * @example
 * await client.request(integrationTokensRevoke, ...args); // same arguments as client.integrationTokens.revoke
 */
export const integrationTokensRevoke = defineOperation({
  id: 'integrationTokens.revoke',
  method: 'POST',
  path: '/api/v1/integration-tokens/{tokenId}/revoke',
  summary: 'Revoke an integration token; takes effect on the next request',
  scope: 'admin:tokens',
  write: true,
  status: 200,
  params: tokenParams,
  response: integrationToken,
});

/**
 * Operations on integration tokens.
 *
 * @example
 * integrationTokenOperations.revoke.path; // '/api/v1/integration-tokens/{tokenId}/revoke'
 */
export const integrationTokenOperations = {
  create: integrationTokensCreate,
  list: integrationTokensList,
  revoke: integrationTokensRevoke,
} as const;
