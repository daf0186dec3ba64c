/**
 * The README opens with an example a newcomer saves as `example.mjs` and runs
 * with Node. This runs that block as plain JavaScript (so TypeScript-only
 * syntax in it fails here first) against the package's exports.
 */
import { readFileSync } from 'node:fs';
import { expect, test, vi } from 'vitest';
import * as hl7 from './index.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

test('the README opening example runs as JavaScript and prints what its comments say', async () => {
  const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block).toBeDefined();
  const imports = /^import \{([^}]+)\} from '@clinicbridge\/hl7';$/m.exec(block!);
  expect(imports).not.toBeNull();
  const names = imports![1]!.split(',').map((name) => name.trim());
  const body = block!.replace(imports![0], '');
  const log = vi.fn();
  const AsyncFunction = (async () => undefined).constructor as new (
    ...args: string[]
  ) => (...values: unknown[]) => Promise<unknown>;
  const run = new AsyncFunction(...names, 'console', body);
  const exports = hl7 as Record<string, unknown>;
  await run(...names.map((name) => exports[name]), { log });
  expect(log.mock.calls).toEqual([['A01', 'MSG-0001'], ['MRN001', 'B'], ['MSA|AA|MSG-0001']]);
});
