/**
 * The one gate in front of every `/ops` page (also those other features
 * mount there): finds the staff member (identity.ts), sets the typed
 * context variable `staff`, and lets a request that changes anything — any
 * method but GET and HEAD — through only for a manager (and, for staff the
 * directory signed in, only with its `ops.act` permission, asked at that
 * moment). New `/ops` actions are covered without a line of their own.
 * A person is answered with a page in words, a script with problem+json.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../http/context.ts';
import { sendPage } from '../../http/page.ts';
import { ApiError, problemResponse } from '../../kernel/problem.ts';
import { renderOpsErrorPage } from '../pages/layout.ts';
import { renderSignInPage } from '../pages/sign-in.ts';
import { isStaffDirectoryUnavailable, OPS_ACT_PERMISSION } from './directory.ts';
import { authenticateStaff, type StaffIdentity } from './identity.ts';
import { canAct } from './staff.ts';

/** Paths a person must reach before signing in. */
const PUBLIC_PATHS = new Set(['/ops/sign-in', '/ops/oidc/callback', '/ops/signed-out']);
/** Always asks for the Basic password (the "sign in with the operator password" link). */
export const BASIC_SIGN_IN_PATH = '/ops/sign-in/basic';
/** Every staff member may end their own session. */
const SIGN_OUT_PATH = '/ops/sign-out';
const CHALLENGE = 'Basic realm="ClinicBridge operations", charset="UTF-8"';

const wantsHtml = (c: Context<AppEnv>) => c.req.header('accept')?.includes('text/html') ?? false;

/**
 * A console refusal as a page in words, never cached: the gate's, and the
 * sign-in routes' (./routes.ts).
 *
 * @example
 * return opsRefusal(c, 403, 'Not allowed', 'Viewers cannot act. Ask a manager.');
 */
export function opsRefusal(
  c: Context<AppEnv>,
  status: 400 | 401 | 403 | 503,
  title: string,
  message: string,
) {
  c.header('Cache-Control', 'no-store');
  return sendPage(c, renderOpsErrorPage(title, message), status);
}

function directoryDown(c: Context<AppEnv>) {
  if (!wantsHtml(c)) {
    return problemResponse(
      c,
      new ApiError(
        'service_unavailable',
        'The staff directory did not answer, so nobody is signed in. Try again shortly.',
      ),
    );
  }
  return opsRefusal(
    c,
    503,
    'Staff directory unavailable',
    'The staff directory did not answer, so the sign-in or action was refused and nothing was changed. Try again in a minute; if it lasts, check the directory service (OPS_STAFF_DIRECTORY_GRPC_URL).',
  );
}

function signInNeeded(c: Context<AppEnv>, identity: StaffIdentity, reason: string) {
  // Basic is challenged when it is the only way in, when a script asks, or
  // on its own sign-in link; with OIDC a person gets the sign-in page instead
  // of the browser's password box.
  const challenge =
    identity.basic && (!identity.oidc || !wantsHtml(c) || c.req.path === BASIC_SIGN_IN_PATH);
  if (challenge) c.header('WWW-Authenticate', CHALLENGE);
  if (reason === 'no_role') {
    return opsRefusal(
      c,
      403,
      'No access to the operator pages',
      'Your account is known but holds no operator role. Ask the staff directory administrator for the manager or viewer role.',
    );
  }
  if (wantsHtml(c)) {
    c.header('Cache-Control', 'no-store');
    if (identity.oidc) {
      return sendPage(c, renderSignInPage({ oidc: true, basic: identity.basic }), 401);
    }
    return sendPage(
      c,
      renderOpsErrorPage(
        'Sign in required',
        'These pages need the operator user and password (OPS_USER / OPS_PASSWORD on the server). Reload the page to be asked again.',
      ),
      401,
    );
  }
  const res = problemResponse(
    c,
    new ApiError('unauthenticated', 'Sign in with the operator user and password.'),
  );
  if (challenge) res.headers.set('WWW-Authenticate', CHALLENGE);
  return res;
}

/**
 * The gate of every `/ops` route.
 *
 * @example
 * app.use('/ops/*', requireStaff(staffIdentity(config), now), sameOrigin(policy));
 */
export function requireStaff(
  identity: StaffIdentity,
  now: () => Date = () => new Date(),
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (PUBLIC_PATHS.has(c.req.path)) return next();
    // A second gate on the same request (a feature's own) finds the staff already set.
    let staff = c.get('staff');
    if (!staff && !identity.basic && !identity.oidc) {
      return problemResponse(
        c,
        new ApiError(
          'service_unavailable',
          'The operator pages are closed: set OPS_PASSWORD or OPS_PASSWORD_FILE (or OPS_OIDC_ISSUER) to open them.',
        ),
      );
    }
    if (!staff) {
      try {
        const found = await authenticateStaff(identity, c, now());
        if (!found.staff) return signInNeeded(c, identity, found.reason);
        staff = found.staff;
      } catch (error) {
        if (isStaffDirectoryUnavailable(error)) return directoryDown(c);
        throw error;
      }
      c.set('staff', staff);
    }
    const changes = c.req.method !== 'GET' && c.req.method !== 'HEAD';
    if (changes && c.req.path !== SIGN_OUT_PATH) {
      let allowed = canAct(staff.role);
      if (allowed && staff.via === 'grpc' && identity.directory) {
        try {
          allowed = await identity.directory.checkPermission(staff.subject, OPS_ACT_PERMISSION);
        } catch (error) {
          if (isStaffDirectoryUnavailable(error)) return directoryDown(c);
          throw error;
        }
      }
      if (!allowed) {
        if (!wantsHtml(c)) {
          return problemResponse(
            c,
            new ApiError(
              'forbidden',
              'Only an operations manager may do this. Nothing was changed.',
            ),
          );
        }
        return opsRefusal(
          c,
          403,
          'Managers only',
          `You are signed in as ${staff.name} with the ${staff.role} role, which can look but not act. Nothing was changed. Ask an operations manager to do it, or to give you the manager role.`,
        );
      }
    }
    await next();
  };
}
