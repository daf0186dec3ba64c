/**
 * The README's examples run here. Every ```ts block that imports the fakes
 * from `@clinicbridge/adapters/testing` runs as plain JavaScript (so
 * TypeScript-only syntax in it fails here first), with its imports bound to
 * this package's sources, and must print exactly what the comments on its
 * `console.log` lines say: the comments are parsed, so the README and this
 * test cannot drift apart. Every subpath in package.json must have such an
 * example, apart from the ones listed below.
 */
import { readFileSync } from 'node:fs';
import * as mswNode from 'msw/node';
import { afterEach, describe, expect, test, vi } from 'vitest';
import * as abdm from './abdm/index.ts';
import * as amadeus from './amadeus/index.ts';
import * as analytics from './analytics/index.ts';
import * as deepl from './deepl/index.ts';
import * as doktor365 from './doktor365/index.ts';
import * as easypost from './easypost/index.ts';
import * as efaturaRest from './efatura-rest/index.ts';
import * as fcm from './fcm/index.ts';
import * as fhir from './fhir/index.ts';
import * as filesystem from './filesystem/index.ts';
import * as hubspot from './hubspot/index.ts';
import * as root from './index.ts';
import * as insurance from './insurance/index.ts';
import * as iyzico from './iyzico/index.ts';
import * as jitsi from './jitsi/index.ts';
import * as livekit from './livekit/index.ts';
import * as messaging from './messaging/index.ts';
import * as orthanc from './orthanc/index.ts';
import * as prometheus from './prometheus/index.ts';
import * as razorpay from './razorpay/index.ts';
import * as s3 from './s3/index.ts';
import * as segment from './segment/index.ts';
import * as sendgrid from './sendgrid/index.ts';
import * as stripe from './stripe/index.ts';
import * as testing from './testing/index.ts';
import * as twilio from './twilio/index.ts';
import * as ushas from './ushas/index.ts';
import * as visa from './visa/index.ts';
import * as whatsapp from './whatsapp/index.ts';

const PACKAGE = '@clinicbridge/adapters';

/** What an example may import: each subpath of the package, by the name a user writes. */
const SOURCES: Record<string, Record<string, unknown>> = {
  [PACKAGE]: root,
  [`${PACKAGE}/abdm`]: abdm,
  [`${PACKAGE}/amadeus`]: amadeus,
  [`${PACKAGE}/analytics`]: analytics,
  [`${PACKAGE}/deepl`]: deepl,
  [`${PACKAGE}/doktor365`]: doktor365,
  [`${PACKAGE}/easypost`]: easypost,
  [`${PACKAGE}/efatura-rest`]: efaturaRest,
  [`${PACKAGE}/fcm`]: fcm,
  [`${PACKAGE}/fhir`]: fhir,
  [`${PACKAGE}/filesystem`]: filesystem,
  [`${PACKAGE}/hubspot`]: hubspot,
  [`${PACKAGE}/insurance`]: insurance,
  [`${PACKAGE}/iyzico`]: iyzico,
  [`${PACKAGE}/jitsi`]: jitsi,
  [`${PACKAGE}/livekit`]: livekit,
  [`${PACKAGE}/messaging`]: messaging,
  [`${PACKAGE}/orthanc`]: orthanc,
  [`${PACKAGE}/prometheus`]: prometheus,
  [`${PACKAGE}/razorpay`]: razorpay,
  [`${PACKAGE}/s3`]: s3,
  [`${PACKAGE}/segment`]: segment,
  [`${PACKAGE}/sendgrid`]: sendgrid,
  [`${PACKAGE}/stripe`]: stripe,
  [`${PACKAGE}/testing`]: testing,
  [`${PACKAGE}/twilio`]: twilio,
  [`${PACKAGE}/ushas`]: ushas,
  [`${PACKAGE}/visa`]: visa,
  [`${PACKAGE}/whatsapp`]: whatsapp,
};

/** Subpaths that are not adapters: the core, the fakes themselves, the metrics hooks. */
const NOT_ADAPTERS = ['.', './testing', './prometheus'];

/**
 * Adapters with no offline example, each for a reason: the payment and
 * messaging adapters from before issue #14 ("Docs"; Stripe has one), and the
 * object stores, which have no HTTP fake in /testing (S3 is tested against
 * s3rver, the filesystem store against a directory). Remove an entry when
 * its example is written; the test says when.
 */
const WITHOUT_EXAMPLE = [
  './iyzico',
  './razorpay',
  './whatsapp',
  './twilio',
  './sendgrid',
  './messaging',
  './s3',
  './filesystem',
];

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const packageJson = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
) as { exports: Record<string, unknown> };
const exported = Object.keys(packageJson.exports).filter((key) => key !== './package.json');
const specifier = (subpath: string) =>
  subpath === '.' ? PACKAGE : `${PACKAGE}/${subpath.slice(2)}`;

interface Example {
  title: string;
  code: string;
  /** Module specifiers it imports from, in order. */
  modules: string[];
}

const IMPORT = /^import \{([^}]*)\} from '([^']+)';[ \t]*$/gm;

/** The ```ts blocks of the README, each titled by its nearest heading and the adapters it imports. */
function readmeExamples(markdown: string): Example[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => {
    const code = match[1] ?? '';
    const heading = [...markdown.slice(0, match.index).matchAll(/^#+ (.+)$/gm)].at(-1)?.[1];
    const modules = [...code.matchAll(IMPORT)].map((found) => found[2] ?? '');
    const adapters = modules.filter(
      (name) => name.startsWith(`${PACKAGE}/`) && name !== `${PACKAGE}/testing`,
    );
    const subpaths = adapters.map((name) => name.slice(PACKAGE.length));
    return { title: `${heading ?? 'top'} (${subpaths.join(', ')})`, code, modules };
  });
}

const examples = readmeExamples(readme);
const runnable = examples.filter((example) => example.modules.includes(`${PACKAGE}/testing`));

/**
 * Splits the text of an expectation comment into the values it lists, as
 * `console.log` prints them: space-separated JavaScript literals, where
 * strings, objects and arrays may hold spaces.
 */
function parseExpectedValues(comment: string): unknown[] {
  const tokens: string[] = [];
  let current = '';
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < comment.length; i += 1) {
    const char = comment[i] ?? '';
    if (quote) {
      current += char;
      if (char === '\\') current += comment[++i] ?? '';
      else if (char === quote) quote = undefined;
      continue;
    }
    if (char === "'" || char === '"' || char === '`') quote = char;
    else if ('{[('.includes(char)) depth += 1;
    else if ('}])'.includes(char)) depth -= 1;
    if (/\s/.test(char) && depth === 0) {
      if (current) tokens.push(current);
      current = '';
    } else current += char;
  }
  if (quote || depth !== 0) throw new Error(`unbalanced expectation: ${comment}`);
  if (current) tokens.push(current);
  return tokens.map((token) => {
    try {
      return new Function(`return (${token});`)();
    } catch {
      throw new Error(`"${token}" in the comment "${comment}" is not a JavaScript value`);
    }
  });
}

/** The values each `console.log` line's comment says it prints, in order. */
function expectedLogs(code: string): unknown[][] {
  return code
    .split('\n')
    .filter((line) => line.includes('console.log('))
    .map((line) => {
      const comment = /^\s*console\.log\(.*\);\s*\/\/\s*(.+)$/.exec(line)?.[1];
      if (!comment) throw new Error(`say what this line prints in a comment after it: ${line}`);
      return parseExpectedValues(comment.trim());
    });
}

/** Replaces the example's imports by parameters bound to this package's sources. */
function bindImports(code: string): { body: string; names: string[]; values: unknown[] } {
  const names: string[] = [];
  const values: unknown[] = [];
  const body = code.replace(IMPORT, (_line, list: string, from: string) => {
    const source = from === 'msw/node' ? trackedMsw : SOURCES[from];
    if (!source) throw new Error(`the example imports ${from}, which is no subpath of ${PACKAGE}`);
    for (const entry of list.split(',').map((part) => part.trim())) {
      if (!entry) continue;
      const [name = '', alias = name] = entry.split(/\s+as\s+/);
      if (!(name in source)) throw new Error(`${from} exports no ${name}`);
      names.push(alias);
      values.push(source[name]);
    }
    return '';
  });
  const left = /^\s*import\b.*$/m.exec(body);
  if (left) throw new Error(`write imports as "import { a, b } from '…';": ${left[0]}`);
  return { body, names, values };
}

/**
 * `msw/node` for the examples: every server they start is closed after the
 * test even when the example fails halfway, and a request no fake answers is
 * an error instead of a call to the real provider.
 */
const opened: ReturnType<typeof mswNode.setupServer>[] = [];
const trackedMsw: Record<string, unknown> = {
  setupServer: (...handlers: Parameters<typeof mswNode.setupServer>) => {
    const server = mswNode.setupServer(...handlers);
    const listen = server.listen.bind(server);
    const close = server.close.bind(server);
    let listening = false;
    server.listen = (options) => {
      listen({ ...options, onUnhandledFrame: 'error' });
      listening = true;
    };
    // The example closes its server; closing again (after a failure) must be harmless.
    server.close = () => {
      if (listening) close();
      listening = false;
    };
    opened.push(server);
    return server;
  },
};
afterEach(() => {
  for (const server of opened.splice(0)) server.close();
});

const AsyncFunction = (async () => undefined).constructor as new (
  ...args: string[]
) => (...values: unknown[]) => Promise<unknown>;

describe('README examples', () => {
  test.each(runnable)('$title runs and prints what its comments say', async (example) => {
    const expected = expectedLogs(example.code);
    expect(expected.length).toBeGreaterThan(0);
    const { body, names, values } = bindImports(example.code);
    const log = vi.fn();
    const run = new AsyncFunction(...names, 'console', body);
    await run(...values, { log });
    expect(log.mock.calls).toEqual(expected);
  });

  test('an example that does not run offline starts with the command that runs it against the provider', () => {
    const unmarked = examples
      .filter((example) => !runnable.includes(example))
      .filter((example) => example.modules.some((name) => name.startsWith(PACKAGE)))
      .filter((example) => !/^\/\/ [A-Z_]+=\S+ node \S+\.ts\n/.test(example.code))
      .map((example) => example.title);
    expect(unmarked).toEqual([]);
  });

  test('every adapter subpath in package.json has an offline example', () => {
    const covered = new Set(runnable.flatMap((example) => example.modules));
    const missing = exported.filter(
      (subpath) =>
        !NOT_ADAPTERS.includes(subpath) &&
        !WITHOUT_EXAMPLE.includes(subpath) &&
        !covered.has(specifier(subpath)),
    );
    expect(missing, 'write an example in README.md for these').toEqual([]);
    const written = WITHOUT_EXAMPLE.filter((subpath) => covered.has(specifier(subpath)));
    expect(written, 'these have an example now: remove them from WITHOUT_EXAMPLE').toEqual([]);
    const unknown = [...NOT_ADAPTERS, ...WITHOUT_EXAMPLE].filter((s) => !exported.includes(s));
    expect(unknown, 'these are no longer exported').toEqual([]);
  });

  test('the examples can import every subpath package.json exports, and nothing else', () => {
    expect(Object.keys(SOURCES).sort()).toEqual(exported.map(specifier).sort());
  });
});

describe('parseExpectedValues', () => {
  test('reads literals, strings with spaces, objects and arrays', () => {
    expect(parseExpectedValues("true 'pat_1' 0 null")).toEqual([true, 'pat_1', 0, null]);
    expect(parseExpectedValues("'[TR] Your transfer is at 09:00.' 1")).toEqual([
      '[TR] Your transfer is at 09:00.',
      1,
    ]);
    expect(parseExpectedValues("{ sent: 1, dropped: 0 } ['a b', 'c'] 2")).toEqual([
      { sent: 1, dropped: 0 },
      ['a b', 'c'],
      2,
    ]);
    expect(parseExpectedValues("'it\\'s' 3")).toEqual(["it's", 3]);
  });

  test('refuses prose and unbalanced text, so a comment cannot silently assert less', () => {
    expect(() => parseExpectedValues('true (the identity)')).toThrow(/not a JavaScript value/);
    expect(() => parseExpectedValues("{ sent: 1 'x'")).toThrow(/unbalanced/);
  });
});
