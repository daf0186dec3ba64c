/**
 * Helpers of the multi-process proof and benchmark: spawn a reference server
 * as a process of its own (`server-process.ts`) and send a request to
 * whichever of several processes answers.
 */
import { spawnTestProcess, type TestProcess } from '../helpers/spawn.ts';

/** A spawned server process; `ready` resolves with the URL and pid it printed once listening. */
export type ServerProcess = TestProcess<{ url: string; pid: number }>;

/**
 * Starts `test/scaling/server-process.ts` with `env` added to this process's environment.
 *
 * @example
 * const p = spawnServerProcess({ DATABASE_URL: url, TEST_SCHEMA: schema });
 * const { url } = await p.ready;
 */
export function spawnServerProcess(env: Record<string, string>): ServerProcess {
  return spawnTestProcess('test/scaling/server-process.ts', env);
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
