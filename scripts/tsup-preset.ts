/**
 * Shared tsup settings: ESM + CJS + declarations for every entry in the
 * package's `exports` map, built against dependencies' published types.
 */
import type { Options } from 'tsup';
import { packageEntries } from './workspace-entries.ts';

export function packageBuild(dir: string, overrides: Options = {}): Options {
  const entry = Object.fromEntries(packageEntries(dir).map((e) => [e.name, e.source]));
  return {
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
