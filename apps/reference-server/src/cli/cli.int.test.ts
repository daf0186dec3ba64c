/**
 * The CLI as an operator runs it: `node src/cli.ts …` under Node's type
 * stripping (which also proves the server's source is erasable
 * TypeScript), against an on-disk PGlite data directory or PostgreSQL.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const run = promisify(execFile);
const cli = resolve(import.meta.dirname, '../cli.ts');
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cb-cli-'));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

function cliEnv(): NodeJS.ProcessEnv {
  // On PostgreSQL the CLI uses the server's own schema, so only PGlite runs here in CI.
  const { DATABASE_URL: _ignored, ...env } = process.env;
  return { ...env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
}

async function runCli(args: string[]) {
  return run(process.execPath, [cli, ...args], { env: cliEnv(), timeout: 60_000 });
}

describe('clinicbridge-server CLI', () => {
  test('create-tenant --json and create-token --json print the documented shapes', async () => {
    const tenant = JSON.parse(
      (await runCli(['create-tenant', '--name', 'CLI clinic', '--json'])).stdout,
    );
    expect(tenant).toEqual({
      tenantId: expect.stringMatching(/^ten_/),
      apiKey: expect.stringMatching(/^cbk_/),
      clientId: expect.stringMatching(/^cli_/),
      clientSecret: expect.stringMatching(/^cbs_/),
    });
    const token = JSON.parse(
      (
        await runCli([
          'create-token',
          '--tenant',
          tenant.tenantId,
          '--scopes',
          'read:appointments,write:appointments',
          '--json',
        ])
      ).stdout,
    );
    expect(token).toEqual({
      id: expect.stringMatching(/^tok_/),
      apiKey: expect.stringMatching(/^cbk_/),
      scopes: ['read:appointments', 'write:appointments'],
    });
  }, 60_000);

  test('bad arguments and bad configuration fail with a clear message', async () => {
    const badScope = runCli(['create-token', '--tenant', 'ten_x', '--scopes', 'read:everything']);
    await expect(badScope).rejects.toMatchObject({
      stderr: expect.stringContaining('--scopes must list known scopes'),
    });
    const badPort = run(process.execPath, [cli, 'migrate'], {
      env: { ...cliEnv(), PORT: 'eighty' },
    });
    await expect(badPort).rejects.toMatchObject({ stderr: expect.stringContaining('PORT') });
    const unknown = runCli(['frobnicate']);
    await expect(unknown).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('Usage'),
    });
  }, 60_000);
});
