/**
 * Maps each publishable package's `exports` map to its source files.
 *
 * Convention: export `.` is `src/index.ts`, export `./x` is `src/x/index.ts`.
 * The build (tsup) and the tests (vitest aliases) both read it from here, so a
 * new subpath export needs one line in package.json and nothing else.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PackageEntry {
  /** Import specifier, e.g. `@clinicbridge/webhooks/stripe`. */
  specifier: string;
  /** Entry name for the bundler, e.g. `stripe/index`. */
  name: string;
  /** Source path relative to the package directory, e.g. `src/stripe/index.ts`. */
  source: string;
}

/** Reads `<dir>/package.json` and lists its entry points. */
export function packageEntries(dir: string): PackageEntry[] {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    name: string;
    exports?: Record<string, unknown>;
  };
  return Object.keys(pkg.exports ?? {})
    .filter((key) => key !== './package.json')
    .map((key) => {
      const sub = key === '.' ? '' : key.slice(2);
      return {
        specifier: sub ? `${pkg.name}/${sub}` : pkg.name,
        name: sub ? `${sub}/index` : 'index',
        source: sub ? `src/${sub}/index.ts` : 'src/index.ts',
      };
    });
}

export const publishablePackages = [
  'packages/webhooks',
  'packages/sdk',
  'packages/adapters',
  'packages/hl7',
];
