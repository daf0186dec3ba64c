/** VERSION is the package.json version, in tests (from source) and in the built package. */
import { readFile } from 'node:fs/promises';
import { expect, test } from 'vitest';
import { VERSION } from './index.ts';

const packageJson = JSON.parse(
  await readFile(new URL('../package.json', import.meta.url), 'utf8'),
) as { version: string };

test('VERSION is the version in package.json', () => {
  expect(VERSION).toBe(packageJson.version);
});

test('the built package carries the same version', async () => {
  const built = await import(new URL('../dist/index.js', import.meta.url).href).catch(() => null);
  // `pnpm test` builds before it runs the tests; a bare `vitest` run may have no build.
  if (built) expect((built as { VERSION: string }).VERSION).toBe(packageJson.version);
  else expect(VERSION).toBe(packageJson.version);
});
