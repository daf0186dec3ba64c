import { describe, expect, test } from 'vitest';
import { githubVector } from '../__fixtures__/vectors.ts';
import { github, githubScheme, meta, metaScheme } from './index.ts';

describe('X-Hub-Signature-256 (Meta, GitHub)', () => {
  test("verifies GitHub's published example", async () => {
    const headers = { 'X-Hub-Signature-256': githubVector['X-Hub-Signature-256'] };
    for (const scheme of [githubScheme, metaScheme]) {
      expect(
        await scheme.verify(githubVector.payload, headers, githubVector.secret, { parse: false }),
      ).toBe(githubVector.payload);
    }
  });

  test("signs GitHub's published example identically", () => {
    // The published secret is 26 bytes, above the 24-byte signing minimum.
    expect(
      githubScheme.signSync({ payload: githubVector.payload, secret: githubVector.secret }),
    ).toEqual({
      'x-hub-signature-256': githubVector['X-Hub-Signature-256'],
    });
  });

  test('the prefix is required and compared case-insensitively', async () => {
    const hex = githubVector.signature;
    const opts = { parse: false } as const;
    await expect(
      metaScheme.verify(
        githubVector.payload,
        { 'x-hub-signature-256': `SHA256=${hex}` },
        githubVector.secret,
        opts,
      ),
    ).resolves.toBe(githubVector.payload);
    await expect(
      metaScheme.verify(
        githubVector.payload,
        { 'x-hub-signature-256': hex },
        githubVector.secret,
        opts,
      ),
    ).rejects.toMatchObject({ code: 'invalid_signature' });
    await expect(
      metaScheme.verify(
        githubVector.payload,
        { 'x-hub-signature-256': 'sha1=abc' },
        githubVector.secret,
        opts,
      ),
    ).rejects.toMatchObject({ code: 'invalid_signature' });
  });

  test('the aliases are the same schemes', () => {
    expect(github).toBe(githubScheme);
    expect(meta).toBe(metaScheme);
    expect(metaScheme.timestamped).toBe(false);
  });
});
