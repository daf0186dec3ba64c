/**
 * The sign-in and sign-out routes of `/ops`: `GET /ops/sign-in` leaves for
 * the OIDC provider with PKCE, state and nonce kept in a signed, short-lived
 * cookie; `GET /ops/oidc/callback` checks them, maps the roles claim to a
 * role and sets the session cookie; `GET /ops/sign-in/basic` turns a
 * checked Basic sign-in into a session; `POST /ops/sign-out` ends it.
 * Cookies are HttpOnly, SameSite=Lax, path `/ops`, and Secure when the
 * browser reaches the server over HTTPS.
 */
import type { Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import * as z from 'zod';
import type { AppEnv } from '../../http/context.ts';
import { sendPage } from '../../http/page.ts';
import { renderSignInPage } from '../pages/sign-in.ts';
import { type OriginPolicy, serverOrigins } from '../same-origin.ts';
import { opsRefusal } from './gate.ts';
import type { StaffIdentity } from './identity.ts';
import { roleFromClaims } from './roles.ts';
import { FLOW_COOKIE, SESSION_COOKIE, type SessionValue } from './session.ts';
import type { Staff } from './staff.ts';

const FLOW_TTL_MS = 10 * 60_000;
const CALLBACK_PATH = '/ops/oidc/callback';

/**
 * Whether the browser reached the server over HTTPS (`PUBLIC_URL`, or the
 * request as a trusted proxy reports it).
 *
 * @example
 * setCookie(c, name, value, { secure: reachedOverHttps(c, policy) });
 */
export function reachedOverHttps(c: Context<AppEnv>, policy: OriginPolicy): boolean {
  if (policy.publicUrl?.startsWith('https:')) return true;
  const origins = serverOrigins(c.req.url, c.req.raw.headers, { trustProxy: policy.trustProxy });
  return [...origins].some((o) => o.startsWith('https:'));
}

/** The address the provider sends the browser back to. */
function callbackUrl(c: Context<AppEnv>, policy: OriginPolicy): string {
  const origin = policy.publicUrl
    ? new URL(policy.publicUrl).origin
    : [...serverOrigins(c.req.url, c.req.raw.headers, { trustProxy: policy.trustProxy })][0];
  return `${origin}${CALLBACK_PATH}`;
}

const flowShape = z.object({
  state: z.string().min(1).max(200),
  nonce: z.string().min(1).max(200),
  verifier: z.string().min(43).max(128),
});

/**
 * What the sign-in routes need.
 *
 * @example
 * mountSignIn(app, { identity, policy, db, now });
 */
export interface SignInDeps {
  identity: StaffIdentity;
  policy: OriginPolicy;
  /** Records sign-ins in the operator trail. */
  audit: (c: Context<AppEnv>, staff: Staff, action: string) => Promise<void>;
  now: () => Date;
}

/**
 * Mounts the sign-in and sign-out routes.
 *
 * @example
 * mountSignIn(app, { identity, policy: originPolicy(context.config), audit, now });
 */
export function mountSignIn(app: Hono<AppEnv>, deps: SignInDeps): void {
  const { identity, policy, now } = deps;
  const cookie = (
    c: Context<AppEnv>,
    name: string,
    value: string,
    maxAgeMs: number,
    path: string,
  ) =>
    setCookie(c, name, value, {
      path,
      httpOnly: true,
      sameSite: 'Lax',
      secure: reachedOverHttps(c, policy),
      maxAge: Math.floor(maxAgeMs / 1000),
    });
  const startSession = (c: Context<AppEnv>, staff: Staff) => {
    if (!identity.sessions) return;
    const ttl = identity.config.OPS_SESSION_TTL;
    const value: SessionValue = {
      sub: staff.subject,
      name: staff.name,
      role: staff.role,
      via: staff.via,
    };
    cookie(
      c,
      SESSION_COOKIE,
      identity.sessions.seal(value, new Date(now().getTime() + ttl)),
      ttl,
      '/ops',
    );
  };

  app.get('/ops/sign-in', async (c) => {
    const { oidc, flows } = identity;
    if (!oidc || !flows) {
      c.header('Cache-Control', 'no-store');
      return sendPage(c, renderSignInPage({ oidc: false, basic: identity.basic }));
    }
    let started: Awaited<ReturnType<typeof oidc.start>>;
    try {
      started = await oidc.start(callbackUrl(c, policy));
    } catch {
      return opsRefusal(
        c,
        503,
        'Identity provider unavailable',
        'The single sign-on provider (OPS_OIDC_ISSUER) did not answer. Try again in a minute.',
      );
    }
    cookie(
      c,
      FLOW_COOKIE,
      flows.seal({ ...started.flow }, new Date(now().getTime() + FLOW_TTL_MS)),
      FLOW_TTL_MS,
      CALLBACK_PATH,
    );
    c.header('Cache-Control', 'no-store');
    return c.redirect(started.url.href, 302);
  });

  app.get(CALLBACK_PATH, async (c) => {
    const { oidc, flows } = identity;
    if (!oidc || !flows) return opsRefusal(c, 400, 'Single sign-on is off', 'Sign in at /ops.');
    const flow = flowShape.safeParse(flows.open(getCookie(c, FLOW_COOKIE), now()));
    deleteCookie(c, FLOW_COOKIE, { path: CALLBACK_PATH });
    if (!flow.success) {
      return opsRefusal(
        c,
        400,
        'Sign-in expired',
        'This sign-in was started too long ago or in another browser. Start again from /ops/sign-in.',
      );
    }
    const back = new URL(callbackUrl(c, policy));
    back.search = new URL(c.req.url).search;
    let claims: Record<string, unknown>;
    try {
      claims = await oidc.finish(back, flow.data, identity.mapping.claim);
    } catch {
      return opsRefusal(
        c,
        401,
        'Sign-in failed',
        'The identity provider did not confirm this sign-in (it was cancelled, refused, or tampered with). Nothing was signed in. Start again from /ops/sign-in.',
      );
    }
    const role = roleFromClaims(claims, identity.mapping);
    const subject = typeof claims.sub === 'string' ? claims.sub.slice(0, 300) : '';
    if (!role || !subject) {
      return opsRefusal(
        c,
        403,
        'No access to the operator pages',
        `Your account holds neither ${identity.mapping.managerValues.join(' / ')} nor ${identity.mapping.viewerValues.join(' / ')} in its "${identity.mapping.claim}" claim. Ask your identity administrator for one.`,
      );
    }
    const name =
      [claims.name, claims.preferred_username, claims.email].find(
        (v): v is string => typeof v === 'string' && v.length > 0,
      ) ?? subject;
    const staff: Staff = { subject, name: name.slice(0, 300), role, via: 'oidc' };
    startSession(c, staff);
    await deps.audit(c, staff, 'staff.sign_in');
    return c.redirect('/ops', 303);
  });

  // The gate has checked the Basic credentials (or the directory) by now.
  app.get('/ops/sign-in/basic', async (c) => {
    const staff = c.get('staff');
    if (identity.sessions && staff.via !== 'oidc') {
      startSession(c, staff);
      await deps.audit(c, staff, 'staff.sign_in');
    }
    return c.redirect('/ops', 303);
  });

  app.post('/ops/sign-out', async (c) => {
    deleteCookie(c, SESSION_COOKIE, { path: '/ops' });
    await deps.audit(c, c.get('staff'), 'staff.sign_out');
    return c.redirect('/ops/signed-out', 303);
  });

  app.get('/ops/signed-out', (c) => {
    c.header('Cache-Control', 'no-store');
    return sendPage(
      c,
      renderSignInPage({
        oidc: identity.oidc !== null,
        basic: identity.basic,
        message:
          'You are signed out. (A browser that remembers the operator password sends it again until it is closed.)',
      }),
    );
  });
}
