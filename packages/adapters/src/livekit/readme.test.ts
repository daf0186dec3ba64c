/**
 * The README's LiveKit example runs as plain JavaScript (so TypeScript-only
 * syntax in it fails here first) with its imports bound to this package's
 * sources and prints what its comments say.
 */
import { readFileSync } from 'node:fs';
import * as mswNode from 'msw/node';
import { expect, test, vi } from 'vitest';
import * as testing from '../testing/index.ts';
import * as livekit from './index.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const modules: Record<string, Record<string, unknown>> = {
  'msw/node': mswNode,
  '@clinicbridge/adapters/livekit': livekit,
  '@clinicbridge/adapters/testing': testing,
};

test('the README LiveKit example runs and prints the room check and the occupancy', async () => {
  const block = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)]
    .map((match) => match[1] ?? '')
    .find((code) => code.includes("from '@clinicbridge/adapters/livekit'"));
  expect(block).toBeDefined();
  const bound: [string, unknown][] = [];
  const body = block!.replace(/^import \{([^}]+)\} from '([^']+)';$/gm, (_line, names, from) => {
    const source = modules[from as string];
    if (!source)
      throw new Error(`the example imports ${from as string}, which this test does not bind`);
    for (const name of (names as string)
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean))
      bound.push([name, source[name]]);
    return '';
  });
  expect(bound.every(([, value]) => value !== undefined)).toBe(true);
  const log = vi.fn();
  const AsyncFunction = (async () => undefined).constructor as new (
    ...args: string[]
  ) => (...values: unknown[]) => Promise<unknown>;
  const run = new AsyncFunction(...bound.map(([name]) => name), 'console', body);
  await run(...bound.map(([, value]) => value), { log });
  expect(log.mock.calls).toEqual([[true, 'pat_1'], [0]]);
});
