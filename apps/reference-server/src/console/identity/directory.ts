/**
 * The staff directory port: where staff identities, their roles and their
 * permissions live when the clinic keeps them in its own user-management
 * service (see grpc-directory.ts). A directory that cannot be reached
 * throws {@link StaffDirectoryUnavailableError}; callers refuse the sign-in
 * or the action, never let it through.
 */

/**
 * A staff identity the directory vouches for.
 *
 * @example
 * const who: DirectoryIdentity = { subject: 'stf_42', name: 'Ada Lovelace' };
 */
export interface DirectoryIdentity {
  subject: string;
  name: string;
}

/**
 * The permission every operator action needs (checked per action for staff
 * the directory signed in, so a revoked permission takes effect at once).
 *
 * @example
 * await directory.checkPermission(subject, OPS_ACT_PERMISSION);
 */
export const OPS_ACT_PERMISSION = 'ops.act';

/**
 * A staff directory.
 *
 * @example
 * const who = await directory.authenticate('ada', 'password');
 * const roles = who ? await directory.roles(who.subject) : [];
 */
export interface StaffDirectory {
  /** The identity for a user name and password, or null when they are wrong. */
  authenticate(user: string, password: string): Promise<DirectoryIdentity | null>;
  /** The role names of a subject. */
  roles(subject: string): Promise<string[]>;
  /** Whether a subject holds a permission. */
  checkPermission(subject: string, permission: string): Promise<boolean>;
  /** Releases the connection. */
  close(): void;
}

/**
 * The directory could not answer (down, too slow, or answered nonsense).
 *
 * @example
 * if (isStaffDirectoryUnavailable(error)) return refuse();
 */
export class StaffDirectoryUnavailableError extends Error {
  override readonly name = 'StaffDirectoryUnavailableError';
}

/**
 * Whether an error is a {@link StaffDirectoryUnavailableError} (by name, across copies).
 *
 * @example
 * isStaffDirectoryUnavailable(new StaffDirectoryUnavailableError('down')); // true
 */
export function isStaffDirectoryUnavailable(
  error: unknown,
): error is StaffDirectoryUnavailableError {
  return error instanceof Error && error.name === 'StaffDirectoryUnavailableError';
}
