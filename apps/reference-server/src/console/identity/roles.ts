/**
 * Maps the roles claim of an OIDC token to a staff role. The claim is named
 * by configuration (a dotted path reaches nested claims such as Keycloak's
 * `realm_access.roles`) and may be a string, a space- or comma-separated
 * string, or an array; manager wins over viewer; no match is no role, and
 * no role is no sign-in.
 */
import type { StaffRole } from './staff.ts';

/**
 * What decides the role.
 *
 * @example
 * const mapping: RoleMapping = { claim: 'groups', managerValues: ['ops-manager'], viewerValues: ['ops-viewer'] };
 */
export interface RoleMapping {
  claim: string;
  managerValues: readonly string[];
  viewerValues: readonly string[];
}

const MAX_VALUES = 500;

/** The claim at a dotted path, or undefined. An exact top-level name wins (URL-like claim names). */
function claimAt(claims: Record<string, unknown>, path: string): unknown {
  if (Object.hasOwn(claims, path)) return claims[path];
  let value: unknown = claims;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, part)) {
      return undefined;
    }
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/**
 * The values of the roles claim, as strings.
 *
 * @example
 * claimValues({ groups: ['a', 'b'] }, 'groups'); // ['a', 'b']
 */
export function claimValues(claims: Record<string, unknown>, claim: string): string[] {
  const value = claimAt(claims, claim);
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  if (Array.isArray(value)) {
    return value.slice(0, MAX_VALUES).filter((v): v is string => typeof v === 'string');
  }
  return [];
}

/**
 * The staff role the claims give, or null when they give none.
 *
 * @example
 * roleFromClaims({ roles: ['ops-viewer'] }, { claim: 'roles', managerValues: ['ops-manager'], viewerValues: ['ops-viewer'] }); // 'viewer'
 */
export function roleFromClaims(
  claims: Record<string, unknown>,
  mapping: RoleMapping,
): StaffRole | null {
  return roleFromValues(claimValues(claims, mapping.claim), mapping);
}

/**
 * The staff role a list of role names gives, or null (also used for the staff directory's roles).
 *
 * @example
 * roleFromValues(['ops-manager', 'ops-viewer'], mapping); // 'manager'
 */
export function roleFromValues(values: readonly string[], mapping: RoleMapping): StaffRole | null {
  const held = new Set(values);
  if (mapping.managerValues.some((v) => held.has(v))) return 'manager';
  if (mapping.viewerValues.some((v) => held.has(v))) return 'viewer';
  return null;
}
