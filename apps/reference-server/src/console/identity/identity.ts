/**
 * The ways staff sign in to `/ops`, built once from the `OPS_*`
 * configuration: the session cookie's sealers, the OIDC provider, the staff
 * directory (gRPC) and the role mapping; and {@link authenticateStaff},
 * which finds the staff member of a request from any of them.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import type { AppEnv } from '../../http/context.ts';
import type { OperatorConfig } from '../config.ts';
import type { StaffDirectory } from './directory.ts';
import { grpcStaffDirectory } from './grpc-directory.ts';
import { type OidcSignIn, oidcSignIn } from './oidc.ts';
import { type RoleMapping, roleFromValues } from './roles.ts';
import { type CookieSealer, cookieSealer, readSession, SESSION_COOKIE } from './session.ts';
import type { Staff } from './staff.ts';

/**
 * Everything needed to sign staff in.
 *
 * @example
 * const identity = staffIdentity(config);
 * identity.oidc !== null; // OIDC sign-in is offered
 */
export interface StaffIdentity {
  config: OperatorConfig;
  /** Signs session cookies (null without OPS_SESSION_SECRET). */
  sessions: CookieSealer | null;
  /** Signs the OIDC flow cookie (null without OPS_SESSION_SECRET). */
  flows: CookieSealer | null;
  oidc: OidcSignIn | null;
  directory: StaffDirectory | null;
  mapping: RoleMapping;
  /** Whether a user name and password are accepted (OPS_PASSWORD or the directory). */
  basic: boolean;
}

const directories = new Map<string, StaffDirectory>();

/** One client per directory address, shared by every `/ops` page. */
function directoryAt(address: string, timeoutMs: number, tlsCa?: string): StaffDirectory {
  const key = `${address}|${timeoutMs}|${tlsCa ?? ''}`;
  let directory = directories.get(key);
  if (!directory) {
    directory = grpcStaffDirectory(address, timeoutMs, tlsCa);
    directories.set(key, directory);
  }
  return directory;
}

/**
 * Closes the staff directory clients (on shutdown).
 *
 * @example
 * closeStaffDirectories();
 */
export function closeStaffDirectories(): void {
  for (const directory of directories.values()) directory.close();
  directories.clear();
}

/**
 * The sign-in methods `config` sets up. Throws, naming the variable, when
 * OIDC is half configured.
 *
 * @example
 * const identity = staffIdentity(readSection(context.config, operatorConfig));
 */
export function staffIdentity(config: OperatorConfig): StaffIdentity {
  const secret = config.OPS_SESSION_SECRET;
  let oidc: OidcSignIn | null = null;
  if (config.OPS_OIDC_ISSUER) {
    if (!config.OPS_OIDC_CLIENT_ID || !secret) {
      throw new Error(
        'OPS_OIDC_ISSUER needs OPS_OIDC_CLIENT_ID and OPS_SESSION_SECRET (32+ characters) too.',
      );
    }
    oidc = oidcSignIn({
      issuer: config.OPS_OIDC_ISSUER,
      clientId: config.OPS_OIDC_CLIENT_ID,
      clientSecret: config.OPS_OIDC_CLIENT_SECRET,
      scopes: config.OPS_OIDC_SCOPES,
    });
  }
  const directory = config.OPS_STAFF_DIRECTORY_GRPC_URL
    ? directoryAt(
        config.OPS_STAFF_DIRECTORY_GRPC_URL,
        config.OPS_STAFF_DIRECTORY_TIMEOUT,
        config.OPS_STAFF_DIRECTORY_TLS_CA,
      )
    : null;
  return {
    config,
    sessions: secret ? cookieSealer(secret, 'ops session') : null,
    flows: secret ? cookieSealer(secret, 'ops oidc flow') : null,
    oidc,
    directory,
    mapping: {
      claim: config.OPS_OIDC_ROLES_CLAIM,
      managerValues: config.OPS_OIDC_MANAGER_VALUES,
      viewerValues: config.OPS_OIDC_VIEWER_VALUES,
    },
    basic: directory !== null || config.OPS_PASSWORD !== undefined,
  };
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * The user and password of an HTTP Basic header, or null.
 *
 * @example
 * basicCredentials(c.req.header('authorization'))?.user; // 'ops'
 */
export function basicCredentials(
  header: string | undefined,
): { user: string; password: string } | null {
  const match = /^Basic ([A-Za-z0-9+/=]{1,2000})$/.exec(header ?? '');
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Why no staff member was found.
 *
 * @example
 * const result: StaffResult = { staff: null, reason: 'no_role' };
 */
export type StaffResult =
  | { staff: Staff; reason?: never }
  | { staff: null; reason: 'none' | 'wrong_password' | 'no_role' };

/**
 * The staff member of a request: a valid session cookie, else HTTP Basic —
 * checked against the staff directory when one is configured (its roles
 * decide), else against OPS_USER / OPS_PASSWORD (a manager). Throws
 * `StaffDirectoryUnavailableError` when the directory cannot answer.
 *
 * @example
 * const { staff } = await authenticateStaff(identity, c, now());
 */
export async function authenticateStaff(
  identity: StaffIdentity,
  c: Context<AppEnv>,
  now: Date,
): Promise<StaffResult> {
  const session = identity.sessions
    ? readSession(identity.sessions, getCookie(c, SESSION_COOKIE), now)
    : null;
  if (session) {
    return {
      staff: { subject: session.sub, name: session.name, role: session.role, via: session.via },
    };
  }
  const given = basicCredentials(c.req.header('authorization'));
  if (!given) return { staff: null, reason: 'none' };
  if (identity.directory) {
    const who = await identity.directory.authenticate(given.user, given.password);
    if (!who) return { staff: null, reason: 'wrong_password' };
    const role = roleFromValues(await identity.directory.roles(who.subject), identity.mapping);
    if (!role) return { staff: null, reason: 'no_role' };
    return { staff: { subject: who.subject, name: who.name, role, via: 'grpc' } };
  }
  const { OPS_USER: user, OPS_PASSWORD: password } = identity.config;
  // Hash both sides so the comparison takes the same time whatever the lengths.
  const ok =
    password !== undefined &&
    timingSafeEqual(digest(given.user), digest(user)) &&
    timingSafeEqual(digest(given.password), digest(password));
  if (!ok) return { staff: null, reason: 'wrong_password' };
  return { staff: { subject: user, name: user, role: 'manager', via: 'basic' } };
}
