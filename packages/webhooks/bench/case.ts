/**
 * Child process entry: measures one case at one payload size and prints a
 * JSON line. Usage: node bench/case.ts <case index> <payload bytes>
 */
import { cases } from './cases.ts';
import { eventPayload } from './fixtures.ts';
import { measure } from './measure.ts';

const [indexArg, bytesArg] = process.argv.slice(2);
const benchCase = cases[Number(indexArg)];
if (!benchCase || !bytesArg)
  throw new Error('usage: node bench/case.ts <case index> <payload bytes>');

const payload = eventPayload(Number(bytesArg));
const op = await benchCase.setup(payload);
await op(); // fail fast if the case is wrong (bad signature, wrong API)
const result = await measure(op, { async: benchCase.async });
process.stdout.write(`${JSON.stringify({ ...result, bytes: payload.length })}\n`);
