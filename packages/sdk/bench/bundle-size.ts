/**
 * Bundle-size benchmark: what a browser app pays, minified and gzipped, to
 * create a client and make one call. Each entry is bundled by esbuild the same
 * way (ESM, browser platform, minified, tree-shaken) in the same run, and the
 * ClinicBridge entries are compared with the same call in openai, stripe and
 * @octokit/rest. Response validation stays on in the ClinicBridge entries.
 *
 * Run: pnpm --filter @clinicbridge/sdk bench (builds dist first).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(pkgDir, 'dist');
if (!existsSync(join(dist, 'index.js'))) {
  throw new Error('dist/index.js is missing: run `pnpm --filter @clinicbridge/sdk build` first');
}

/** Resolves the package's own name to its built files, as an installed copy would. */
const selfReference: Plugin = {
  name: 'clinicbridge-sdk-dist',
  setup(b) {
    b.onResolve({ filter: /^@clinicbridge\/sdk(\/[\w-]+)?$/ }, (args) => {
      const sub = args.path.slice('@clinicbridge/sdk'.length);
      return { path: join(dist, sub, 'index.js') };
    });
  },
};

interface Entry {
  /** Shown in the report. */
  name: string;
  source: string;
  anchor: boolean;
}

const entries: Entry[] = [
  {
    name: '@clinicbridge/sdk ClinicBridge (every namespace)',
    anchor: false,
    source: `import { ClinicBridge } from '@clinicbridge/sdk';
const client = new ClinicBridge({ baseUrl: 'https://api.clinicbridge.example', apiKey: 'k' });
client.appointments.get({ appointmentId: 'apt_aaaaaaaaaaaaaaaaaaaaaaaaaa' }).then(console.log);`,
  },
  {
    name: '@clinicbridge/sdk ClinicBridgeClient + one operation',
    anchor: false,
    source: `import { ClinicBridgeClient } from '@clinicbridge/sdk';
import { appointmentsGet } from '@clinicbridge/sdk/contract';
const client = new ClinicBridgeClient({ baseUrl: 'https://api.clinicbridge.example', apiKey: 'k' });
client.request(appointmentsGet, { appointmentId: 'apt_aaaaaaaaaaaaaaaaaaaaaaaaaa' }).then(console.log);`,
  },
  {
    // Reference only: what ky v2 alone costs for the same call. The SDK is
    // built on fetch because this figure leaves almost nothing of the budget.
    name: 'ky v2 alone (reference, not used)',
    anchor: false,
    source: `import ky from 'ky';
ky.create({ baseUrl: 'https://api.clinicbridge.example' }).get('api/v1/appointments/apt_1').json().then(console.log);`,
  },
  {
    name: 'openai',
    anchor: true,
    source: `import OpenAI from 'openai';
const client = new OpenAI({ apiKey: 'k', dangerouslyAllowBrowser: true });
client.models.retrieve('gpt-4o').then(console.log);`,
  },
  {
    name: 'stripe',
    anchor: true,
    source: `import Stripe from 'stripe';
const client = new Stripe('sk_test_k');
client.customers.retrieve('cus_1').then(console.log);`,
  },
  {
    name: '@octokit/rest',
    anchor: true,
    source: `import { Octokit } from '@octokit/rest';
const client = new Octokit({ auth: 'k' });
client.rest.repos.get({ owner: 'o', repo: 'r' }).then(console.log);`,
  },
];

async function measure(entry: Entry): Promise<{ min: number; gz: number }> {
  const result = await build({
    stdin: { contents: entry.source, resolveDir: pkgDir, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
    plugins: [selfReference],
  });
  const code = result.outputFiles[0]!.contents;
  return { min: code.byteLength, gz: gzipSync(code, { level: 9 }).byteLength };
}

const kb = (n: number) => (n / 1024).toFixed(1);
const rows: Array<Entry & { min: number; gz: number }> = [];
for (const entry of entries) {
  try {
    rows.push({ ...entry, ...(await measure(entry)) });
  } catch (error) {
    console.error(`${entry.name}: could not bundle (${(error as Error).message.split('\n')[0]})`);
  }
}
const anchors = rows.filter((r) => r.anchor);
const smallest = Math.min(...anchors.map((r) => r.gz));
console.log(
  'entry'.padEnd(52),
  'min KB'.padStart(8),
  'min+gz KB'.padStart(10),
  'vs smallest anchor'.padStart(19),
);
for (const r of rows) {
  console.log(
    r.name.padEnd(52),
    kb(r.min).padStart(8),
    kb(r.gz).padStart(10),
    `${(r.gz / smallest).toFixed(2)}×`.padStart(19),
  );
}
const lean = rows.find((r) => r.name.includes('one operation'));
if (lean) {
  const goal = 10 * 1024;
  console.log(
    `\ngoal: ≤ 10 KB min+gz and under half of the smallest anchor (${kb(smallest / 2)} KB): ` +
      `${lean.gz <= goal && lean.gz < smallest / 2 ? 'met' : 'NOT met'} (${kb(lean.gz)} KB)`,
  );
}
