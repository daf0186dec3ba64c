/**
 * A fake ABDM gateway (v3 HIE-CM) for tests: JSON client-credentials
 * sessions, bearer tokens that can be expired, `REQUEST-ID` / `TIMESTAMP` /
 * `X-CM-ID` headers checked, `202 Accepted` on every call (a repeated
 * `REQUEST-ID` is acknowledged once), ABDM's error shape, and the callback
 * bodies the real gateway would post back (`grant`, `deny`, `revoke`,
 * `expire`, `onFetch`) for tests to feed into the callback parsers. Like
 * the gateway, it publishes its callback-signing keys as a JWKS
 * (`GET /api/hiecm/gateway/v3/certs`) and `authorize()` gives the
 * `Authorization` header of a callback (an RS256 JWT of those keys; expired,
 * foreign-signed or of another issuer on request).
 */
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { HttpResponse, http } from 'msw';

/**
 * Base URL the fake answers on.
 *
 * @example
 * server.use(serverErrors({ method: 'post', url: `${ABDM_API}/api/hiecm/*`, times: 10 }).handler);
 */
export const ABDM_API = 'https://dev.abdm.gov.in';

/**
 * The issuer of the fake gateway's callback tokens.
 *
 * @example
 * createAbdmCallbackVerifier({ jwksUrl: `${ABDM_API}/api/hiecm/gateway/v3/certs`, issuer: ABDM_CALLBACK_ISSUER });
 */
export const ABDM_CALLBACK_ISSUER = 'https://dev.ndhm.gov.in/auth/realms/central-registry';

type SigningKey = { kid: string; privateKey: CryptoKey; jwk: JWK };

async function signingKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return {
    kid,
    privateKey,
    jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' },
  };
}

/**
 * How {@link FakeAbdm.authorize} signs a callback token.
 *
 * @example
 * await abdm.authorize({ expiresInSeconds: -120 }); // an expired token
 */
export interface FakeAbdmCallbackToken {
  /** Lifetime from now; negative for an expired token (default 300). */
  expiresInSeconds?: number;
  issuer?: string;
  /** Sign with a key the gateway never published. */
  foreignKey?: boolean;
}

interface ConsentRequest {
  requestId: string;
  consentRequestId: string;
  body: {
    consent: {
      purpose: { code: string };
      patient: { id: string };
      hiTypes: string[];
      permission: { dateRange: { from: string; to: string }; dataEraseAt: string };
    };
  };
}

/**
 * State of the fake gateway.
 *
 * @example
 * const abdm = new FakeAbdm();
 * server.use(...abdm.handlers());
 * const notify = abdm.grant(abdm.consentRequests[0]!.requestId);
 */
export class FakeAbdm {
  readonly clientId = 'CLINIC_HIU_01';
  readonly clientSecret = 'abdm-fake-secret';
  readonly consentRequests: ConsentRequest[] = [];
  readonly links: Array<{ requestId: string; linkToken: string; body: unknown }> = [];
  readonly fetches: Array<{ requestId: string; consentId: string }> = [];
  /** Calls that reached a handler (token requests included). */
  readonly requests: string[] = [];
  tokenRequests = 0;
  /** Fetches of the JWKS. */
  certsRequests = 0;
  private keys?: Promise<SigningKey>;
  private foreign?: Promise<SigningKey>;
  private readonly tokens = new Set<string>();
  private readonly seenRequestIds = new Set<string>();
  private readonly artefacts = new Map<string, { request: ConsentRequest; status: string }>();
  private seq = 0;

  /** Invalidates every issued token (the next call gets 401). */
  expireTokens(): void {
    this.tokens.clear();
  }

  /**
   * The `Authorization` header of a gateway callback: `Bearer` and an RS256
   * JWT of the published key (`iss` the gateway's realm, `clientId` and
   * `aud` this client, `exp` five minutes ahead unless told otherwise).
   */
  async authorize(options: FakeAbdmCallbackToken = {}): Promise<string> {
    this.keys ??= signingKey('abdm-gateway-1');
    this.foreign ??= signingKey('abdm-gateway-1');
    const key = await (options.foreignKey ? this.foreign : this.keys);
    const issuedAt = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ clientId: 'gateway' })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid })
      .setIssuer(options.issuer ?? ABDM_CALLBACK_ISSUER)
      .setAudience(this.clientId)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + (options.expiresInSeconds ?? 300))
      .sign(key.privateKey);
    return `Bearer ${token}`;
  }

  private static error(status: number, code: string, message: string) {
    return HttpResponse.json({ error: { code, message } }, { status });
  }

  private check(request: Request) {
    const auth = request.headers.get('authorization')?.replace(/^Bearer /, '');
    if (!auth || !this.tokens.has(auth)) return FakeAbdm.error(401, 'ABDM-1094', 'Unauthorized');
    const requestId = request.headers.get('request-id') ?? '';
    if (!/^[0-9a-f-]{36}$/i.test(requestId) || !request.headers.get('timestamp'))
      return FakeAbdm.error(400, 'ABDM-1017', 'REQUEST-ID and TIMESTAMP are required');
    if (!request.headers.get('x-cm-id'))
      return FakeAbdm.error(400, 'ABDM-1017', 'X-CM-ID is required');
    return requestId;
  }

  /** MSW handlers for the fake. */
  handlers() {
    const accepted = () => new HttpResponse(null, { status: 202 });
    return [
      http.get(`${ABDM_API}/api/hiecm/gateway/v3/certs`, async ({ request }) => {
        this.requests.push(request.url);
        this.certsRequests += 1;
        this.keys ??= signingKey('abdm-gateway-1');
        return HttpResponse.json({ keys: [(await this.keys).jwk] });
      }),
      http.post(`${ABDM_API}/api/hiecm/gateway/v3/sessions`, async ({ request }) => {
        this.requests.push(request.url);
        this.tokenRequests += 1;
        const body = (await request.json()) as Record<string, unknown>;
        if (
          body.clientId !== this.clientId ||
          body.clientSecret !== this.clientSecret ||
          body.grantType !== 'client_credentials'
        )
          return FakeAbdm.error(401, 'ABDM-1006', 'Invalid client credentials');
        this.seq += 1;
        const token = `abdm-token-${this.seq}`;
        this.tokens.add(token);
        return HttpResponse.json({
          accessToken: token,
          expiresIn: 1200,
          refreshExpiresIn: 1800,
          refreshToken: `r-${this.seq}`,
          tokenType: 'bearer',
        });
      }),
      http.post(`${ABDM_API}/api/hiecm/hip/v3/link/carecontext`, async ({ request }) => {
        this.requests.push(request.url);
        const checked = this.check(request);
        if (typeof checked !== 'string') return checked;
        const linkToken = request.headers.get('x-link-token');
        if (!linkToken) return FakeAbdm.error(400, 'ABDM-1017', 'X-LINK-TOKEN is required');
        if (!this.seenRequestIds.has(checked)) {
          this.seenRequestIds.add(checked);
          this.links.push({ requestId: checked, linkToken, body: await request.json() });
        }
        return accepted();
      }),
      http.post(`${ABDM_API}/api/hiecm/consent/v3/request/init`, async ({ request }) => {
        this.requests.push(request.url);
        const checked = this.check(request);
        if (typeof checked !== 'string') return checked;
        const body = (await request.json()) as ConsentRequest['body'];
        if (!body.consent?.patient?.id?.includes('@'))
          return FakeAbdm.error(400, 'ABDM-1017', 'Invalid patient id');
        if (!this.seenRequestIds.has(checked)) {
          this.seenRequestIds.add(checked);
          this.seq += 1;
          this.consentRequests.push({
            requestId: checked,
            consentRequestId: `cr-${this.seq}`,
            body,
          });
        }
        return accepted();
      }),
      http.post(`${ABDM_API}/api/hiecm/consent/v3/fetch`, async ({ request }) => {
        this.requests.push(request.url);
        const checked = this.check(request);
        if (typeof checked !== 'string') return checked;
        const { consentId } = (await request.json()) as { consentId: string };
        if (!this.artefacts.has(consentId))
          return FakeAbdm.error(404, 'ABDM-1009', 'Consent artefact not found');
        this.fetches.push({ requestId: checked, consentId });
        return accepted();
      }),
    ];
  }

  private request(requestId: string) {
    const found = this.consentRequests.find((r) => r.requestId === requestId);
    if (!found) throw new Error(`no consent request ${requestId}`);
    return found;
  }

  private notify(consentRequestId: string, status: string, artefactIds: string[]) {
    return {
      notification: {
        consentRequestId,
        status,
        consentArtefacts: artefactIds.map((id) => ({ id })),
      },
    };
  }

  /** The patient grants: returns the notify callback body. */
  grant(requestId: string) {
    const request = this.request(requestId);
    this.seq += 1;
    const id = `ca-${this.seq}`;
    this.artefacts.set(id, { request, status: 'GRANTED' });
    return this.notify(request.consentRequestId, 'GRANTED', [id]);
  }

  /** The patient denies: returns the notify callback body. */
  deny(requestId: string) {
    return this.notify(this.request(requestId).consentRequestId, 'DENIED', []);
  }

  /** The patient revokes (or the artefact expires): returns the notify callback body. */
  revoke(artefactId: string, status: 'REVOKED' | 'EXPIRED' = 'REVOKED') {
    const artefact = this.artefacts.get(artefactId);
    if (!artefact) throw new Error(`no artefact ${artefactId}`);
    artefact.status = status;
    return this.notify(artefact.request.consentRequestId, status, [artefactId]);
  }

  /** The on-fetch callback body for an artefact. */
  onFetch(artefactId: string) {
    const artefact = this.artefacts.get(artefactId);
    if (!artefact) throw new Error(`no artefact ${artefactId}`);
    const { consent } = artefact.request.body;
    return {
      consent: {
        status: artefact.status,
        consentDetail: {
          consentId: artefactId,
          patient: { id: consent.patient.id },
          purpose: consent.purpose,
          hiTypes: consent.hiTypes,
          permission: {
            dateRange: consent.permission.dateRange,
            dataEraseAt: consent.permission.dataEraseAt,
          },
        },
      },
    };
  }
}
