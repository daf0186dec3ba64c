/**
 * Benchmark: CPU per request log line (observability/request-log.ts), written
 * by the server's logger with its path redaction against the request logger
 * without it, in the same run, to /dev/null. The line is the same either way:
 * none of its fields is on a redacted path.
 * Run: `node bench/request-log.ts` (from apps/reference-server).
 */
import { pino } from 'pino';
import { createLogger, type Logger } from '../src/observability/logger.ts';
import { type RequestLine, requestLogger } from '../src/observability/request-log.ts';
import { cpuMicrosPerCall, interleavedMedians } from './delivery-lib.ts';

const LINES = Number(process.env.BENCH_LINES ?? 100_000);
const ROUNDS = 5;
const redacting = createLogger(
  'info',
  pino.destination({ dest: '/dev/null', sync: true }) as unknown as NodeJS.WritableStream,
);
const lines = requestLogger(redacting);

/** CPU µs per request line written by `logger`. */
function microsPerLine(logger: Logger): number {
  return cpuMicrosPerCall(LINES, (i) => {
    const line: RequestLine = {
      requestId: `req_${i}`,
      method: 'POST',
      route: '/api/v1/appointments',
      status: 201,
      durationMs: 3.2,
      tenantId: 'ten_bench',
    };
    logger.info(line, 'request');
  });
}

const { redacting: a, lines: b } = await interleavedMedians(ROUNDS, {
  redacting: () => microsPerLine(redacting),
  lines: () => microsPerLine(lines),
});
console.log(
  `Request log lines, ${LINES.toLocaleString('en-US')} × ${ROUNDS} rounds, Node ${process.version} (CPU µs per line to /dev/null, median)`,
);
console.log(`the server's logger (path redaction)   ${a.toFixed(2).padStart(6)} µs   (baseline)`);
console.log(
  `the request logger                      ${b.toFixed(2).padStart(6)} µs   ${(b / a).toFixed(2)}× the baseline`,
);
