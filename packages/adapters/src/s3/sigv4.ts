/**
 * AWS Signature Version 4 for S3: the `Authorization` header of a direct
 * call and the query string of a presigned link. Written from the published
 * algorithm and checked against AWS's own worked examples (sigv4.test.ts).
 */
import { createHash, createHmac } from 'node:crypto';

/**
 * Credentials and scope of a signature.
 *
 * @example
 * const key: SigningScope = { accessKeyId: 'AKIA…', secretAccessKey: '…', region: 'eu-central-1' };
 */
export interface SigningScope {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** Default `s3`. */
  service?: string;
}

/**
 * One request to sign: method, full URL, headers (lower-case names) and the
 * hex SHA-256 of the payload (or `UNSIGNED-PAYLOAD`).
 *
 * @example
 * const request: SignableRequest = { method: 'GET', url: new URL('https://b.s3.amazonaws.com/k'), headers: {}, payloadHash: UNSIGNED_PAYLOAD };
 */
export interface SignableRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  payloadHash: string;
}

/** The payload hash S3 accepts when the body is not signed (presigned links). */
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/**
 * Hex SHA-256 of bytes or text.
 *
 * @example
 * sha256Hex(''); // 'e3b0c442…b855'
 */
export const sha256Hex = (data: string | Uint8Array): string =>
  createHash('sha256').update(data).digest('hex');

const hmac = (key: string | Uint8Array, data: string): Buffer =>
  createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 encoding of everything but the unreserved characters, as SigV4 wants. */
export const encodeRfc3986 = (value: string): string =>
  encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );

const amzDate = (date: Date): string => date.toISOString().replace(/[:-]|\.\d{3}/g, '');

function canonicalQuery(params: URLSearchParams): string {
  return [...params.entries()]
    .map(([k, v]) => [encodeRfc3986(k), encodeRfc3986(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** S3 paths are signed as sent: each segment encoded once, slashes kept. */
const canonicalPath = (url: URL): string =>
  url.pathname
    .split('/')
    .map((segment) => encodeRfc3986(decodeURIComponent(segment)))
    .join('/') || '/';

function signature(
  scope: SigningScope,
  when: Date,
  request: SignableRequest,
  signedHeaders: string[],
): string {
  const date = amzDate(when);
  const day = date.slice(0, 8);
  const service = scope.service ?? 's3';
  const credentialScope = `${day}/${scope.region}/${service}/aws4_request`;
  const headerLines = signedHeaders
    .map((name) => `${name}:${(request.headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const canonicalRequest = [
    request.method.toUpperCase(),
    canonicalPath(request.url),
    canonicalQuery(request.url.searchParams),
    headerLines,
    signedHeaders.join(';'),
    request.payloadHash,
  ].join('\n');
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    date,
    credentialScope,
    sha256Hex(canonicalRequest),
  ].join('\n');
  const key = hmac(
    hmac(hmac(hmac(`AWS4${scope.secretAccessKey}`, day), scope.region), service),
    'aws4_request',
  );
  return createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
}

/**
 * Signs a direct call: returns the headers to send (with `host`,
 * `x-amz-date`, `x-amz-content-sha256` and `authorization`).
 *
 * @example
 * const headers = signHeaders(scope, new Date(), { method: 'GET', url, headers: {}, payloadHash: sha256Hex('') });
 * await fetch(url, { headers });
 */
export function signHeaders(
  scope: SigningScope,
  when: Date,
  request: SignableRequest,
): Record<string, string> {
  const headers: Record<string, string> = {
    ...lowerCase(request.headers),
    host: request.url.host,
    'x-amz-date': amzDate(when),
    'x-amz-content-sha256': request.payloadHash,
  };
  const signedHeaders = Object.keys(headers).sort();
  const value = signature(scope, when, { ...request, headers }, signedHeaders);
  const day = amzDate(when).slice(0, 8);
  const credential = `${scope.accessKeyId}/${day}/${scope.region}/${scope.service ?? 's3'}/aws4_request`;
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=${signedHeaders.join(';')}, Signature=${value}`;
  return headers;
}

/**
 * Presigns a request: returns the URL with the credentials in its query.
 * Headers given here are signed, so the caller of the link must send them.
 *
 * @example
 * const url = presignUrl(scope, new Date(), { method: 'GET', url, headers: {}, payloadHash: UNSIGNED_PAYLOAD }, 900);
 */
export function presignUrl(
  scope: SigningScope,
  when: Date,
  request: SignableRequest,
  expiresInSeconds: number,
): URL {
  const url = new URL(request.url);
  const headers = { ...lowerCase(request.headers), host: url.host };
  const signedHeaders = Object.keys(headers).sort();
  const day = amzDate(when).slice(0, 8);
  url.searchParams.set('X-Amz-Algorithm', 'AWS4-HMAC-SHA256');
  url.searchParams.set(
    'X-Amz-Credential',
    `${scope.accessKeyId}/${day}/${scope.region}/${scope.service ?? 's3'}/aws4_request`,
  );
  url.searchParams.set('X-Amz-Date', amzDate(when));
  url.searchParams.set('X-Amz-Expires', String(expiresInSeconds));
  url.searchParams.set('X-Amz-SignedHeaders', signedHeaders.join(';'));
  const value = signature(scope, when, { ...request, url, headers }, signedHeaders);
  url.searchParams.set('X-Amz-Signature', value);
  return url;
}

function lowerCase(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}
