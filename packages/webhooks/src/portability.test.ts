/**
 * Guards the "one build for every runtime" promise: outside the Node-only
 * subpath, nothing imports node: modules at runtime, so browser and edge
 * bundles need no shims.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, test } from 'vitest';

const root = import.meta.dirname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === '__fixtures__' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

test('only the node subpath imports node: modules at runtime', () => {
  const offenders = sourceFiles(root)
    .filter((file) => !relative(root, file).startsWith('node/'))
    .filter((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .some((line) => /^import (?!type ).*from ['"]node:/.test(line)),
    )
    .map((file) => relative(root, file));
  expect(offenders).toEqual([]);
});

test('no runtime dependencies are declared', () => {
  const pkg = JSON.parse(readFileSync(join(root, '..', 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  expect(pkg.dependencies ?? {}).toEqual({});
});
