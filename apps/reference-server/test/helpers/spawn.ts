/**
 * Running a test script as a process of its own — a server, a bus or a
 * worker that a crash test kills with SIGKILL and starts again. Every such
 * script prints one JSON line on stdout once it is ready (its URL, pid or
 * ports); everything else it prints is ignored.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const appDir = fileURLToPath(new URL('../..', import.meta.url));

/** How much of a process's stderr is kept for error messages. */
const STDERR_LIMIT = 8_192;

/**
 * A spawned test process.
 *
 * @example
 * const p = spawnTestProcess<{ url: string }>('test/money/server-process.ts', env);
 * const { url } = await p.ready;
 * p.child.kill('SIGKILL');
 * expect(await p.exited).toBe('SIGKILL');
 */
export interface TestProcess<Ready> {
  readonly child: ChildProcess;
  /** Resolves with the first JSON line on stdout; rejects if the process exits first. */
  readonly ready: Promise<Ready>;
  /** Resolves with the signal that ended the process, or its exit code. */
  readonly exited: Promise<NodeJS.Signals | number | null>;
  /** What the process wrote to stderr so far (the first 8 KB). */
  stderr(): string;
}

/**
 * Starts `script` (a path relative to the app folder, run from TypeScript
 * source) with `env` added to this process's environment.
 *
 * @example
 * const bus = spawnTestProcess('test/delivery/bus-process.ts', { DATABASE_URL: url, WORKER_ID: 'w1' });
 * await bus.ready;
 */
export function spawnTestProcess<Ready = Record<string, unknown>>(
  script: string,
  env: Record<string, string>,
): TestProcess<Ready> {
  const child = spawn(process.execPath, ['--import', './test/delivery/source-hooks.ts', script], {
    cwd: appDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < STDERR_LIMIT) stderr += chunk.toString();
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  const ready = new Promise<Ready>((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        child.stdout?.off('data', onData);
        resolve(JSON.parse(line) as Ready);
      }
    };
    child.stdout?.on('data', onData);
    // Keep draining stdout so a chatty process never blocks on a full pipe.
    child.stdout?.resume();
    void exited.then((end) =>
      reject(new Error(`${script} exited early (${end}): ${stderr.slice(0, 800)}`)),
    );
  });
  ready.catch(() => {});
  return { child, ready, exited, stderr: () => stderr };
}
