/**
 * Who is signed in to the operator pages: the staff member every `/ops`
 * route reads from the typed context variable `staff`, whichever way they
 * signed in.
 */

/**
 * The two staff roles: a manager may act, a viewer may only look.
 *
 * @example
 * const role: StaffRole = 'viewer';
 */
export type StaffRole = 'manager' | 'viewer';

/**
 * The signed-in staff member.
 *
 * @example
 * const staff: Staff = { subject: 'ops', name: 'ops', role: 'manager', via: 'basic' };
 */
export interface Staff {
  /** Stable id: the OIDC `sub`, the directory's subject, or the Basic user name. */
  subject: string;
  /** Display name. */
  name: string;
  role: StaffRole;
  /** How they signed in. */
  via: 'oidc' | 'basic' | 'grpc';
}

/**
 * Whether `role` may take actions (every non-GET request under `/ops`).
 *
 * @example
 * canAct('viewer'); // false
 */
export function canAct(role: StaffRole): boolean {
  return role === 'manager';
}
