import { describe, expect, test } from 'vitest';
import { describeSchemeConformance } from './__fixtures__/scheme-conformance.ts';
import { getScheme, isSchemeName, isWebhookVerificationError, schemes } from './index.ts';
import { generateSecret } from './standard/index.ts';

const randomText = () => `sk_${crypto.randomUUID()}`;

describeSchemeConformance(schemes.standard, {
  secret: generateSecret,
  signatureHeader: 'webhook-signature',
});
describeSchemeConformance(schemes.stripe, {
  secret: () => `whsec_${randomText()}`,
  signatureHeader: 'stripe-signature',
});
describeSchemeConformance(schemes.meta, {
  secret: randomText,
  signatureHeader: 'x-hub-signature-256',
});
describeSchemeConformance(schemes.github, {
  secret: randomText,
  signatureHeader: 'x-hub-signature-256',
});
describeSchemeConformance(schemes.hmac, { secret: randomText, signatureHeader: 'x-signature' });

describe('registry', () => {
  test('getScheme returns each scheme by its name', () => {
    for (const [name, scheme] of Object.entries(schemes)) {
      expect(getScheme(name)).toBe(scheme);
      expect(scheme.name).toBe(name);
      expect(isSchemeName(name)).toBe(true);
    }
    expect(Object.keys(schemes).sort()).toEqual(['github', 'hmac', 'meta', 'standard', 'stripe']);
  });

  test('an unknown name raises unknown_scheme, and inherited keys are not schemes', () => {
    for (const name of ['paypal', 'toString', '__proto__']) {
      expect(isSchemeName(name)).toBe(false);
      try {
        getScheme(name);
        expect.unreachable();
      } catch (error) {
        expect(isWebhookVerificationError(error) && error.code).toBe('unknown_scheme');
      }
    }
  });

  test('eventId finds each provider’s delivery id', async () => {
    const standardHeaders = schemes.standard.signSync({
      id: 'msg_9',
      payload: '{}',
      secret: generateSecret(),
    });
    expect(schemes.standard.eventId(standardHeaders, {})).toBe('msg_9');
    expect(schemes.standard.eventId({ 'svix-id': 'msg_s' }, {})).toBe('msg_s');
    expect(schemes.stripe.eventId({}, { id: 'evt_1' })).toBe('evt_1');
    expect(schemes.stripe.eventId({}, 'raw')).toBeUndefined();
    expect(schemes.github.eventId({ 'X-GitHub-Delivery': 'd-1' }, {})).toBe('d-1');
    expect(schemes.meta.eventId({ 'X-GitHub-Delivery': 'd-1' }, {})).toBeUndefined();
    expect(schemes.hmac.eventId({}, {})).toBeUndefined();
  });
});
