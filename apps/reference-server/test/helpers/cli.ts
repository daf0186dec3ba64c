/**
 * Running the server's CLI as an operator runs it: `node src/cli.ts …`
 * under Node's type stripping, in a process of its own.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
const run = promisify(execFile);

/**
 * How long one CLI call may take. A call that opens an on-disk PGlite and
 * migrates it takes about 4 s on a quiet 2-core machine; with two test runs
 * and builds beside it (load average 35) one took over 60 s, so the bound is
 * set for that machine, not the quiet one. It only ends a call that hangs.
 */
export const CLI_TIMEOUT_MS = 240_000;

/** A test's timeout for `calls` CLI calls in a row, and a minute for the rest. */
export const cliTestTimeout = (calls: number): number => calls * CLI_TIMEOUT_MS + 60_000;

/**
 * Runs `node src/cli.ts ...args` with exactly `env`; rejects (with `code`,
 * `stdout` and `stderr`) when it exits non-zero.
 *
 * @example
 * const { stdout } = await runCli(['create-tenant', '--name', 'Clinic', '--json'], { ...process.env, DATA_DIR: dir });
 */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [cli, ...args], { env, timeout: CLI_TIMEOUT_MS });
}
