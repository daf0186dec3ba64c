/**
 * The stale-build check of `scripts/build-stale.ts`, on a scratch
 * workspace with two packages: a package is stale until its build records
 * the hash of its sources; a changed source, manifest or new source file
 * makes it stale again; the build runs only for stale packages (or all of
 * them when asked); and the hash recorded is the one taken before the
 * build started, so a file edited while a build runs leaves its package
 * stale. The build itself is a function here, so nothing is spawned.
 */
import { writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildPackages, sourceHash, stalePackages } from '../../../scripts/build-stale.ts';

const packages = ['packages/a', 'packages/b'];
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'cb-stale-'));
  for (const dir of packages) {
    const name = dir.slice('packages/'.length);
    await mkdir(join(scratch, dir, 'src'), { recursive: true });
    await writeFile(join(scratch, dir, 'package.json'), `{"name":"${name}"}`);
    await writeFile(join(scratch, dir, 'src/index.ts'), `export const ${name} = 1;\n`);
  }
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

const source = (dir: string, file: string) => join(scratch, dir, 'src', file);

/** A build that writes each selected package's output, running `during` in the middle. */
function builder(during: () => void = () => {}) {
  const runs: (readonly string[])[] = [];
  const run = (selected: readonly string[]): boolean => {
    runs.push(selected);
    during();
    return true;
  };
  return { runs, run };
}

async function recordBuild(dir: string): Promise<void> {
  await mkdir(join(scratch, dir, 'dist'), { recursive: true });
  await writeFile(join(scratch, dir, 'dist/.source-hash'), `${sourceHash(scratch, dir)}\n`);
}

describe('stale-package check', () => {
  test('a package never built is stale; after its build it is not', async () => {
    expect(stalePackages(scratch, ['packages/a'])).toEqual(['packages/a']);
    await recordBuild('packages/a');
    expect(stalePackages(scratch, ['packages/a'])).toEqual([]);
  });

  test('a changed source makes it stale; a new test file does not', async () => {
    await recordBuild('packages/a');
    await writeFile(source('packages/a', 'index.test.ts'), 'test;\n');
    await mkdir(source('packages/a', '__fixtures__'), { recursive: true });
    await writeFile(source('packages/a', '__fixtures__/x.json'), '{}');
    expect(stalePackages(scratch, ['packages/a'])).toEqual([]);
    await writeFile(source('packages/a', 'index.ts'), 'export const a = 2;\n');
    expect(stalePackages(scratch, ['packages/a'])).toEqual(['packages/a']);
  });

  test('a new source file or a changed manifest makes it stale', async () => {
    await recordBuild('packages/a');
    await writeFile(source('packages/a', 'extra.ts'), 'export {};\n');
    expect(stalePackages(scratch, ['packages/a'])).toEqual(['packages/a']);
    await recordBuild('packages/a');
    await writeFile(join(scratch, 'packages/a/package.json'), '{"name":"a","version":"2.0.0"}');
    expect(stalePackages(scratch, ['packages/a'])).toEqual(['packages/a']);
  });
});

describe('building the stale packages', () => {
  beforeAll(async () => {
    for (const dir of packages) await mkdir(join(scratch, dir, 'dist'), { recursive: true });
  });

  test('builds only the stale packages, records them fresh, and with `all` builds every one', () => {
    const first = builder();
    expect(buildPackages(scratch, packages, first.run)).toEqual({ selected: packages, ok: true });
    expect(stalePackages(scratch, packages)).toEqual([]);

    const idle = builder();
    expect(buildPackages(scratch, packages, idle.run)).toEqual({ selected: [], ok: true });
    expect(idle.runs).toEqual([]);

    const all = builder();
    buildPackages(scratch, packages, all.run, { all: true });
    expect(all.runs).toEqual([packages]);
    expect(stalePackages(scratch, packages)).toEqual([]);
  });

  test('a source edited while the build runs leaves its package stale, and the next run builds it', async () => {
    await writeFile(source('packages/b', 'index.ts'), 'export const b = 2;\n');
    const editing = builder(() => {
      // The edit lands after the build read its sources: the output may not hold it.
      writeFileSync(source('packages/b', 'index.ts'), 'export const b = 3;\n');
    });
    expect(buildPackages(scratch, packages, editing.run)).toEqual({
      selected: ['packages/b'],
      ok: true,
    });
    expect(stalePackages(scratch, packages)).toEqual(['packages/b']);

    const next = builder();
    buildPackages(scratch, packages, next.run);
    expect(next.runs).toEqual([['packages/b']]);
    expect(stalePackages(scratch, packages)).toEqual([]);
  });

  test('a package left alone but edited during another’s build stays stale', async () => {
    await writeFile(source('packages/a', 'index.ts'), 'export const a = 10;\n');
    const editing = builder(() => {
      writeFileSync(source('packages/b', 'late.ts'), 'export {};\n');
    });
    buildPackages(scratch, packages, editing.run);
    expect(editing.runs).toEqual([['packages/a']]);
    expect(stalePackages(scratch, packages)).toEqual(['packages/b']);
  });

  test('a failed build records nothing', async () => {
    await writeFile(source('packages/a', 'index.ts'), 'export const a = 11;\n');
    expect(buildPackages(scratch, packages, () => false)).toEqual({
      selected: ['packages/a', 'packages/b'],
      ok: false,
    });
    expect(stalePackages(scratch, packages)).toEqual(['packages/a', 'packages/b']);
  });
});
