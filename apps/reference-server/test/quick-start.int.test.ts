/**
 * The README's Quick start as a new user runs it: `npm start` is
 * `bash scripts/dev.sh start`, run here from a terminal whose PATH has only
 * the machine's own directories (no pnpm, maybe an old Node). It must find
 * its toolchain, skip the build when no source changed, start on PGlite and
 * end its output with the banner. The stale-build check itself is tested
 * on a scratch workspace in build-stale.test.ts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const repoRoot = resolve(import.meta.dirname, '../../..');

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
