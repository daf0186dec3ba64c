/**
 * `pnpm bench` for @clinicbridge/webhooks: every case at 1 KiB and 64 KiB,
 * each in its own Node process, in alternating rounds; prints operations per
 * second and the ratio to the raw node:crypto baselines measured in the same
 * run, then checks the targets. The tables are Markdown, ready for
 * docs/benchmarks.md. `--rounds N` (default 3) trades time for stability.
 */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type Baseline, cases } from './cases.ts';

const SIZES = [1024, 64 * 1024];
const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 3;
const caseScript = fileURLToPath(new URL('./case.ts', import.meta.url));

// Ratios use operations per CPU-second of the case's process (see measure.ts).
function runCase(index: number, bytes: number): number {
  const out = execFileSync(process.execPath, [caseScript, String(index), String(bytes)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 60_000,
  });
  return (JSON.parse(out.trim().split('\n').at(-1)!) as { opsPerCpuSecond: number })
    .opsPerCpuSecond;
}

const started = Date.now();
// best[size][case]: the best of the rounds; noise on a shared machine only ever slows a run down.
const best = SIZES.map(() => cases.map(() => 0));
for (let round = 0; round < rounds; round++) {
  for (const [s, bytes] of SIZES.entries()) {
    for (const index of cases.keys()) {
      const ops = runCase(index, bytes);
      best[s]![index] = Math.max(best[s]![index]!, ops);
      process.stderr.write('.');
    }
  }
}
process.stderr.write('\n');

const baselineIndex: Record<Baseline, number> = {
  raw: cases.findIndex((c) => c.name === 'raw node:crypto'),
  'raw+parse': cases.findIndex((c) => c.name === 'raw node:crypto + JSON.parse'),
  'raw-sign': cases.findIndex((c) => c.name === 'raw node:crypto sign'),
};

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (n: number) => `${(n * 100).toFixed(0)}%`;
const lines: string[] = [];
const checks: { label: string; ratio: number; target: number }[] = [];
const notes: string[] = [];

for (const [s, bytes] of SIZES.entries()) {
  const ops = best[s]!;
  lines.push(`\n${bytes / 1024} KiB payload`);
  lines.push(`| case | ops per CPU-second | vs baseline | baseline |`);
  lines.push(`|---|---:|---:|---|`);
  for (const [index, c] of cases.entries()) {
    const ratio = ops[index]! / ops[baselineIndex[c.baseline]]!;
    lines.push(`| ${c.name} | ${fmt(ops[index]!)} | ${pct(ratio)} | ${c.baseline} |`);
  }
  const ratioOf = (name: string) => {
    const index = cases.findIndex((c) => c.name === name);
    return ops[index]! / ops[baselineIndex[cases[index]!.baseline]]!;
  };
  const opsOf = (name: string) => ops[cases.findIndex((c) => c.name === name)]!;
  const size = `${bytes / 1024} KiB`;
  checks.push(
    {
      label: `${size} verifySync (parse) vs raw + JSON.parse`,
      ratio: ratioOf('ours verifySync'),
      target: 0.9,
    },
    {
      label: `${size} verify async (parse) vs raw + JSON.parse`,
      ratio: ratioOf('ours verify (async)'),
      target: 0.9,
    },
    {
      label: `${size} verifySync (no parse) vs raw`,
      ratio: ratioOf('ours verifySync, parse: false'),
      target: 0.9,
    },
    {
      label: `${size} verify async (no parse) vs raw`,
      ratio: ratioOf('ours verify (async), parse: false'),
      target: 0.9,
    },
    {
      label: `${size} verifySync (no parse) vs standardwebhooks`,
      ratio: opsOf('ours verifySync, parse: false') / opsOf('standardwebhooks verify (parses)'),
      target: 4,
    },
    {
      label: `${size} stripe scheme vs stripe constructEvent`,
      ratio: opsOf('ours stripe scheme verifySync') / opsOf('stripe constructEvent (parses)'),
      target: 1,
    },
  );
  notes.push(
    `${size}: verifySync (parse) is ${(opsOf('ours verifySync') / opsOf('standardwebhooks verify (parses)')).toFixed(1)}x standardwebhooks (which always parses); raw node:crypto + JSON.parse itself is ${(opsOf('raw node:crypto + JSON.parse') / opsOf('standardwebhooks verify (parses)')).toFixed(1)}x: JSON.parse dominates, so no verify-and-parse reaches 4x. Awaited Web Crypto runs at ${pct(ratioOf('raw Web Crypto (awaited)'))} of raw node:crypto.`,
  );
}

const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, ${process.platform} ${process.arch}, Node ${process.versions.node}`;
console.log(
  `@clinicbridge/webhooks: ${machine}; best of ${rounds} rounds, one process per case; ${((Date.now() - started) / 1000).toFixed(0)} s`,
);
console.log(lines.join('\n'));
console.log('\nTargets');
let failed = 0;
for (const check of checks) {
  const ok = check.ratio >= check.target;
  if (!ok) failed++;
  const shown =
    check.target >= 1
      ? `${check.ratio.toFixed(1)}x (target ${check.target}x)`
      : `${pct(check.ratio)} (target ${pct(check.target)})`;
  console.log(`${ok ? 'ok  ' : 'MISS'} ${check.label}: ${shown}`);
}
console.log(`\n${notes.join('\n')}`);
// A miss is reported, not fatal: one noisy run on a shared machine should not fail `pnpm bench`.
if (failed > 0) console.log(`\n${failed} target(s) missed in this run.`);
