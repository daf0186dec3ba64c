import { readFile } from 'node:fs/promises';
import { expect, test } from 'vitest';
import { VERSION } from './index.ts';

test('exports a version', () => {
  expect(VERSION).toMatch(/^\d+\.\d+\.\d+$/);
});

test('the version is the one in package.json, so the two cannot drift', async () => {
  const packageJson = JSON.parse(
    await readFile(new URL('../package.json', import.meta.url), 'utf8'),
  ) as { version: string };
  expect(VERSION).toBe(packageJson.version);
});
