/**
 * OAuth scopes and API-key scopes: one vocabulary for both. Every operation
 * names the one scope it needs; writes need a `write:` scope, which a token
 * must be given explicitly (least privilege). `admin:` scopes are for a
 * clinic's manager role only.
 */
import * as z from 'zod/mini';

/**
 * Every scope, in a stable order.
 *
 * @example
 * for (const s of scopes) console.log(s); // 'read:patients', 'read:patients:pii', …
 */
export const scopes = [
  'read:patients',
  'read:patients:pii',
  'write:patients',
  'read:appointments',
  'write:appointments',
  'read:catalogue',
  'read:visits',
  'write:visits',
  'read:encounters',
  'read:invoices',
  'write:invoices',
  'read:payments',
  'write:payments',
  'read:claims',
  'write:claims',
  'read:visas',
  'write:visas',
  'read:documents',
  'write:documents',
  'read:shipments',
  'write:shipments',
  'read:tele',
  'write:tele',
  'read:webhooks',
  'write:webhooks',
  'read:events',
  'read:imports',
  'write:imports',
  'read:exports',
  'write:exports',
  'read:audit',
  'read:integrations',
  'admin:integrations',
  'admin:tokens',
] as const;

/**
 * One scope, e.g. `'read:appointments'`.
 *
 * @example
 * const needed: Scope = 'write:appointments';
 */
export type Scope = (typeof scopes)[number];

/**
 * Schema of one scope.
 *
 * @example
 * scope.parse('write:payments');
 */
export const scope = z.enum(scopes);

/**
 * Parses a space- or comma-separated scope string (OAuth `scope` parameter).
 * Returns null when any entry is not a known scope.
 *
 * @example
 * parseScopeList('read:appointments write:appointments'); // ['read:appointments', 'write:appointments']
 */
export function parseScopeList(value: string): Scope[] | null {
  const parts = value.split(/[\s,]+/).filter(Boolean);
  const known = new Set<string>(scopes);
  if (!parts.every((p) => known.has(p))) return null;
  return [...new Set(parts)] as Scope[];
}

/**
 * True when the granted scopes satisfy `required`. `read:patients:pii`
 * implies `read:patients`; a `write:` scope does not imply its `read:`.
 *
 * @example
 * hasScope(['read:patients:pii'], 'read:patients'); // true
 */
export function hasScope(granted: readonly string[], required: Scope): boolean {
  if (granted.includes(required)) return true;
  return required === 'read:patients' && granted.includes('read:patients:pii');
}
