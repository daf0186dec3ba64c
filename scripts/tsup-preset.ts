/**
 * Shared tsup settings: ESM + CJS + declarations for every entry in the
 * package's `exports` map, built against dependencies' published types.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Options } from 'tsup';
import { packageEntries } from './workspace-entries.ts';

/**
 * The `version` of the package in `dir`, which builds put in place of
 * `__PACKAGE_VERSION__` (so `VERSION` constants never drift from package.json).
 */
export function packageVersion(dir: string): string {
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string })
    .version;
}

export function packageBuild(dir: string, overrides: Options = {}): Options {
  const entry = Object.fromEntries(packageEntries(dir).map((e) => [e.name, e.source]));
  return {
    define: { __PACKAGE_VERSION__: JSON.stringify(packageVersion(dir)) },
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    platform: 'neutral',
    splitting: true,
    treeshake: true,
    tsconfig: 'tsconfig.build.json',
    ...overrides,
  };
}
