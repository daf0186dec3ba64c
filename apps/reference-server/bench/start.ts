/**
 * Benchmark of the Quick start's commands on a warm checkout: `npm start`
 * (`scripts/dev.sh start`: toolchain check, install check, stale-build
 * check, then the server) until `/healthz` answers, and `npm run cli`
 * (`scripts/dev.sh cli migrate`) until it exits, each against the bare
 * `node apps/reference-server/src/cli.ts …` doing the same work, measured in
 * the same run with the cases interleaved. Reports wall time and the CPU
 * time of the process tree (Linux /proc). Goals: a warm start healthy in
 * under 10 s and a CLI call done in under 3 s, each at most 1.5× the bare
 * command's wall time.
 *
 *   node bench/start.ts        (needs the workspace packages built: pnpm build)
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const START_GOAL_MS = 10_000;
const CLI_GOAL_MS = 3_000;
const RATIO_GOAL = 1.5;
const repoRoot = resolve(import.meta.dirname, '../../..');
const msPerTick = 1000 / 100; // USER_HZ is 100 on Linux

interface Sample {
  wallMs: number;
  cpuMs: number;
}

/** utime + stime + cutime + cstime of a process, in ms (children it waited for included). */
function treeCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  return ticks * msPerTick;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const address = probe.address();
  await new Promise((done) => probe.close(done));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function env(dataDir: string, port?: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATA_DIR: dataDir,
    ...(port === undefined ? {} : { PORT: String(port) }),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    CREATE_DEMO_TENANT: 'false',
  };
}

async function timeStart(command: string, args: string[], dataDir: string): Promise<Sample> {
  const port = await freePort();
  const began = performance.now();
  const child = spawn(command, args, { cwd: repoRoot, env: env(dataDir, port), stdio: 'ignore' });
  const exited = new Promise<number | null>((done) => child.once('exit', done));
  const deadline = began + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited ${child.exitCode}`);
    if (performance.now() > deadline) throw new Error(`${args.join(' ')}: not healthy in 120 s`);
    const healthy = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (res) => res.status === 200,
      () => false,
    );
    if (healthy) break;
    await new Promise((done) => setTimeout(done, 25));
  }
  const wallMs = performance.now() - began;
  const cpuMs = treeCpuMs(child.pid ?? 0);
  child.kill('SIGTERM');
  await exited;
  return { wallMs, cpuMs };
}

async function timeCli(command: string, args: string[], dataDir: string): Promise<Sample> {
  const began = performance.now();
  const child = spawn(command, args, { cwd: repoRoot, env: env(dataDir), stdio: 'ignore' });
  let cpuMs = 0;
  // Sample the tree's CPU until it exits; the last sample before exit is the total.
  const sampler = setInterval(() => {
    try {
      cpuMs = treeCpuMs(child.pid ?? 0);
    } catch {
      // already gone
    }
  }, 20);
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  clearInterval(sampler);
  if (code !== 0) throw new Error(`${args.join(' ')} exited ${code}`);
  return { wallMs: performance.now() - began, cpuMs };
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

const dataDir = await mkdtemp(join(tmpdir(), 'cb-bench-start-'));
const cli = 'apps/reference-server/src/cli.ts';
// One migration run first, so every measured start finds an up-to-date database.
await timeCli(process.execPath, [cli, 'migrate'], dataDir);

const cases = {
  'start, bare node': () => timeStart(process.execPath, [cli, 'start'], dataDir),
  'start, npm start (dev.sh)': () => timeStart('bash', ['scripts/dev.sh', 'start'], dataDir),
  'cli migrate, bare node': () => timeCli(process.execPath, [cli, 'migrate'], dataDir),
  'cli migrate, npm run cli (dev.sh)': () =>
    timeCli('bash', ['scripts/dev.sh', 'cli', 'migrate'], dataDir),
};
const samples = new Map<string, Sample[]>(Object.keys(cases).map((name) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of Object.entries(cases)) samples.get(name)?.push(await run());
}
await rm(dataDir, { recursive: true, force: true });

const summary = (name: string) => {
  const list = samples.get(name) ?? [];
  return { wallMs: median(list.map((s) => s.wallMs)), cpuMs: median(list.map((s) => s.cpuMs)) };
};
console.log(`Quick start commands, warm checkout, PGlite (median of ${ROUNDS} interleaved rounds)`);
for (const [kind, bare, dev, goalMs] of [
  ['start → /healthz', 'start, bare node', 'start, npm start (dev.sh)', START_GOAL_MS],
  ['cli migrate', 'cli migrate, bare node', 'cli migrate, npm run cli (dev.sh)', CLI_GOAL_MS],
] as const) {
  const base = summary(bare);
  const ours = summary(dev);
  const ratio = ours.wallMs / base.wallMs;
  const ok = ours.wallMs < goalMs && ratio <= RATIO_GOAL;
  console.log(
    `${kind.padEnd(18)} bare ${(base.wallMs / 1000).toFixed(2)} s (cpu ${(base.cpuMs / 1000).toFixed(2)} s)  ` +
      `dev.sh ${(ours.wallMs / 1000).toFixed(2)} s (cpu ${(ours.cpuMs / 1000).toFixed(2)} s)  ` +
      `ratio ${ratio.toFixed(2)}  (goal < ${goalMs / 1000} s, ratio ≤ ${RATIO_GOAL})${ok ? ' ok' : '  MISS'}`,
  );
}
