/**
 * Helpers of the multi-process proof and benchmark: spawn a reference server
 * as a process of its own (`server-process.ts`), send a request to whichever
 * of several processes answers, and wait on a condition with a deadline.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const appDir = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A spawned server process.
 *
 * @example
 * const p = spawnServerProcess(env); const { url } = await p.ready; p.child.kill('SIGKILL'); await p.exited;
 */
export interface ServerProcess {
  readonly child: ChildProcess;
  /** Resolves with the URL and pid the process printed once it listens. */
  readonly ready: Promise<{ url: string; pid: number }>;
  /** Resolves with the exit signal or code. */
  readonly exited: Promise<NodeJS.Signals | number | null>;
  /** What the process wrote to stderr so far (bounded to 4 KB). */
  stderr(): string;
}

/**
 * Starts `test/scaling/server-process.ts` with `env` added to this process's environment.
 *
 * @example
 * const p = spawnServerProcess({ DATABASE_URL: url, TEST_SCHEMA: schema });
 * const { url } = await p.ready;
 */
export function spawnServerProcess(env: Record<string, string>): ServerProcess {
  const child = spawn(
    process.execPath,
    ['--import', './test/delivery/source-hooks.ts', 'test/scaling/server-process.ts'],
    { cwd: appDir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 4_096) stderr += chunk.toString();
  });
  const ready = new Promise<{ url: string; pid: number }>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line) as { url: string; pid: number });
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`server process exited early (${signal ?? code}): ${stderr.slice(0, 500)}`)),
    );
  });
  ready.catch(() => {});
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  return { child, ready, exited, stderr: () => stderr };
}

/**
 * Resolves once `probe` answers true, polling every 100 ms; rejects after `timeoutMs` naming `what`.
 *
 * @example
 * await waitUntil(() => receiver.received.length >= 10, 'ten deliveries', 30_000);
 */
export async function waitUntil(
  probe: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** An answer of a server process: status and parsed JSON body. */
export interface ProcessAnswer {
  status: number;
  body: Record<string, unknown>;
}

/**
 * Sends one request to the processes at `urls()` in turn, starting at `start`,
 * until one answers below 500; a refused or reset connection (a killed
 * process) or a 5xx moves on to the next. The request is the same each time,
 * so a write must carry its own Idempotency-Key. Rejects after `timeoutMs`.
 *
 * @example
 * const answer = await sendToAny(() => urls, 0, '/api/v1/patients', { method: 'POST', headers, body });
 */
export async function sendToAny(
  urls: () => readonly string[],
  start: number,
  path: string,
  init: RequestInit,
  timeoutMs = 60_000,
): Promise<ProcessAnswer> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (let attempt = start; Date.now() < deadline; attempt++) {
    const list = urls();
    const url = list[attempt % list.length];
    try {
      const res = await fetch(`${url}${path}`, { ...init, signal: AbortSignal.timeout(15_000) });
      const text = await res.text();
      if (res.status < 500) {
        return {
          status: res.status,
          body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
        };
      }
      lastError = `${res.status} ${text.slice(0, 200)}`;
    } catch (error) {
      lastError = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no process answered ${path} within ${timeoutMs} ms: ${lastError}`);
}
