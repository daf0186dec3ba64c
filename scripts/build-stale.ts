/**
 * Builds only the workspace packages whose sources changed since their last
 * build, so `npm start` and `npm run cli` skip the build when nothing changed.
 *
 * A package is stale when the hash of its build inputs (its `src/` without
 * tests, package.json, tsconfig and tsup files, and the shared build scripts)
 * differs from the hash its last successful build recorded in
 * `dist/.source-hash`. A stale package is rebuilt together with the packages
 * that depend on it, in dependency order, because their declarations are
 * built against its published types. The hash recorded is the one taken
 * before the build started, so a file edited during a build leaves its
 * package stale for the next run.
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

/** What {@link buildPackages} did: the packages it asked to build, and whether the build passed. */
export interface BuildOutcome {
  readonly selected: readonly string[];
  readonly ok: boolean;
}

/**
 * Builds the stale packages (or, with `all`, every one) through `run`, and
 * on success records in each built package's `dist/.source-hash` the hash
 * its sources had BEFORE the build began. A file edited while the build
 * ran may or may not be in the output, so it must leave its package stale:
 * recording a hash taken after the build would mark that package fresh
 * without its change ever being built.
 *
 * `run` gets the selected packages and builds them (and their dependents);
 * it answers whether the build passed. Nothing is recorded when it fails.
 *
 * @example
 * buildPackages('/repo', publishablePackages, (dirs) => runPnpmBuild(dirs));
 */
export function buildPackages(
  repoRoot: string,
  packageDirs: readonly string[],
  run: (selected: readonly string[]) => boolean,
  options: { all?: boolean } = {},
): BuildOutcome {
  const before = new Map(packageDirs.map((dir) => [dir, sourceHash(repoRoot, dir)]));
  const selected = options.all
    ? [...packageDirs]
    : packageDirs.filter((dir) => recordedHash(repoRoot, dir) !== before.get(dir));
  if (selected.length === 0) return { selected, ok: true };
  if (!run(selected)) return { selected, ok: false };
  // Dependents the filter rebuilt match their pre-build sources too; the packages left
  // alone were fresh, so their stamp is rewritten unchanged (or left stale if edited meanwhile).
  for (const [dir, hash] of before) {
    const dist = join(repoRoot, dir, 'dist');
    if (existsSync(dist)) writeFileSync(join(dist, stampName), `${hash}\n`);
  }
  return { selected, ok: true };
}

function packageName(packageDir: string): string {
  return (
    JSON.parse(readFileSync(join(root, packageDir, 'package.json'), 'utf8')) as { name: string }
  ).name;
}

function buildAll(): void {
  const outcome = buildPackages(
    root,
    publishablePackages,
    () => {
      const result = spawnSync('pnpm', ['--filter', './packages/*', 'run', 'build'], {
        cwd: root,
        stdio: 'inherit',
      });
      return result.status === 0;
    },
    { all: true },
  );
  if (!outcome.ok) process.exit(1);
}

function buildStale(quiet: boolean): void {
  const outcome = buildPackages(root, publishablePackages, (stale) => {
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
    if (result.status === 0) return true;
    process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
    process.stderr.write(`build: failed (${result.error?.message ?? `exit ${result.status}`})\n`);
    return false;
  });
  if (!outcome.ok) process.exit(1);
  if (!quiet && outcome.selected.length > 0) process.stderr.write('build: done\n');
}

if (import.meta.main) {
  if (process.argv.includes('--all')) buildAll();
  else buildStale(process.argv.includes('--quiet'));
}
