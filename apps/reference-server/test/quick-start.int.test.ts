/**
 * The README's Quick start as a new user runs it: `npm start` is
 * `bash scripts/dev.sh start`, run here from a terminal whose PATH has only
 * the machine's own directories (no pnpm, maybe an old Node). It must find
 * its toolchain, skip the build when no source changed, start on PGlite and
 * end its output with the banner. The stale-build check is tested on a
 * scratch workspace.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sourceHash, stalePackages } from '../../../scripts/build-stale.ts';

const repoRoot = resolve(import.meta.dirname, '../../..');

describe('stale-package check', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'cb-stale-'));
    await mkdir(join(scratch, 'packages/a/src'), { recursive: true });
    await writeFile(join(scratch, 'packages/a/package.json'), '{"name":"a"}');
    await writeFile(join(scratch, 'packages/a/src/index.ts'), 'export const a = 1;\n');
  });
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  async function recordBuild(): Promise<void> {
    await mkdir(join(scratch, 'packages/a/dist'), { recursive: true });
    await writeFile(
      join(scratch, 'packages/a/dist/.source-hash'),
      `${sourceHash(scratch, 'packages/a')}\n`,
    );
  }

  test('a package never built is stale; after its build it is not', async () => {
    expect(stalePackages(scratch, ['packages/a'])).toEqual(['packages/a']);
    await recordBuild();
    expect(stalePackages(scratch, ['packages/a'])).toEqual([]);
  });

  test('a changed source makes it stale; a new test file does not', async () => {
    await recordBuild();
    await writeFile(join(scratch, 'packages/a/src/index.test.ts'), 'test;\n');
    await mkdir(join(scratch, 'packages/a/src/__fixtures__'), { recursive: true });
    await writeFile(join(scratch, 'packages/a/src/__fixtures__/x.json'), '{}');
    expect(stalePackages(scratch, ['packages/a'])).toEqual([]);
    await writeFile(join(scratch, 'packages/a/src/index.ts'), 'export const a = 2;\n');
    expect(stalePackages(scratch, ['packages/a'])).toEqual(['packages/a']);
  });

  test('a new source file or a changed manifest makes it stale', async () => {
    await recordBuild();
    await writeFile(join(scratch, 'packages/a/src/extra.ts'), 'export {};\n');
    expect(stalePackages(scratch, ['packages/a'])).toEqual(['packages/a']);
    await recordBuild();
    await writeFile(join(scratch, 'packages/a/package.json'), '{"name":"a","version":"2.0.0"}');
    expect(stalePackages(scratch, ['packages/a'])).toEqual(['packages/a']);
  });
});

/** A PATH as a new terminal has it: the system's directories, nothing this test run added. */
function newTerminalEnv(dataDir: string, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    HOME: process.env.HOME,
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
  };
  // Where this test's Node came from the checkout's toolchain, point the script at that
  // toolchain (a new terminal in this checkout finds it the same way), never at the network.
  const toolchainNode = /^(.*)\/node_modules\/node\/bin\/node$/.exec(process.execPath);
  if (toolchainNode?.[1]) env.CLINICBRIDGE_TOOLCHAIN_DIR = toolchainNode[1];
  else env.PATH = `${dirname(process.execPath)}:${env.PATH}`;
  return env;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const address = probe.address();
  await new Promise((done) => probe.close(done));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('npm start from a new terminal', () => {
  let dataDir: string;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cb-quick-start-'));
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((done) => child?.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  test('starts on PGlite, serves /healthz, and ends its output with the demo credentials', async () => {
    const port = await freePort();
    child = spawn('bash', ['scripts/dev.sh', 'start'], {
      cwd: repoRoot,
      env: newTerminalEnv(dataDir, port),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const bannerEnd = /curl -H "Authorization: Bearer cbk_[^"]+" \S+\/api\/v1\/patients\n\n$/;
    await expect
      .poll(() => bannerEnd.test(stdout) || child?.exitCode !== null, {
        timeout: 280_000,
        interval: 100,
      })
      .toBe(true);
    expect(child.exitCode, `dev.sh exited early:\n${stderr}`).toBeNull();

    // The log line that the server started comes before the banner, which ends the output.
    const started = stdout.indexOf('server started');
    const banner = stdout.indexOf('Created a demo tenant');
    expect(started).toBeGreaterThanOrEqual(0);
    expect(banner).toBeGreaterThan(started);
    expect(stdout).toMatch(/Storage: embedded PGlite/);
    // No build output, no pnpm warning: the packages were already built from these sources.
    expect(stderr).not.toMatch(/WARN|build:/);

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
  }, 300_000);
});
