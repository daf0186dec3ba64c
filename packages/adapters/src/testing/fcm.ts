/**
 * A fake FCM HTTP v1 and Google token endpoint for tests: the service
 * account's JWT assertion is verified (RS256, issuer, audience, scope) with
 * jose, access tokens can be expired, `messages:send` answers
 * `{ name: 'projects/…/messages/…' }`, and unknown device tokens get Google's
 * `NOT_FOUND` / `UNREGISTERED` error shape.
 */
import { exportPKCS8, generateKeyPair, jwtVerify } from 'jose';
import { HttpResponse, http } from 'msw';
import { readForm } from './shared.ts';

/**
 * Base URLs the fake answers on.
 *
 * @example
 * server.use(serverErrors({ method: 'post', url: `${FCM_API}/v1/*`, times: 5 }).handler);
 */
export const FCM_API = 'https://fcm.googleapis.com';
/** @example GOOGLE_TOKEN_URL; // 'https://oauth2.googleapis.com/token' */
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

/**
 * State of the fake Firebase project. Create with {@link FakeFcm.create}
 * (it generates the service account's key pair).
 *
 * @example
 * const fcm = await FakeFcm.create();
 * server.use(...fcm.handlers());
 * createFcmPushChannel({ serviceAccount: fcm.serviceAccount, sink });
 */
export class FakeFcm {
  readonly projectId = 'clinic-app-test';
  readonly sent: Array<{ name: string; message: Record<string, unknown> }> = [];
  readonly requests: string[] = [];
  /** Device tokens FCM no longer knows (app uninstalled). */
  readonly unregistered = new Set<string>();
  tokenRequests = 0;
  /**
   * The key to give the adapter. Served over HTTP (`serveFakeProvider`), set
   * `token_uri` to the served token endpoint: assertions must name it as
   * their audience, as Google's must name Google's.
   */
  readonly serviceAccount: {
    project_id: string;
    client_email: string;
    private_key: string;
    private_key_id: string;
    token_uri: string;
  };
  private readonly publicKey: CryptoKey;
  private readonly tokens = new Set<string>();
  private seq = 0;

  private constructor(privatePem: string, publicKey: CryptoKey) {
    this.publicKey = publicKey;
    this.serviceAccount = {
      project_id: this.projectId,
      client_email: `push@${this.projectId}.iam.gserviceaccount.com`,
      private_key: privatePem,
      private_key_id: 'key-1',
      token_uri: GOOGLE_TOKEN_URL,
    };
  }

  /** A fake project with a freshly generated service-account key. */
  static async create(): Promise<FakeFcm> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    return new FakeFcm(await exportPKCS8(privateKey), publicKey);
  }

  /** Invalidates every issued access token. */
  expireTokens(): void {
    this.tokens.clear();
  }

  private static error(code: number, status: string, message: string, errorCode?: string) {
    return HttpResponse.json(
      {
        error: {
          code,
          message,
          status,
          ...(errorCode
            ? {
                details: [
                  { '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode },
                ],
              }
            : {}),
        },
      },
      { status: code },
    );
  }

  /** MSW handlers for the fake. */
  handlers() {
    return [
      http.post(GOOGLE_TOKEN_URL, async ({ request }) => {
        this.tokenRequests += 1;
        const form = await readForm(request);
        if (form.grant_type !== 'urn:ietf:params:oauth:grant-type:jwt-bearer' || !form.assertion)
          return HttpResponse.json({ error: 'unsupported_grant_type' }, { status: 400 });
        try {
          const { payload } = await jwtVerify(form.assertion, this.publicKey, {
            issuer: this.serviceAccount.client_email,
            // Google's token URL, or where a test serves this fake (see `serviceAccount.token_uri`).
            audience: this.serviceAccount.token_uri,
          });
          if (payload.scope !== 'https://www.googleapis.com/auth/firebase.messaging')
            throw new Error('scope');
        } catch {
          return HttpResponse.json(
            { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' },
            { status: 400 },
          );
        }
        this.seq += 1;
        const token = `ya29.fake-${this.seq}`;
        this.tokens.add(token);
        return HttpResponse.json({ access_token: token, expires_in: 3599, token_type: 'Bearer' });
      }),
      http.post(`${FCM_API}/v1/projects/:project/messages\\:send`, async ({ request, params }) => {
        this.requests.push(request.url);
        const token = request.headers.get('authorization')?.replace(/^Bearer /, '') ?? '';
        if (!this.tokens.has(token))
          return FakeFcm.error(
            401,
            'UNAUTHENTICATED',
            'Request had invalid authentication credentials.',
          );
        if (params.project !== this.projectId)
          return FakeFcm.error(403, 'PERMISSION_DENIED', 'SenderId mismatch', 'SENDER_ID_MISMATCH');
        const body = (await request.json()) as { message?: Record<string, unknown> };
        const message = body.message;
        if (!message || typeof message.token !== 'string')
          return FakeFcm.error(
            400,
            'INVALID_ARGUMENT',
            'Invalid registration token',
            'INVALID_ARGUMENT',
          );
        if (this.unregistered.has(message.token))
          return FakeFcm.error(404, 'NOT_FOUND', 'Requested entity was not found.', 'UNREGISTERED');
        this.seq += 1;
        const name = `projects/${this.projectId}/messages/0:${this.seq}`;
        this.sent.push({ name, message });
        return HttpResponse.json({ name });
      }),
    ];
  }
}
