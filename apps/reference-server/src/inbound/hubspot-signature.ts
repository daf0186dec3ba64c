/**
 * How HubSpot signs its webhooks (signature v3), for `/webhooks/hubspot`:
 * `X-HubSpot-Signature-v3` is the base64 HMAC-SHA256, keyed with the app's
 * client secret, of the method, the URI HubSpot called, the raw body and
 * `X-HubSpot-Request-Timestamp` (milliseconds since the epoch), joined
 * without separators. A request whose timestamp is more than five minutes
 * from the server's clock is refused, so a captured request cannot be
 * replayed later. The URI is the one HubSpot called: the request's URL,
 * or `INBOUND_HUBSPOT_URL` when a proxy in front of the server changes it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookVerificationError } from '@clinicbridge/webhooks';
import type { SignatureCheck } from './gateway-signatures.ts';

/** HubSpot's tolerance: older (or later) requests are refused. */
const MAX_AGE_MS = 5 * 60_000;

// HubSpot signs the URI with these escapes decoded (its documented list).
const DECODED: Record<string, string> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

/**
 * The URI as HubSpot signs it.
 *
 * @example
 * hubspotSignedUri('https://x.example/webhooks/hubspot?a=%3A'); // 'https://x.example/webhooks/hubspot?a=:'
 */
export function hubspotSignedUri(uri: string): string {
  return uri.replace(
    /%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi,
    (m) => DECODED[m.toUpperCase()] ?? m,
  );
}

/**
 * The v3 signature of a request, base64.
 *
 * @example
 * const signature = hubspotSignatureV3('secret', 'POST', 'https://x.example/webhooks/hubspot', body, '1733570000000');
 */
export function hubspotSignatureV3(
  secret: string,
  method: string,
  uri: string,
  body: Uint8Array | string,
  timestamp: string,
): string {
  return createHmac('sha256', secret)
    .update(`${method.toUpperCase()}${hubspotSignedUri(uri)}`)
    .update(body)
    .update(timestamp)
    .digest('base64');
}

/**
 * Checks `X-HubSpot-Signature-v3` against any of `secrets` (rotation) and
 * any URL the request may have been sent to, and the request's age.
 *
 * @example
 * await verifyHubSpotSignature(raw, headers, [secret], { method: 'POST', urls: [url], now: new Date() });
 */
export const verifyHubSpotSignature: SignatureCheck = async (raw, headers, secrets, request) => {
  const given = headers.get('x-hubspot-signature-v3');
  const timestamp = headers.get('x-hubspot-request-timestamp');
  if (!given || !timestamp) {
    throw new WebhookVerificationError(
      'missing_header',
      'X-HubSpot-Signature-v3 and X-HubSpot-Request-Timestamp are required; use the v3 signature of a HubSpot app.',
    );
  }
  const now = request?.now.getTime() ?? Date.now();
  if (!/^\d{1,15}$/.test(timestamp)) {
    throw new WebhookVerificationError(
      'invalid_timestamp',
      'X-HubSpot-Request-Timestamp must be milliseconds since the epoch.',
    );
  }
  const sent = Number(timestamp);
  if (now - sent > MAX_AGE_MS) {
    throw new WebhookVerificationError(
      'timestamp_too_old',
      'The HubSpot request is older than five minutes; check the server clock.',
    );
  }
  if (sent - now > MAX_AGE_MS) {
    throw new WebhookVerificationError(
      'timestamp_in_future',
      'The HubSpot request is dated more than five minutes ahead; check the server clock.',
    );
  }
  const method = request?.method ?? 'POST';
  const uris = request?.urls ?? [];
  const presented = Buffer.from(given.trim(), 'utf8');
  for (const secret of secrets) {
    for (const uri of uris) {
      const wanted = Buffer.from(hubspotSignatureV3(secret, method, uri, raw, timestamp), 'utf8');
      if (wanted.length === presented.length && timingSafeEqual(wanted, presented)) return;
    }
  }
  throw new WebhookVerificationError(
    'invalid_signature',
    'The X-HubSpot-Signature-v3 signature does not match; check INBOUND_HUBSPOT_SECRET is the app client secret and INBOUND_HUBSPOT_URL the URL HubSpot calls.',
  );
};
