/**
 * LiveKit's server API speaks Twirp: every method is a `POST` of a JSON body
 * to `/twirp/livekit.RoomService/<Method>`, and a failure answers
 * `{ "code": "<twirp code>", "msg": "…" }` with the matching HTTP status.
 * This file maps those codes to the internal ones; the message is never
 * kept (it may echo a room or participant name).
 */
import type { ProviderFailure, ProviderReply } from '../core/client-types.ts';
import type { ProviderErrorCode } from '../core/errors.ts';

/**
 * The path of a RoomService method.
 *
 * @example
 * roomServicePath('CreateRoom'); // '/twirp/livekit.RoomService/CreateRoom'
 */
export const roomServicePath = (method: 'CreateRoom' | 'ListParticipants'): string =>
  `/twirp/livekit.RoomService/${method}`;

const TWIRP_CODES: Readonly<Record<string, ProviderErrorCode>> = {
  canceled: 'provider_unavailable',
  unknown: 'provider_unavailable',
  internal: 'provider_unavailable',
  unavailable: 'provider_unavailable',
  dataloss: 'provider_unavailable',
  deadline_exceeded: 'timeout',
  resource_exhausted: 'rate_limited',
  unauthenticated: 'auth_failed',
  permission_denied: 'auth_failed',
  invalid_argument: 'invalid_request',
  malformed: 'invalid_request',
  out_of_range: 'invalid_request',
  bad_route: 'invalid_request',
  unimplemented: 'invalid_request',
  not_found: 'not_found',
  already_exists: 'conflict',
  aborted: 'conflict',
  failed_precondition: 'rejected',
};

/**
 * Reads a Twirp error body; `undefined` for a success or a body that is not
 * Twirp's (the status then decides).
 *
 * @example
 * mapTwirpError({ status: 404, body: { code: 'not_found', msg: 'room not found' }, headers });
 * // { code: 'not_found', providerCode: 'not_found' }
 */
export function mapTwirpError(reply: ProviderReply): ProviderFailure | undefined {
  if (reply.status < 400) return undefined;
  const body = reply.body as { code?: unknown } | undefined;
  const twirp = typeof body?.code === 'string' ? body.code : undefined;
  if (twirp === undefined) return undefined;
  const code = TWIRP_CODES[twirp];
  return { ...(code ? { code } : {}), providerCode: twirp.slice(0, 40) };
}
