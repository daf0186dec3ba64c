/**
 * Staff sign-in by OpenID Connect: authorization code with PKCE (S256),
 * state and nonce, on `openid-client`. The provider's metadata is discovered
 * once and kept; a failed discovery is retried on the next sign-in. The
 * roles claim is read from the ID token, or from the UserInfo endpoint when
 * the ID token does not carry it (providers that keep the ID token small).
 * A plain-HTTP issuer is accepted on a loopback address only (a local test
 * provider); anywhere else the issuer must be HTTPS.
 */
import * as client from 'openid-client';

/**
 * How the console is registered at the provider.
 *
 * @example
 * const settings: OidcSettings = { issuer: 'https://idp.example/realms/clinic', clientId: 'clinicbridge-ops', clientSecret: '…', scopes: 'openid profile' };
 */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret?: string | undefined;
  scopes: string;
}

/**
 * What the sign-in must remember between leaving for the provider and coming back.
 *
 * @example
 * const flow: OidcFlow = { state: '…', nonce: '…', verifier: '…' };
 */
export interface OidcFlow {
  state: string;
  nonce: string;
  verifier: string;
}

/**
 * A sign-in with one provider.
 *
 * @example
 * const oidc = oidcSignIn(settings);
 * const { url, flow } = await oidc.start('https://ops.example/ops/oidc/callback');
 */
export interface OidcSignIn {
  /** Where to send the browser, and the flow to keep (in a signed cookie). */
  start(redirectUri: string): Promise<{ url: URL; flow: OidcFlow }>;
  /** The verified claims of the person who came back to `callbackUrl`. */
  finish(callbackUrl: URL, flow: OidcFlow, rolesClaim: string): Promise<Record<string, unknown>>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * A sign-in with the provider `settings` names.
 *
 * @example
 * const oidc = oidcSignIn({ issuer, clientId, clientSecret, scopes: 'openid profile' });
 */
export function oidcSignIn(settings: OidcSettings): OidcSignIn {
  const issuer = new URL(settings.issuer);
  const insecure = issuer.protocol === 'http:';
  if (insecure && !LOOPBACK.has(issuer.hostname)) {
    throw new Error(
      'OPS_OIDC_ISSUER must be an https:// URL (http:// only on a loopback address).',
    );
  }
  let discovered: Promise<client.Configuration> | undefined;
  const configuration = () => {
    discovered ??= client
      .discovery(
        issuer,
        settings.clientId,
        settings.clientSecret,
        undefined,
        insecure ? { execute: [client.allowInsecureRequests] } : {},
      )
      .catch((error: unknown) => {
        discovered = undefined;
        throw error;
      });
    return discovered;
  };
  return {
    async start(redirectUri) {
      const config = await configuration();
      const flow = {
        state: client.randomState(),
        nonce: client.randomNonce(),
        verifier: client.randomPKCECodeVerifier(),
      };
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: settings.scopes,
        state: flow.state,
        nonce: flow.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
        code_challenge_method: 'S256',
      });
      return { url, flow };
    },
    async finish(callbackUrl, flow, rolesClaim) {
      const config = await configuration();
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: flow.verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
      const claims: Record<string, unknown> = { ...tokens.claims() };
      const topLevel = rolesClaim.split('.')[0] ?? rolesClaim;
      if (
        !(rolesClaim in claims) &&
        !(topLevel in claims) &&
        config.serverMetadata().userinfo_endpoint
      ) {
        const sub = claims.sub as string;
        const info = await client.fetchUserInfo(config, tokens.access_token, sub);
        return { ...info, ...claims };
      }
      return claims;
    },
  };
}
