/**
 * The staff session cookie: `v1.<payload>.<signature>`, the payload base64url
 * JSON with an expiry, signed with HMAC-SHA256 under a key derived (HKDF)
 * from `OPS_SESSION_SECRET` and the cookie's purpose, so the sign-in flow's
 * cookie can never pass for a session. Nothing about a session is stored on
 * the server; signing out clears the cookie, and a session ends at its
 * expiry (`OPS_SESSION_TTL`).
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';

/** Cookies longer than this are refused before any work. */
const MAX_COOKIE = 4_096;

/**
 * Signs and opens values of one purpose.
 *
 * @example
 * const seal = cookieSealer(secret, 'ops session');
 * const cookie = seal.seal({ sub: 'ops' }, new Date(Date.now() + 60_000));
 * seal.open(cookie, new Date()); // { sub: 'ops' }
 */
export interface CookieSealer {
  seal(value: Record<string, unknown>, expiresAt: Date): string;
  /** The value, or null when the cookie is missing, malformed, tampered with or expired. */
  open(cookie: string | undefined, now: Date): Record<string, unknown> | null;
}

/**
 * A sealer whose key is derived from `secret` for `purpose`.
 *
 * @example
 * const flow = cookieSealer(config.OPS_SESSION_SECRET, 'ops oidc flow');
 */
export function cookieSealer(secret: string, purpose: string): CookieSealer {
  const key = Buffer.from(hkdfSync('sha256', secret, 'clinicbridge ops', `${purpose} v1`, 32));
  const sign = (payload: string) => createHmac('sha256', key).update(`v1.${payload}`).digest();
  return {
    seal(value, expiresAt) {
      const payload = Buffer.from(
        JSON.stringify({ ...value, exp: Math.floor(expiresAt.getTime() / 1000) }),
      ).toString('base64url');
      return `v1.${payload}.${sign(payload).toString('base64url')}`;
    },
    open(cookie, now) {
      if (!cookie || cookie.length > MAX_COOKIE) return null;
      const [version, payload, signature, extra] = cookie.split('.');
      if (version !== 'v1' || !payload || !signature || extra !== undefined) return null;
      const given = Buffer.from(signature, 'base64url');
      const expected = sign(payload);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      let value: unknown;
      try {
        value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        return null;
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
      const { exp, ...rest } = value as Record<string, unknown>;
      if (typeof exp !== 'number' || exp * 1000 <= now.getTime()) return null;
      return rest;
    },
  };
}

const sessionShape = z.object({
  sub: z.string().min(1).max(300),
  name: z.string().max(300),
  role: z.enum(['manager', 'viewer']),
  via: z.enum(['oidc', 'basic', 'grpc']),
});

/**
 * What a session cookie holds.
 *
 * @example
 * const session: SessionValue = { sub: 'u1', name: 'Ada', role: 'viewer', via: 'oidc' };
 */
export type SessionValue = z.infer<typeof sessionShape>;

/**
 * The session in a cookie, or null.
 *
 * @example
 * readSession(sessions, getCookie(c, SESSION_COOKIE), now());
 */
export function readSession(
  sealer: CookieSealer,
  cookie: string | undefined,
  now: Date,
): SessionValue | null {
  const parsed = sessionShape.safeParse(sealer.open(cookie, now));
  return parsed.success ? parsed.data : null;
}

/** Name of the session cookie (path `/ops`). */
export const SESSION_COOKIE = 'cb_ops_session';
/** Name of the short-lived cookie that carries the OIDC sign-in's state, nonce and PKCE verifier. */
export const FLOW_COOKIE = 'cb_ops_oidc';
