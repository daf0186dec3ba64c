/**
 * LiveKit access tokens: HS256 JWTs signed with the API secret, `iss` = the
 * API key, `sub` = the participant's identity, `nbf`/`exp`, and a `video`
 * grant saying what the bearer may do. The same format authorises both a
 * participant joining a room (`roomJoin` + `room`) and the server's own
 * calls to the RoomService (`roomCreate`, or `roomAdmin` + `room`).
 */
import { SignJWT } from 'jose';

/**
 * The `video` grant of a token (the fields this adapter uses).
 *
 * @example
 * const grant: VideoGrant = { roomJoin: true, room: 'k3v9…', canPublish: true, canSubscribe: true };
 */
export interface VideoGrant {
  roomCreate?: boolean;
  roomAdmin?: boolean;
  roomJoin?: boolean;
  room?: string;
  canPublish?: boolean;
  canSubscribe?: boolean;
  canPublishData?: boolean;
}

/**
 * What goes into one token.
 *
 * @example
 * const claims: AccessTokenClaims = { video: { roomCreate: true }, ttlSeconds: 60 };
 */
export interface AccessTokenClaims {
  video: VideoGrant;
  /** The participant identity (`sub`); absent for server calls. */
  identity?: string;
  /** Display name shown to other participants. */
  name?: string;
  /** Settings LiveKit applies when this token's join creates the room. */
  roomConfig?: { emptyTimeout: number; maxParticipants: number };
  ttlSeconds: number;
}

/**
 * Signs a LiveKit access token.
 *
 * @example
 * const { token, expiresAt } = await signAccessToken({ apiKey, key, now }, { video: { roomCreate: true }, ttlSeconds: 60 });
 */
export async function signAccessToken(
  signer: { apiKey: string; key: Uint8Array; now: () => Date },
  claims: AccessTokenClaims,
): Promise<{ token: string; expiresAt: string }> {
  const issuedAt = Math.floor(signer.now().getTime() / 1000);
  const expiresAt = issuedAt + claims.ttlSeconds;
  const jwt = new SignJWT({
    video: claims.video,
    ...(claims.name !== undefined ? { name: claims.name } : {}),
    ...(claims.roomConfig !== undefined ? { roomConfig: claims.roomConfig } : {}),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(signer.apiKey)
    .setNotBefore(issuedAt - 30)
    .setExpirationTime(expiresAt)
    .setJti(crypto.randomUUID());
  if (claims.identity !== undefined) jwt.setSubject(claims.identity);
  const token = await jwt.sign(signer.key);
  return { token, expiresAt: new Date(expiresAt * 1000).toISOString() };
}
