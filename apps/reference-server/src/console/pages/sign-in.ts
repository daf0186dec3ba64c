/**
 * The page a person meets before signing in to `/ops` when single sign-on
 * is set up (see identity/routes.ts).
 */
import { html } from 'hono/html';
import { type Markup, opsHead } from './layout.ts';

/**
 * The sign-in page: single sign-on, the operator user and password, or both.
 *
 * @example
 * return sendPage(c, renderSignInPage({ oidc: true, basic: false }), 401);
 */
export function renderSignInPage(options: {
  oidc: boolean;
  basic: boolean;
  message?: string;
}): Markup {
  return html`<!doctype html>
<html lang="en">${opsHead('Sign in — ClinicBridge operations')}
<body><h1>ClinicBridge operations</h1>
${options.message ? html`<p class="notice" role="status">${options.message}</p>` : ''}
${options.oidc ? html`<p><a href="/ops/sign-in">Sign in with single sign-on</a></p>` : ''}
${options.basic ? html`<p><a href="/ops/sign-in/basic">Sign in with the operator user and password</a></p>` : ''}
</body></html>`;
}
