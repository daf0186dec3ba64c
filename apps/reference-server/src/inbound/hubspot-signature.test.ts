/** HubSpot signature v3: what is signed, the five-minute window, rotation, and the URI escapes HubSpot decodes. */
import { createHmac } from 'node:crypto';
import { isWebhookVerificationError } from '@clinicbridge/webhooks';
import { describe, expect, test } from 'vitest';
import {
  hubspotSignatureV3,
  hubspotSignedUri,
  verifyHubSpotSignature,
} from './hubspot-signature.ts';

const SECRET = 'app-client-secret';
const URL = 'https://clinic.example/webhooks/hubspot';
const BODY = new TextEncoder().encode(
  '[{"eventId":1,"subscriptionType":"contact.propertyChange"}]',
);
const NOW = new Date('2026-12-07T12:00:00Z');

function headersFor(signature: string, timestamp: number) {
  return new Headers({
    'x-hubspot-signature-v3': signature,
    'x-hubspot-request-timestamp': String(timestamp),
  });
}

async function failure(promise: Promise<void>) {
  try {
    await promise;
  } catch (error) {
    if (isWebhookVerificationError(error)) return error.code;
    throw error;
  }
  return 'accepted';
}

const check = (headers: Headers, secrets = [SECRET], urls = [URL], method = 'POST') =>
  failure(verifyHubSpotSignature(BODY, headers, secrets, { method, urls, now: NOW }));

describe('HubSpot signature v3', () => {
  test('is base64 HMAC-SHA256 of method, URI, body and timestamp', () => {
    const timestamp = String(NOW.getTime());
    const expected = createHmac('sha256', SECRET)
      .update(`POST${URL}${new TextDecoder().decode(BODY)}${timestamp}`)
      .digest('base64');
    expect(hubspotSignatureV3(SECRET, 'POST', URL, BODY, timestamp)).toBe(expected);
  });

  test('a signed request is accepted, with any of several secrets and at any listed URL', async () => {
    const at = NOW.getTime() - 60_000;
    const signature = hubspotSignatureV3(SECRET, 'POST', URL, BODY, String(at));
    expect(await check(headersFor(signature, at))).toBe('accepted');
    expect(await check(headersFor(signature, at), ['old-secret', SECRET])).toBe('accepted');
    expect(
      await check(headersFor(signature, at), [SECRET], ['http://10.0.0.2/webhooks/hubspot', URL]),
    ).toBe('accepted');
  });

  test('another secret, method, URL or timestamp does not match', async () => {
    const at = NOW.getTime();
    const signature = hubspotSignatureV3(SECRET, 'POST', URL, BODY, String(at));
    expect(await check(headersFor(signature, at), ['other'])).toBe('invalid_signature');
    expect(await check(headersFor(signature, at), [SECRET], [URL], 'PUT')).toBe(
      'invalid_signature',
    );
    expect(await check(headersFor(signature, at), [SECRET], [`${URL}?x=1`])).toBe(
      'invalid_signature',
    );
    expect(await check(headersFor(signature, at + 1))).toBe('invalid_signature');
  });

  test('older or later than five minutes is refused however well signed', async () => {
    for (const [offset, code] of [
      [-5 * 60_000 - 1, 'timestamp_too_old'],
      [5 * 60_000 + 1, 'timestamp_in_future'],
    ] as const) {
      const at = NOW.getTime() + offset;
      const signature = hubspotSignatureV3(SECRET, 'POST', URL, BODY, String(at));
      expect(await check(headersFor(signature, at))).toBe(code);
    }
    const edge = NOW.getTime() - 5 * 60_000;
    const signature = hubspotSignatureV3(SECRET, 'POST', URL, BODY, String(edge));
    expect(await check(headersFor(signature, edge))).toBe('accepted');
  });

  test('missing headers and a timestamp that is not milliseconds are refused', async () => {
    expect(await check(new Headers())).toBe('missing_header');
    expect(await check(headersFor('x', Number.NaN))).toBe('invalid_timestamp');
  });

  test('the URI is signed with the escapes HubSpot decodes', () => {
    expect(
      hubspotSignedUri('https://a.example/w?x=%3A%2F%3F%40%21%24%27%28%29%2A%2C%3B&y=%20'),
    ).toBe("https://a.example/w?x=:/?@!$'()*,;&y=%20");
  });
});
