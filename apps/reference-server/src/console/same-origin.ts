/**
 * The CSRF check of the operator pages: a state-changing request must carry
 * an `Origin` that is this server's. Behind a TLS-terminating reverse proxy
 * the server sees `http://…` while the browser sends `Origin: https://…`, so
 * the server's origin is the configured `PUBLIC_URL` and, only when the
 * operator sets `TRUST_PROXY`, the one the proxy reports in
 * `X-Forwarded-Proto` / `X-Forwarded-Host`. Without `TRUST_PROXY` those
 * headers are the client's and are ignored.
 */
import type { MiddlewareHandler } from 'hono';
import type { CoreConfig } from '../config/index.ts';
import type { AppEnv } from '../http/context.ts';
import { sendPage } from '../http/page.ts';
import { renderOpsErrorPage } from './pages/layout.ts';

/**
 * Where the server's own origin comes from.
 *
 * @example
 * const policy: OriginPolicy = { publicUrl: 'https://api.clinic.example', trustProxy: true };
 */
export interface OriginPolicy {
  /** `PUBLIC_URL`, when set: the origin browsers use. */
  readonly publicUrl?: string | undefined;
  /** `TRUST_PROXY`: honour `X-Forwarded-Proto` and `X-Forwarded-Host`. */
  readonly trustProxy: boolean;
}

/**
 * The policy of a loaded configuration.
 *
 * @example
 * sameOrigin(originPolicy(context.config));
 */
export function originPolicy(config: CoreConfig): OriginPolicy {
  return { publicUrl: config.PUBLIC_URL, trustProxy: config.TRUST_PROXY };
}

const FORWARDED_HOST =
  /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/** The first value of a header a proxy may have made a list. */
function firstValue(header: string | null | undefined): string | undefined {
  const value = header?.split(',')[0]?.trim();
  return value ? value : undefined;
}

/**
 * The origins a same-origin request may name: `PUBLIC_URL`'s, and the one the
 * request reached (as the proxy reports it when trusted).
 *
 * @example
 * serverOrigins('http://10.0.0.5:8080/ops/x', new Headers(), { publicUrl: 'https://ops.example', trustProxy: false });
 * // Set { 'https://ops.example', 'http://10.0.0.5:8080' }
 */
export function serverOrigins(
  requestUrl: string,
  headers: Headers,
  policy: OriginPolicy,
): Set<string> {
  const origins = new Set<string>();
  if (policy.publicUrl) origins.add(new URL(policy.publicUrl).origin);
  const url = new URL(requestUrl);
  if (policy.trustProxy) {
    const proto = firstValue(headers.get('x-forwarded-proto'))?.toLowerCase();
    if (proto === 'http' || proto === 'https') url.protocol = `${proto}:`;
    const host = firstValue(headers.get('x-forwarded-host'));
    // Only a bare host[:port]; anything else is ignored and the host the
    // request reached stays.
    if (host && FORWARDED_HOST.test(host)) {
      const forwarded = new URL(`${url.protocol}//${host}`);
      url.host = forwarded.host;
      if (forwarded.port === '') url.port = '';
    }
  }
  origins.add(url.origin);
  return origins;
}

/**
 * Whether a request's `Origin` header is one of the server's origins.
 *
 * @example
 * isSameOrigin('https://ops.example', 'http://127.0.0.1:8080/ops/x', new Headers(), { publicUrl: 'https://ops.example', trustProxy: false }); // true
 */
export function isSameOrigin(
  origin: string | undefined,
  requestUrl: string,
  headers: Headers,
  policy: OriginPolicy,
): boolean {
  if (!origin || origin === 'null') return false;
  return serverOrigins(requestUrl, headers, policy).has(origin);
}

/**
 * Refuses a state-changing request whose `Origin` is not this server's: a
 * browser holding the Basic credentials would otherwise post a forged form
 * from any site (CSRF). Browsers send `Origin` on every form post.
 *
 * @example
 * app.use('/ops/*', requireOperator(config), sameOrigin(originPolicy(context.config)));
 */
export function sameOrigin(policy: OriginPolicy): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (
      c.req.method !== 'GET' &&
      c.req.method !== 'HEAD' &&
      !isSameOrigin(origin, c.req.url, c.req.raw.headers, policy)
    ) {
      // A person meets this in the browser: answer a page, not problem+json.
      c.header('Cache-Control', 'no-store');
      return sendPage(
        c,
        renderOpsErrorPage(
          'Action refused',
          origin === undefined || origin === 'null'
            ? 'Your browser did not say which page sent this action, so it was refused to protect against forged requests. Nothing was changed. Open /ops again and press the button there; if this keeps happening, check that no browser extension or proxy strips the Origin header.'
            : 'This action came from another site, so it was refused to protect against forged requests. Nothing was changed. Open /ops and press the button there. Behind a TLS proxy, set PUBLIC_URL to the https address (or TRUST_PROXY).',
        ),
        403,
      );
    }
    await next();
  };
}
