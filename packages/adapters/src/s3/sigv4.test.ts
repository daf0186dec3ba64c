/**
 * SigV4 against the worked examples in AWS's S3 documentation ("Signature
 * Calculations for the Authorization Header: Transferring Payload in a Single
 * Chunk" and "Authenticating Requests: Using Query Parameters").
 */
import { describe, expect, test } from 'vitest';
import { presignUrl, sha256Hex, signHeaders, UNSIGNED_PAYLOAD } from './sigv4.ts';

const scope = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  region: 'us-east-1',
};
const when = new Date('2013-05-24T00:00:00Z');

describe('SigV4', () => {
  test('GET object with a Range header (AWS example)', () => {
    const headers = signHeaders(scope, when, {
      method: 'GET',
      url: new URL('https://examplebucket.s3.amazonaws.com/test.txt'),
      headers: { range: 'bytes=0-9' },
      payloadHash: sha256Hex(''),
    });
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });

  test('PUT object with a body and a storage class (AWS example)', () => {
    const body = 'Welcome to Amazon S3.';
    const headers = signHeaders(scope, when, {
      method: 'PUT',
      url: new URL('https://examplebucket.s3.amazonaws.com/test$file.text'),
      headers: {
        date: 'Fri, 24 May 2013 00:00:00 GMT',
        'x-amz-storage-class': 'REDUCED_REDUNDANCY',
      },
      payloadHash: sha256Hex(body),
    });
    expect(headers.authorization).toContain(
      'Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
    );
  });

  test('presigned GET (AWS example)', () => {
    const url = presignUrl(
      scope,
      when,
      {
        method: 'GET',
        url: new URL('https://examplebucket.s3.amazonaws.com/test.txt'),
        headers: {},
        payloadHash: UNSIGNED_PAYLOAD,
      },
      86_400,
    );
    expect(url.searchParams.get('X-Amz-Signature')).toBe(
      'aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
    );
  });
});
