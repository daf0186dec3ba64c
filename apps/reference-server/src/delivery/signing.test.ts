import { Webhook } from 'standardwebhooks';
import { describe, expect, test } from 'vitest';
import {
  newEndpointSecret,
  SECRET_ROTATION_GRACE_MS,
  signDelivery,
  signingSecrets,
} from './signing.ts';

const now = Date.UTC(2026, 10, 22, 9, 0, 0);
const body = JSON.stringify({
  id: 'evt_abcdefghijklmnopqrstuvwxyz',
  type: 'webhook_endpoint.ping',
  data: {},
});

function verifiesWith(secret: string, headers: Record<string, string>): boolean {
  try {
    // The standardwebhooks package checks the timestamp against the real clock.
    new Webhook(secret).verify(body, headers);
    return true;
  } catch {
    return false;
  }
}

describe('delivery signing', () => {
  test('the standardwebhooks package verifies our signature; webhook-id is the event id', () => {
    const secret = newEndpointSecret();
    expect(secret).toMatch(/^whsec_/);
    const headers = signDelivery({
      eventId: 'evt_abcdefghijklmnopqrstuvwxyz',
      body,
      secrets: [secret],
      nowMs: Date.now(),
    });
    expect(headers['webhook-id']).toBe('evt_abcdefghijklmnopqrstuvwxyz');
    expect(verifiesWith(secret, headers)).toBe(true);
    expect(verifiesWith(newEndpointSecret(), headers)).toBe(false);
  });

  test('during a rotation both the old and the new secret verify', () => {
    const [oldSecret, newSecret] = [newEndpointSecret(), newEndpointSecret()];
    const endpoint = {
      secret: newSecret,
      previous_secret: oldSecret,
      previous_secret_expires_at: new Date(now + SECRET_ROTATION_GRACE_MS),
    };
    const secrets = signingSecrets(endpoint, now);
    expect(secrets).toEqual([newSecret, oldSecret]);
    const headers = signDelivery({
      eventId: 'evt_abcdefghijklmnopqrstuvwxyz',
      body,
      secrets,
      nowMs: Date.now(),
    });
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(verifiesWith(oldSecret, headers)).toBe(true);
    expect(verifiesWith(newSecret, headers)).toBe(true);
  });

  test('the old secret stops signing after 24 hours', () => {
    const endpoint = {
      secret: 'whsec_new',
      previous_secret: 'whsec_old',
      previous_secret_expires_at: new Date(now + SECRET_ROTATION_GRACE_MS),
    };
    expect(signingSecrets(endpoint, now + SECRET_ROTATION_GRACE_MS - 1)).toHaveLength(2);
    expect(signingSecrets(endpoint, now + SECRET_ROTATION_GRACE_MS)).toEqual(['whsec_new']);
    expect(signingSecrets({ ...endpoint, previous_secret: null }, now)).toEqual(['whsec_new']);
  });
});
