/**
 * A small, fixed-budget throughput meter: calibrates a batch size, then takes
 * several samples and reports the median. Each sample is timed in CPU time
 * of this process (`process.cpuUsage`, all threads, so GC work counts) as
 * well as wall time: on a machine shared with other work, wall time measures
 * the neighbours as much as the code, while CPU time per operation does not.
 */

export interface Measurement {
  /** Operations per CPU-second of this process (median sample). */
  opsPerCpuSecond: number;
  /** Operations per wall-clock second (median sample). */
  opsPerSecond: number;
}

export type Operation = () => unknown;

let sink: unknown;

interface Sample {
  wall: number;
  cpu: number;
}

function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

function timeBatch(op: Operation, iterations: number): Sample {
  const cpu = cpuSeconds();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) sink = op();
  return { wall: Number(process.hrtime.bigint() - start) / 1e9, cpu: cpuSeconds() - cpu };
}

async function timeBatchAsync(op: Operation, iterations: number): Promise<Sample> {
  const cpu = cpuSeconds();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) sink = await op();
  return { wall: Number(process.hrtime.bigint() - start) / 1e9, cpu: cpuSeconds() - cpu };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

export async function measure(
  op: Operation,
  options: { async: boolean; sampleSeconds?: number; samples?: number; warmupSeconds?: number },
): Promise<Measurement> {
  const run = options.async ? timeBatchAsync : async (o: Operation, n: number) => timeBatch(o, n);
  const sampleSeconds = options.sampleSeconds ?? 0.08;
  // Warm up (JIT) while finding how many iterations fill one sample.
  let iterations = 1;
  let warm = 0;
  while (warm < (options.warmupSeconds ?? 0.15)) {
    const { wall } = await run(op, iterations);
    warm += wall;
    if (wall < sampleSeconds / 4) iterations *= 2;
  }
  const perOp = (await run(op, iterations)).wall / iterations;
  iterations = Math.max(1, Math.round(sampleSeconds / perOp));
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < (options.samples ?? 5); i++) {
    const sample = await run(op, iterations);
    wall.push(iterations / sample.wall);
    cpu.push(iterations / Math.max(sample.cpu, 1e-6));
  }
  if (sink === Symbol.for('never')) console.log(sink);
  return { opsPerCpuSecond: median(cpu), opsPerSecond: median(wall) };
}
