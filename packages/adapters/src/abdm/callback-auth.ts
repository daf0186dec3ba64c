/**
 * Authentication of the ABDM gateway's callbacks. The gateway puts a JWT it
 * signed (RS256, or RS512) in each callback's `Authorization: Bearer …`
 * header; its public keys are published as a JWKS at
 * `/api/hiecm/gateway/v3/certs`. A callback is accepted only when the token
 * verifies against those keys, names the configured issuer (and audience,
 * when one is configured) and has not expired, within a small clock
 * tolerance. The key set is fetched with a time and size bound, cached, and
 * fetched again (at most once per cool-down) when a token names a key the
 * cache does not hold, so the gateway can rotate its keys.
 */
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTPayload, jwtVerify } from 'jose';

/**
 * Why a callback was refused: no bearer token, a token that does not verify
 * (signature, issuer, audience, algorithm, shape), an expired one, or the
 * gateway's keys could not be read (retry later).
 *
 * @example
 * const reason: AbdmCallbackAuthReason = 'expired_token';
 */
export type AbdmCallbackAuthReason =
  | 'missing_token'
  | 'invalid_token'
  | 'expired_token'
  | 'keys_unavailable';

/**
 * A refused callback. The message is fixed per reason: it never echoes the token.
 *
 * @example
 * try { await verifier.verify(request.headers.get('authorization')); }
 * catch (error) { if (isAbdmCallbackAuthError(error)) return new Response(null, { status: 401 }); }
 */
export class AbdmCallbackAuthError extends Error {
  override readonly name = 'AbdmCallbackAuthError' as const;
  readonly reason: AbdmCallbackAuthReason;

  constructor(reason: AbdmCallbackAuthReason) {
    super(MESSAGES[reason]);
    this.reason = reason;
  }
}

const MESSAGES: Record<AbdmCallbackAuthReason, string> = {
  missing_token: 'The callback carries no bearer token; only the ABDM gateway may call here.',
  invalid_token:
    "The callback's token does not verify against the ABDM gateway's keys, issuer or audience.",
  expired_token: "The callback's token has expired; the gateway sends a fresh one on retry.",
  keys_unavailable: "The ABDM gateway's keys could not be read; the gateway should retry later.",
};

/**
 * Whether `error` is an {@link AbdmCallbackAuthError} (by name, across copies of the package).
 *
 * @example
 * if (isAbdmCallbackAuthError(error) && error.reason === 'keys_unavailable') retryLater();
 */
export function isAbdmCallbackAuthError(error: unknown): error is AbdmCallbackAuthError {
  return error instanceof Error && error.name === 'AbdmCallbackAuthError';
}

/**
 * Settings of {@link createAbdmCallbackVerifier}.
 *
 * @example
 * const options: AbdmCallbackVerifierOptions = {
 *   jwksUrl: 'https://dev.abdm.gov.in/api/hiecm/gateway/v3/certs',
 *   issuer: 'https://dev.ndhm.gov.in/auth/realms/central-registry',
 * };
 */
export interface AbdmCallbackVerifierOptions {
  /** The gateway's JWKS (`<gateway>/api/hiecm/gateway/v3/certs`). */
  jwksUrl: string;
  /** The `iss` the gateway's tokens carry. */
  issuer: string;
  /** The `aud` to require; unset: not checked. */
  audience?: string;
  /** Accepted clock difference for `exp`/`nbf`, seconds (default 30). */
  clockToleranceSeconds?: number;
  /** Bound on one key-set fetch, milliseconds (default 5,000). */
  timeoutMs?: number;
  /** Largest key-set body read, bytes (default 64 KiB). */
  maxJwksBytes?: number;
  /** How long a fetched key set is used, milliseconds (default 10 minutes). */
  cacheMaxAgeMs?: number;
  /** Least time between two fetches for an unknown key id, milliseconds (default 30 s). */
  refetchCooldownMs?: number;
  fetch?: typeof fetch;
  now?: () => Date;
}

/**
 * Checks callbacks' bearer tokens.
 *
 * @example
 * const claims = await verifier.verify(request.headers.get('authorization'));
 */
export interface AbdmCallbackVerifier {
  verify(authorization: string | null | undefined): Promise<JWTPayload>;
}

type KeySet = ReturnType<typeof createLocalJWKSet>;

async function readBounded(response: Response, limit: number): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new Error('key set too large');
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

function toKeySet(text: string): KeySet {
  const parsed = JSON.parse(text) as { keys?: unknown };
  if (!Array.isArray(parsed.keys) || parsed.keys.length === 0 || parsed.keys.length > 50)
    throw new Error('not a key set');
  return createLocalJWKSet(parsed as JSONWebKeySet);
}

/**
 * Creates the verifier of the gateway's callbacks.
 *
 * @example
 * const verifier = createAbdmCallbackVerifier({ jwksUrl, issuer: 'https://dev.ndhm.gov.in/auth/realms/central-registry' });
 * await verifier.verify(request.headers.get('authorization')); // throws AbdmCallbackAuthError when refused
 */
export function createAbdmCallbackVerifier(
  options: AbdmCallbackVerifierOptions,
): AbdmCallbackVerifier {
  const doFetch = options.fetch ?? fetch;
  const now = () => options.now?.() ?? new Date();
  const maxAge = options.cacheMaxAgeMs ?? 600_000;
  const cooldown = options.refetchCooldownMs ?? 30_000;
  let cached: { keys: KeySet; at: number } | undefined;
  let inflight: Promise<KeySet> | undefined;

  const fetchKeys = (): Promise<KeySet> => {
    inflight ??= (async () => {
      try {
        const response = await doFetch(options.jwksUrl, {
          headers: { accept: 'application/json' },
          signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
        });
        if (!response.ok) {
          await response.body?.cancel();
          throw new Error(`status ${response.status}`);
        }
        const keys = toKeySet(await readBounded(response, options.maxJwksBytes ?? 65_536));
        cached = { keys, at: Date.now() };
        return keys;
      } catch {
        throw new AbdmCallbackAuthError('keys_unavailable');
      } finally {
        inflight = undefined;
      }
    })();
    return inflight;
  };

  const keysFor = async (): Promise<KeySet> =>
    cached && Date.now() - cached.at < maxAge ? cached.keys : fetchKeys();

  const check = (token: string, keys: KeySet) =>
    jwtVerify(token, keys, {
      issuer: options.issuer,
      ...(options.audience !== undefined ? { audience: options.audience } : {}),
      algorithms: ['RS256', 'RS512'],
      requiredClaims: ['exp', 'iss'],
      clockTolerance: options.clockToleranceSeconds ?? 30,
      currentDate: now(),
    });

  return {
    async verify(authorization) {
      const match = /^Bearer\s+(\S{1,8192})$/i.exec(authorization?.trim() ?? '');
      if (!match?.[1]) throw new AbdmCallbackAuthError('missing_token');
      const token = match[1];
      try {
        try {
          return (await check(token, await keysFor())).payload;
        } catch (error) {
          // A key id the cached set lacks: the gateway may have rotated; read its keys again.
          if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
          if (cached && Date.now() - cached.at < cooldown) throw error;
          return (await check(token, await fetchKeys())).payload;
        }
      } catch (error) {
        if (isAbdmCallbackAuthError(error)) throw error;
        if (error instanceof errors.JWTExpired) throw new AbdmCallbackAuthError('expired_token');
        throw new AbdmCallbackAuthError('invalid_token');
      }
    },
  };
}
