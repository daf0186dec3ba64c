/**
 * iyzico's IYZWSv2 request signing: HMAC-SHA256 over random key + URI path +
 * body with the secret key, sent with the API key and random key as a
 * base64 `Authorization` header. Each request gets a fresh random key.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { AuthStrategy } from '../core/auth.ts';

/**
 * Computes the IYZWSv2 header value for one request.
 *
 * @example
 * iyzicoAuthorization({ apiKey: 'k', secretKey: 's', randomKey: '123', uriPath: '/payment/detail', body: '{}' });
 */
export function iyzicoAuthorization(input: {
  apiKey: string;
  secretKey: string;
  randomKey: string;
  uriPath: string;
  body: string;
}): string {
  const signature = createHmac('sha256', input.secretKey)
    .update(input.randomKey + input.uriPath + input.body)
    .digest('hex');
  const params = `apiKey:${input.apiKey}&randomKey:${input.randomKey}&signature:${signature}`;
  return `IYZWSv2 ${Buffer.from(params, 'utf8').toString('base64')}`;
}

/**
 * The IYZWSv2 auth strategy.
 *
 * @example
 * const auth = iyzicoAuth(process.env.IYZICO_API_KEY!, process.env.IYZICO_SECRET_KEY!);
 */
export function iyzicoAuth(
  apiKey: string,
  secretKey: string,
  randomKey?: () => string,
): AuthStrategy {
  const nextRandom = randomKey ?? (() => `${Date.now()}${randomBytes(4).readUInt32BE(0)}`);
  return {
    async authorize(request) {
      const url = new URL(request.url);
      const body = request.body ? await request.clone().text() : '';
      const rnd = nextRandom();
      request.headers.set('x-iyzi-rnd', rnd);
      request.headers.set(
        'authorization',
        iyzicoAuthorization({
          apiKey,
          secretKey,
          randomKey: rnd,
          uriPath: url.pathname + url.search,
          body,
        }),
      );
    },
  };
}
