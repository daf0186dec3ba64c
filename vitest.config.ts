import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';
import { packageVersion } from './scripts/tsup-preset.ts';
import { packageEntries, publishablePackages } from './scripts/workspace-entries.ts';

// Tests import workspace packages by name; resolve them to source so a test run
// never depends on a stale build. Longest specifiers first so subpaths win.
const alias = publishablePackages
  .flatMap((dir) => packageEntries(dir).map((e) => ({ e, dir })))
  .sort((a, b) => b.e.specifier.length - a.e.specifier.length)
  .map(({ e, dir }) => ({
    find: new RegExp(`^${e.specifier.replace(/[/.]/g, '\\$&')}$`),
    replacement: resolve(dir, e.source),
  }));

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      { extends: true, test: { name: 'webhooks', root: 'packages/webhooks' } },
      {
        extends: true,
        // Builds put the package version in place of __PACKAGE_VERSION__; tests run the source.
        define: { __PACKAGE_VERSION__: JSON.stringify(packageVersion('packages/sdk')) },
        test: { name: 'sdk', root: 'packages/sdk' },
      },
      { extends: true, test: { name: 'adapters', root: 'packages/adapters' } },
      { extends: true, test: { name: 'hl7', root: 'packages/hl7' } },
      {
        extends: true,
        test: { name: 'reference-server', root: 'apps/reference-server', testTimeout: 30_000 },
      },
    ],
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 15_000,
    hookTimeout: 30_000,
  },
});
