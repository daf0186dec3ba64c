/**
 * Module hooks for child server processes in tests: resolve
 * `@clinicbridge/<pkg>[/<sub>]` to the package's TypeScript source (the
 * same convention as the Vitest aliases), so a child runs with Node's type
 * stripping and needs no build of the workspace packages.
 * Use: `node --import ./test/delivery/source-hooks.ts …`.
 */
import { registerHooks } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const packagesDir = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../packages');

registerHooks({
  resolve(specifier, context, nextResolve) {
    const match = /^@clinicbridge\/([a-z0-9-]+)(?:\/([a-z0-9-]+))?$/.exec(specifier);
    if (match) {
      const [, pkg, sub] = match;
      const file = sub
        ? resolve(packagesDir, `${pkg}/src/${sub}/index.ts`)
        : resolve(packagesDir, `${pkg}/src/index.ts`);
      return { url: pathToFileURL(file).href, shortCircuit: true, format: 'module-typescript' };
    }
    return nextResolve(specifier, context);
  },
});
