/**
 * The load generator of the inbound webhook benchmark, in its own process
 * (forked once by bench/delivery-inbound.ts), so the CPU a case reports is
 * its server's alone. For each job it sends `total` POSTs over `concurrency`
 * keep-alive connections, each signed for Standard Webhooks with a fresh
 * message id when `secret` is given, and answers with the pass's throughput,
 * latencies and its own CPU. It leaves when the parent disconnects.
 */
import { getScheme } from '@clinicbridge/webhooks';
import { Agent } from 'undici';
import { postLoop } from './delivery-lib.ts';

/**
 * One pass asked of the load generator.
 *
 * @example
 * child.send({ url: 'http://127.0.0.1:4000/webhooks/visa', total: 2000, concurrency: 20, secret, body, tag: 'r1' });
 */
export interface InboundLoadJob {
  readonly url: string;
  readonly total: number;
  readonly concurrency: number;
  /** Signs every request with this Standard Webhooks secret; unsigned when null. */
  readonly secret: string | null;
  readonly body: string;
  /** Makes message ids unique across passes. */
  readonly tag: string;
}

/**
 * What the load generator answers for one pass.
 *
 * @example
 * const { perSecond, cpuMicros }: InboundLoadResult = await run(job);
 */
export interface InboundLoadResult {
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly failures: number;
  /** This process's CPU over the pass, µs. */
  readonly cpuMicros: number;
}

const scheme = getScheme('standard');

async function run(job: InboundLoadJob): Promise<InboundLoadResult> {
  const agent = new Agent({ connections: job.concurrency, keepAliveTimeout: 30_000 });
  const cpu = process.cpuUsage();
  const result = await postLoop(agent, job.url, job.total, job.concurrency, (i) => ({
    body: job.body,
    headers:
      job.secret === null
        ? {}
        : scheme.signSync({ id: `msg_${job.tag}_${i}`, payload: job.body, secret: job.secret }),
  }));
  const used = process.cpuUsage(cpu);
  await agent.close();
  return { ...result, cpuMicros: used.user + used.system };
}

process.on('message', (job: InboundLoadJob) => {
  void run(job).then((result) => process.send?.(result));
});
process.on('disconnect', () => process.exit(0));
