/**
 * The conformance suite every signature scheme must pass, run once per
 * registered scheme by registry.test.ts.
 */
import { describe, expect, test } from 'vitest';
import type { WebhookErrorCode } from '../errors.ts';
import type { WebhookScheme } from '../scheme.ts';

export interface ConformanceOptions {
  /** A fresh valid signing secret for the scheme. */
  secret: () => string;
  /** The header the scheme requires, to test its absence. */
  signatureHeader: string;
}

async function codeOf(run: () => unknown): Promise<WebhookErrorCode | undefined> {
  try {
    await run();
    return undefined;
  } catch (error) {
    return (error as { code?: WebhookErrorCode }).code;
  }
}

export function describeSchemeConformance(
  scheme: WebhookScheme,
  options: ConformanceOptions,
): void {
  const now = 1_700_000_000;
  const clock = { now: () => now * 1000 };
  const payload = '{"type":"payment.succeeded","data":{"amount":1250,"currency":"EUR"}}';
  const input = (secret: string | string[], body: string | Uint8Array = payload) => ({
    id: 'msg_conformance',
    timestamp: now,
    payload: body,
    secret,
  });

  describe(`${scheme.name} scheme conformance`, () => {
    test('sign → verify round-trips, sync and async, for every payload type', async () => {
      const secret = options.secret();
      const headers = await scheme.sign(input(secret));
      expect(scheme.signSync(input(secret))).toEqual(headers);
      const bytes = new TextEncoder().encode(payload);
      for (const body of [payload, bytes, Buffer.from(payload), bytes.buffer.slice(0)]) {
        expect(await scheme.verify(body, headers, secret, clock)).toEqual(JSON.parse(payload));
        expect(scheme.verifySync(body, headers, secret, clock)).toEqual(JSON.parse(payload));
      }
    });

    test('rejects a tampered body and a wrong secret with invalid_signature', async () => {
      const secret = options.secret();
      const headers = scheme.signSync(input(secret));
      expect(await codeOf(() => scheme.verify(`${payload}\n`, headers, secret, clock))).toBe(
        'invalid_signature',
      );
      expect(await codeOf(() => scheme.verify(payload, headers, options.secret(), clock))).toBe(
        'invalid_signature',
      );
    });

    test('rotation: verify with any of several secrets, sign with several', async () => {
      const [oldSecret, newSecret, other] = [options.secret(), options.secret(), options.secret()];
      const headers = scheme.signSync(input(oldSecret));
      expect(scheme.verifySync(payload, headers, [newSecret, oldSecret], clock)).toBeTruthy();
      const both = await scheme.sign(input([oldSecret, newSecret]));
      expect(await scheme.verify(payload, both, oldSecret, clock)).toBeTruthy();
      expect(await scheme.verify(payload, both, newSecret, clock)).toBeTruthy();
      expect(await codeOf(() => scheme.verify(payload, both, other, clock))).toBe(
        'invalid_signature',
      );
    });

    test('reads its header in any case, from Headers or a plain object', async () => {
      const secret = options.secret();
      const headers = scheme.signSync(input(secret));
      const upper = Object.fromEntries(
        Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]),
      );
      expect(await scheme.verify(payload, upper, secret, clock)).toBeTruthy();
      expect(await scheme.verify(payload, new Headers(headers), secret, clock)).toBeTruthy();
    });

    test('a missing signature header is missing_header', async () => {
      const secret = options.secret();
      const headers: Record<string, string> = { ...scheme.signSync(input(secret)) };
      delete headers[options.signatureHeader];
      expect(await codeOf(() => scheme.verify(payload, headers, secret, clock))).toBe(
        'missing_header',
      );
    });

    test('empty body: empty_payload when parsing, verifiable with parse: false', async () => {
      const secret = options.secret();
      const headers = scheme.signSync(input(secret, ''));
      expect(await codeOf(() => scheme.verify('', headers, secret, clock))).toBe('empty_payload');
      expect(await scheme.verify('', headers, secret, { ...clock, parse: false })).toBe('');
    });

    test('a signed body that is not JSON: payload_not_json, or raw with parse: false', async () => {
      const secret = options.secret();
      const body = new Uint8Array([0xc3, 0x28, 0xff]);
      const headers = scheme.signSync(input(secret, body));
      expect(await codeOf(() => scheme.verify(body, headers, secret, clock))).toBe(
        'payload_not_json',
      );
      expect(await scheme.verify(body, headers, secret, { ...clock, parse: false })).toBe(body);
    });

    test('a parsed object is refused as invalid_payload', async () => {
      const secret = options.secret();
      const headers = scheme.signSync(input(secret));
      const parsed = JSON.parse(payload) as string;
      expect(await codeOf(() => scheme.verify(parsed, headers, secret, clock))).toBe(
        'invalid_payload',
      );
    });

    test('signing refuses secrets shorter than 24 bytes; verifying refuses empty secrets', async () => {
      expect(await codeOf(() => scheme.sign(input('too-short-secret')))).toBe('invalid_secret');
      const headers = scheme.signSync(input(options.secret()));
      expect(await codeOf(() => scheme.verify(payload, headers, '', clock))).toBe('invalid_secret');
      expect(await codeOf(() => scheme.verify(payload, headers, [], clock))).toBe('invalid_secret');
    });

    test(
      scheme.timestamped
        ? 'rejects timestamps outside the tolerance, both ways'
        : 'has no timestamp: any age verifies (pair it with deduplication)',
      async () => {
        const secret = options.secret();
        const headers = scheme.signSync(input(secret));
        const at = (seconds: number) => ({ now: () => seconds * 1000 });
        if (scheme.timestamped) {
          expect(await scheme.verify(payload, headers, secret, at(now + 300))).toBeTruthy();
          expect(await codeOf(() => scheme.verify(payload, headers, secret, at(now + 301)))).toBe(
            'timestamp_too_old',
          );
          expect(await codeOf(() => scheme.verify(payload, headers, secret, at(now - 301)))).toBe(
            'timestamp_in_future',
          );
        } else {
          expect(await scheme.verify(payload, headers, secret, at(now + 10 ** 8))).toBeTruthy();
        }
      },
    );

    test('a header with more than 32 signatures is invalid_header', async () => {
      const secret = options.secret();
      const headers: Record<string, string> = { ...scheme.signSync(input(secret)) };
      const value = headers[options.signatureHeader]!;
      const separator = options.signatureHeader === 'webhook-signature' ? ' ' : ',';
      headers[options.signatureHeader] = Array.from({ length: 40 }, () => value).join(separator);
      expect(await codeOf(() => scheme.verify(payload, headers, secret, clock))).toBe(
        'invalid_header',
      );
    });

    test('error messages never contain the secret or the expected signature', async () => {
      const secret = options.secret();
      const headers = scheme.signSync(input(secret));
      const error = (await Promise.resolve(
        scheme.verify(`${payload} `, headers, secret, clock),
      ).catch((e: unknown) => e)) as Error;
      const text = `${error.message} ${JSON.stringify(error)}`;
      expect(text).not.toContain(secret);
      for (const value of Object.values(headers)) {
        for (const part of value.split(/[ ,=]/).filter((p) => p.length > 20)) {
          expect(text).not.toContain(part);
        }
      }
    });
  });
}
