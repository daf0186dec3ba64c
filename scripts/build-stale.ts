/**
 * Builds only the workspace packages whose sources changed since their last
 * build, so `npm start` and `npm run cli` skip the build when nothing changed.
 *
 * A package is stale when the hash of its build inputs (its `src/` without
 * tests, package.json, tsconfig and tsup files, and the shared build scripts)
 * differs from the hash its last successful build recorded in
 * `dist/.source-hash`. A stale package is rebuilt together with the packages
 * that depend on it, in dependency order, because their declarations are
 * built against its published types.
 *
 * Usage: `node scripts/build-stale.ts [--quiet]`: build output is printed
 * only when a build fails. `node scripts/build-stale.ts --all` (the root
 * `pnpm build`) builds every package with its output shown, and records the
 * hashes too.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { publishablePackages } from './workspace-entries.ts';

const root = resolve(import.meta.dirname, '..');
const stampName = '.source-hash';
const sharedInputs = ['scripts/tsup-preset.ts', 'scripts/workspace-entries.ts'];
const packageInputs = ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'tsup.config.ts'];

function isBuildSource(name: string): boolean {
  return !/\.(test|int\.test|bench)\.ts$/.test(name) && name !== '__fixtures__';
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!isBuildSource(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/**
 * The hash of everything a package's build reads, over paths and contents.
 *
 * @example
 * sourceHash('/repo', 'packages/webhooks'); // "5f0c…" (hex SHA-256)
 */
export function sourceHash(repoRoot: string, packageDir: string): string {
  const dir = join(repoRoot, packageDir);
  const files = [
    ...sharedInputs.map((file) => join(repoRoot, file)),
    ...packageInputs.map((file) => join(dir, file)),
    ...listFiles(join(dir, 'src')),
  ]
    .filter((file) => existsSync(file))
    .sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(relative(repoRoot, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

function recordedHash(repoRoot: string, packageDir: string): string | undefined {
  const stamp = join(repoRoot, packageDir, 'dist', stampName);
  return existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : undefined;
}

/**
 * The packages whose build is missing or older than their sources.
 *
 * @example
 * stalePackages('/repo', ['packages/webhooks', 'packages/sdk']); // ['packages/sdk']
 */
export function stalePackages(repoRoot: string, packageDirs: readonly string[]): string[] {
  return packageDirs.filter((dir) => recordedHash(repoRoot, dir) !== sourceHash(repoRoot, dir));
}

function packageName(packageDir: string): string {
  return (
    JSON.parse(readFileSync(join(root, packageDir, 'package.json'), 'utf8')) as { name: string }
  ).name;
}

function recordHashes(): void {
  for (const dir of publishablePackages) {
    if (existsSync(join(root, dir, 'dist'))) {
      writeFileSync(join(root, dir, 'dist', stampName), `${sourceHash(root, dir)}\n`);
    }
  }
}

function buildAll(): void {
  const result = spawnSync('pnpm', ['--filter', './packages/*', 'run', 'build'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
  recordHashes();
}

function buildStale(quiet: boolean): void {
  const stale = stalePackages(root, publishablePackages);
  if (stale.length === 0) return;
  const names = stale.map(packageName);
  if (!quiet)
    process.stderr.write(`build: ${names.join(', ')} changed; building it and its dependents…\n`);
  // `name...` selects the package and every workspace package that depends on it.
  const filters = names.flatMap((name) => ['--filter', `${name}...`]);
  const result = spawnSync('pnpm', [...filters, '--filter', '!./apps/*', 'run', 'build'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
    process.stderr.write(`build: failed (${result.error?.message ?? `exit ${result.status}`})\n`);
    process.exit(result.status ?? 1);
  }
  // Every package the filter rebuilt now matches its sources; the others already did.
  recordHashes();
  if (!quiet) process.stderr.write('build: done\n');
}

if (import.meta.main) {
  if (process.argv.includes('--all')) buildAll();
  else buildStale(process.argv.includes('--quiet'));
}
